using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Arrow;

/// <summary>Checks incoming batches against a dataset's schema before anything is written.</summary>
internal static class SchemaAlignment
{
    /// <summary>
    /// Returns <paramref name="batch"/> with its columns in the order of <paramref name="schema"/>,
    /// or throws <see cref="LanceSchemaException"/> naming the first column that does not fit.
    /// </summary>
    public static RecordBatch Align(RecordBatch batch, Schema schema, string datasetPath)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var field in batch.Schema.FieldsList)
        {
            if (schema.GetFieldIndex(field.Name) < 0)
            {
                throw new LanceSchemaException(
                    $"Column '{field.Name}' is not in the schema of '{datasetPath}'. Columns: {string.Join(", ", schema.FieldsList.Select(f => f.Name))}.");
            }
        }

        var columns = new IArrowArray[schema.FieldsList.Count];
        var reordered = false;
        for (var i = 0; i < columns.Length; i++)
        {
            var expected = schema.FieldsList[i];
            var index = batch.Schema.GetFieldIndex(expected.Name);
            if (index < 0 && expected.IsNullable)
            {
                // A nullable column the rows leave out is filled with nulls, as LanceDB does.
                columns[i] = ArrowEmpty.CreateNulls(expected.DataType, batch.Length);
                reordered = true;
                continue;
            }

            if (index < 0)
            {
                throw new LanceSchemaException($"Column '{expected.Name}' ({Describe(expected.DataType)}) is not nullable but is missing from the rows added to '{datasetPath}'.");
            }

            var actual = batch.Schema.FieldsList[index];
            var column = batch.Column(index);
            if (!SameType(expected.DataType, actual.DataType))
            {
                // Strings of the other offset width, or a dictionary of strings, are cast to the column's type, as LanceDB does.
                if (!ArrowConvert.CanConvert(actual.DataType, expected.DataType))
                {
                    throw new LanceSchemaException(
                        $"Column '{expected.Name}' of '{datasetPath}' is {Describe(expected.DataType)} but the rows added hold {Describe(actual.DataType)}.");
                }

                try
                {
                    column = ArrowConvert.Convert(column, expected.DataType);
                }
                catch (LanceSchemaException e)
                {
                    throw new LanceSchemaException($"Column '{expected.Name}' of '{datasetPath}' is {Describe(expected.DataType)}: {e.Message}", e);
                }

                reordered = true;
            }

            if (!expected.IsNullable && column.NullCount > 0)
            {
                throw new LanceSchemaException(
                    $"Column '{expected.Name}' of '{datasetPath}' is not nullable but {column.NullCount} of the rows added have null there.");
            }

            reordered |= index != i;
            columns[i] = column;
        }

        return reordered || batch.Schema.FieldsList.Count != columns.Length ? new RecordBatch(schema, columns, batch.Length) : batch;
    }

    /// <summary>Whether two schemas have the same column names and types, in order.</summary>
    public static bool SameColumns(Schema a, Schema b)
        => a.FieldsList.Count == b.FieldsList.Count
           && a.FieldsList.Zip(b.FieldsList).All(p => p.First.Name == p.Second.Name && SameType(p.First.DataType, p.Second.DataType));

    /// <summary>Structural type equality (Arrow's C# types do not implement it).</summary>
    public static bool SameType(IArrowType a, IArrowType b) => (a, b) switch
    {
        (FixedSizeListType x, FixedSizeListType y) => x.ListSize == y.ListSize && SameType(x.ValueDataType, y.ValueDataType),
        (ListType x, ListType y) => SameType(x.ValueDataType, y.ValueDataType),
        (LargeListType x, LargeListType y) => SameType(x.ValueDataType, y.ValueDataType),
        (DictionaryType x, DictionaryType y) => SameType(x.IndexType, y.IndexType) && SameType(x.ValueType, y.ValueType),
        (StructType x, StructType y) => x.Fields.Count == y.Fields.Count && x.Fields.Zip(y.Fields).All(p => p.First.Name == p.Second.Name && SameType(p.First.DataType, p.Second.DataType)),
        (TimestampType x, TimestampType y) => x.Unit == y.Unit && x.Timezone == y.Timezone,
        (Time32Type x, Time32Type y) => x.Unit == y.Unit,
        (Time64Type x, Time64Type y) => x.Unit == y.Unit,
        (DurationType x, DurationType y) => x.Unit == y.Unit,
        (Decimal128Type x, Decimal128Type y) => x.Precision == y.Precision && x.Scale == y.Scale,
        (FixedSizeBinaryType x, FixedSizeBinaryType y) => x.ByteWidth == y.ByteWidth,
        _ => a.TypeId == b.TypeId,
    };

    /// <summary>A type as LanceDB users read it, e.g. <c>fixed_size_list&lt;float&gt;[384]</c>.</summary>
    public static string Describe(IArrowType type) => type switch
    {
        FixedSizeListType list => $"fixed_size_list<{Describe(list.ValueDataType)}>[{list.ListSize}]",
        ListType list => $"list<{Describe(list.ValueDataType)}>",
        LargeListType list => $"large_list<{Describe(list.ValueDataType)}>",
        StructType structType => $"struct<{string.Join(", ", structType.Fields.Select(f => $"{f.Name}: {Describe(f.DataType)}"))}>",
        TimestampType ts => $"timestamp[{ts.Unit}{(ts.Timezone is null ? "" : ", " + ts.Timezone)}]",
        Time32Type t => $"time32[{t.Unit}]",
        Time64Type t => $"time64[{t.Unit}]",
        DurationType d => $"duration[{d.Unit}]",
        Decimal128Type d => $"decimal128({d.Precision}, {d.Scale})",
        FixedSizeBinaryType b => $"fixed_size_binary[{b.ByteWidth}]",
        DictionaryType d => $"dictionary<{Describe(d.IndexType)}, {Describe(d.ValueType)}>",
        _ => type.Name,
    };
}
