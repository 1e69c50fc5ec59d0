using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Query.Filtering;

/// <summary>
/// A SQL value expression over a row's columns (the filter language's expressions: arithmetic,
/// functions, CAST, literals), evaluated a batch at a time into an Arrow array of a target column's
/// type. Used by updates with SQL values (LanceDB's <c>values_sql</c>) and computed columns.
/// </summary>
internal sealed class SqlValue
{
    private readonly BoundNode _root;
    private readonly string _text;
    private readonly string _source;

    private SqlValue(BoundNode root, IReadOnlyList<string> columns, string text, string source)
    {
        _root = root;
        Columns = columns;
        _text = text;
        _source = source;
    }

    /// <summary>The top-level columns the expression reads.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Parses and checks <paramref name="sql"/> against <paramref name="schema"/>.</summary>
    /// <exception cref="LanceFilterException">A syntax error, an unknown column or function, or mismatched types; with the position.</exception>
    public static SqlValue Parse(string sql, Schema schema, string datasetPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        var expression = FilterParser.Parse(sql, datasetPath);
        var (root, columns) = FilterBinder.BindValue(expression, schema, datasetPath, sql);
        return new SqlValue(root, columns, sql, datasetPath);
    }

    /// <summary>The Arrow type a new column computed by this expression gets.</summary>
    /// <exception cref="LanceSchemaException">The expression's values have no column type (e.g. a bare NULL).</exception>
    public IArrowType NaturalType(string datasetPath, string column) => _root.Type.Kind switch
    {
        ValueKind.Boolean => BooleanType.Default,
        ValueKind.Integer => Int64Type.Default,
        ValueKind.Float => DoubleType.Default,
        ValueKind.String => StringType.Default,
        ValueKind.Date => Date32Type.Default,
        _ => throw new LanceSchemaException(
            $"Column '{column}' of '{datasetPath}' cannot be computed by '{_text}': its values ({_root.Type.Describe()}) have no column type here; CAST it to one."),
    };

    /// <summary>Evaluates the expression for every row of <paramref name="batch"/> as values of <paramref name="target"/>'s type.</summary>
    /// <exception cref="LanceSchemaException">The values cannot be stored in the column (type, range, or null in a non-nullable column).</exception>
    public IArrowArray Evaluate(RecordBatch batch, Field target)
    {
        var context = new EvaluationContext(batch, (message, position) => FilterParser.Error(_text, _source, message, Math.Max(0, position)));
        var values = BoundLogical.Expand(_root.Evaluate(context), batch.Length);
        try
        {
            return ToArrow(values, target, batch.Length);
        }
        catch (OverflowException e)
        {
            throw Mismatch(target, $"a value is out of range ({e.Message})", e);
        }
    }

    private IArrowArray ToArrow(ColumnVector v, Field target, int n)
    {
        if (v.Kind == ValueKind.Null)
        {
            return Null(target, n);
        }

        var valid = v.Valid;
        bool IsValid(int i) => valid is null || valid[i];
        if (!target.IsNullable && valid is not null && valid.Any(b => !b))
        {
            throw Mismatch(target, "it gives NULL for some rows, but the column is not nullable", null);
        }

        switch (target.DataType, v.Kind)
        {
            case (BooleanType, ValueKind.Boolean):
                var bools = new BooleanArray.Builder();
                for (var i = 0; i < n; i++) { if (IsValid(i)) bools.Append(v.Bools![i]); else bools.AppendNull(); }
                return bools.Build();
            case (Int8Type, ValueKind.Integer): return Build(new Int8Array.Builder(), v, n, v.Ints!, x => checked((sbyte)x));
            case (Int16Type, ValueKind.Integer): return Build(new Int16Array.Builder(), v, n, v.Ints!, x => checked((short)x));
            case (Int32Type, ValueKind.Integer): return Build(new Int32Array.Builder(), v, n, v.Ints!, x => checked((int)x));
            case (Int64Type, ValueKind.Integer): return Build(new Int64Array.Builder(), v, n, v.Ints!, x => x);
            case (UInt8Type, ValueKind.Integer): return Build(new UInt8Array.Builder(), v, n, v.Ints!, x => checked((byte)x));
            case (UInt16Type, ValueKind.Integer): return Build(new UInt16Array.Builder(), v, n, v.Ints!, x => checked((ushort)x));
            case (UInt32Type, ValueKind.Integer): return Build(new UInt32Array.Builder(), v, n, v.Ints!, x => checked((uint)x));
            case (UInt64Type, ValueKind.Integer): return Build(new UInt64Array.Builder(), v, n, v.Ints!, x => checked((ulong)x));
            case (FloatType, ValueKind.Integer): return Build(new FloatArray.Builder(), v, n, v.Ints!, x => (float)x);
            case (DoubleType, ValueKind.Integer): return Build(new DoubleArray.Builder(), v, n, v.Ints!, x => (double)x);
            case (FloatType, ValueKind.Float): return Build(new FloatArray.Builder(), v, n, v.Floats!, x => (float)x);
            case (DoubleType, ValueKind.Float): return Build(new DoubleArray.Builder(), v, n, v.Floats!, x => x);
            case (StringType, ValueKind.String):
                var strings = new StringArray.Builder();
                for (var i = 0; i < n; i++) { if (IsValid(i)) strings.Append(System.Text.Encoding.UTF8.GetString(v.Bytes![v.IsScalar ? 0 : i])); else strings.AppendNull(); }
                return strings.Build();
            case (LargeStringType, ValueKind.String):
                var large = new LargeStringArray.Builder();
                for (var i = 0; i < n; i++) { if (IsValid(i)) large.Append(System.Text.Encoding.UTF8.GetString(v.Bytes![v.IsScalar ? 0 : i])); else large.AppendNull(); }
                return large.Build();
            case (Date32Type, ValueKind.Date):
                var dates = new Date32Array.Builder();
                for (var i = 0; i < n; i++) { if (IsValid(i)) dates.Append(DateTime.UnixEpoch.AddDays(v.Ints![i])); else dates.AppendNull(); }
                return dates.Build();
            default:
                throw Mismatch(target, $"it gives {v.Type.Describe()} values and the column holds {FilterBinder.Describe(target.DataType)}", null);
        }
    }

    // One value per row (or the scalar's one value for every row), converted to the column's type.
    private static IArrowArray Build<T, TArray, TBuilder, TValue>(PrimitiveArrayBuilder<T, TArray, TBuilder> builder, ColumnVector v, int n, TValue[] values, Func<TValue, T> convert)
        where T : struct
        where TArray : IArrowArray
        where TBuilder : class, IArrowArrayBuilder<TArray>
    {
        builder.Reserve(n);
        for (var i = 0; i < n; i++)
        {
            if (v.IsValid(i)) builder.Append(convert(values[v.IsScalar ? 0 : i])); else builder.AppendNull();
        }

        return builder.Build(null);
    }

    private IArrowArray Null(Field target, int n) => target.IsNullable
        ? Arrow.ArrowEmpty.CreateNulls(target.DataType, n)
        : throw Mismatch(target, "it is NULL, but the column is not nullable", null);

    private LanceSchemaException Mismatch(Field target, string why, Exception? inner)
        => new(string.Create(CultureInfo.InvariantCulture, $"The SQL value '{_text}' cannot be stored in column '{target.Name}' of '{_source}': {why}."), inner);
}
