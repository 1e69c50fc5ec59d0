using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Arrow;

/// <summary>
/// The engine's Arrow helpers that callers above it need, for every type the engine stores (nested
/// and dictionary types included): taking rows, joining arrays, empty arrays, comparing and naming
/// types. Apache.Arrow for .NET has none of these.
/// </summary>
public static class ArrowArrays
{
    /// <summary>A batch of the rows <paramref name="rows"/> (indices, in that order, repeats allowed) of <paramref name="batch"/>.</summary>
    public static RecordBatch Take(RecordBatch batch, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return ArrowTake.Take(batch, rows);
    }

    /// <summary>An array of the rows <paramref name="rows"/> (indices, in that order, repeats allowed) of <paramref name="array"/>.</summary>
    public static IArrowArray Take(IArrowArray array, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(array);
        return ArrowTake.Take(array, rows);
    }

    /// <summary>The rows of <paramref name="arrays"/>, in order, as one array.</summary>
    /// <exception cref="ArgumentException">No arrays, or arrays of different types.</exception>
    public static IArrowArray Concatenate(IReadOnlyList<IArrowArray> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        return ArrowConcat.Concatenate(arrays);
    }

    /// <summary>An array of <paramref name="type"/> with no rows.</summary>
    public static IArrowArray Empty(IArrowType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return ArrowEmpty.Create(type);
    }

    /// <summary>An array of <paramref name="type"/> holding <paramref name="length"/> nulls.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public static IArrowArray Nulls(IArrowType type, int length)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return ArrowEmpty.CreateNulls(type, length);
    }

    /// <summary>Whether two Arrow types are the same, structurally (Arrow's .NET types do not implement equality).</summary>
    public static bool SameType(IArrowType a, IArrowType b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return SchemaAlignment.SameType(a, b);
    }

    /// <summary>
    /// Whether values of <paramref name="from"/> convert to <paramref name="to"/> without change: strings, binaries and lists
    /// with 32-bit or 64-bit offsets (<c>utf8</c>/<c>large_utf8</c>), a dictionary of strings to plain strings, and lists and
    /// structs of those.
    /// </summary>
    public static bool CanConvert(IArrowType from, IArrowType to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        return ArrowConvert.CanConvert(from, to);
    }

    /// <summary><paramref name="array"/> as <paramref name="type"/>, where <see cref="CanConvert"/> allows it (itself when the types are the same).</summary>
    /// <exception cref="ArgumentException"><see cref="CanConvert"/> does not allow it.</exception>
    /// <exception cref="LanceSchemaException">A value would change (a timestamp finer than the target unit, or out of its range).</exception>
    public static IArrowArray Convert(IArrowArray array, IArrowType type)
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(type);
        return ArrowConvert.CanConvert(array.Data.DataType, type)
            ? ArrowConvert.Convert(array, type)
            : throw new ArgumentException($"{Describe(array.Data.DataType)} does not convert to {Describe(type)}.", nameof(array));
    }

    /// <summary>
    /// <paramref name="batch"/> with each column that <paramref name="schema"/> also has converted to the schema's type where
    /// <see cref="CanConvert"/> allows it (itself when nothing needs converting); other columns are left as they are. A
    /// dictionary-of-strings target takes <c>large_utf8</c> values as <c>utf8</c>.
    /// </summary>
    public static RecordBatch Conform(RecordBatch batch, Schema schema)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(schema);
        IArrowArray[]? columns = null;
        for (var i = 0; i < batch.ColumnCount; i++)
        {
            var actual = batch.Schema.FieldsList[i].DataType;
            var index = schema.GetFieldIndex(batch.Schema.FieldsList[i].Name);
            if (index < 0 || SchemaAlignment.SameType(actual, schema.FieldsList[index].DataType))
            {
                continue;
            }

            var target = schema.FieldsList[index].DataType;
            if (target is DictionaryType && actual is LargeStringType)
            {
                target = StringType.Default;
            }

            if (ArrowConvert.CanConvert(actual, target))
            {
                columns ??= [.. batch.Arrays];
                columns[i] = ArrowConvert.Convert(columns[i], target);
            }
        }

        return columns is null
            ? batch
            : new RecordBatch(new Schema(columns.Select((c, i) => new Field(batch.Schema.FieldsList[i].Name, c.Data.DataType, batch.Schema.FieldsList[i].IsNullable, batch.Schema.FieldsList[i].Metadata)), batch.Schema.Metadata), columns, batch.Length);
    }

    /// <summary>A type as LanceDB users read it, e.g. <c>fixed_size_list&lt;float&gt;[384]</c>, for error messages.</summary>
    public static string Describe(IArrowType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return SchemaAlignment.Describe(type);
    }
}
