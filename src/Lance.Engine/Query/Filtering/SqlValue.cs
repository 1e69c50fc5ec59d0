using System.Globalization;
using System.Numerics;
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
            case (HalfFloatType, ValueKind.Integer): return Build(new HalfFloatArray.Builder(), v, n, v.Ints!, x => (Half)AsDouble(v, x));
            case (FloatType, ValueKind.Integer): return Build(new FloatArray.Builder(), v, n, v.Ints!, x => (float)AsDouble(v, x));
            case (DoubleType, ValueKind.Integer): return Build(new DoubleArray.Builder(), v, n, v.Ints!, x => AsDouble(v, x));

            // A float into a narrower float rounds to nearest (beyond float16's range: ±∞), as Arrow's cast does.
            case (HalfFloatType, ValueKind.Float): return Build(new HalfFloatArray.Builder(), v, n, v.Floats!, x => (Half)x);
            case (FloatType, ValueKind.Float): return Build(new FloatArray.Builder(), v, n, v.Floats!, x => (float)x);
            case (DoubleType, ValueKind.Float): return Build(new DoubleArray.Builder(), v, n, v.Floats!, x => x);

            // A float into an integer column: truncated toward zero; NaN, ±∞ and values outside the
            // column's range are refused (LanceDB: "Can't cast value -3.7 to type UInt64").
            case (Int8Type, ValueKind.Float): return Build(new Int8Array.Builder(), v, n, v.Floats!, x => checked((sbyte)x));
            case (Int16Type, ValueKind.Float): return Build(new Int16Array.Builder(), v, n, v.Floats!, x => checked((short)x));
            case (Int32Type, ValueKind.Float): return Build(new Int32Array.Builder(), v, n, v.Floats!, x => checked((int)x));
            case (Int64Type, ValueKind.Float): return Build(new Int64Array.Builder(), v, n, v.Floats!, x => checked((long)x));
            case (UInt8Type, ValueKind.Float): return Build(new UInt8Array.Builder(), v, n, v.Floats!, x => checked((byte)x));
            case (UInt16Type, ValueKind.Float): return Build(new UInt16Array.Builder(), v, n, v.Floats!, x => checked((ushort)x));
            case (UInt32Type, ValueKind.Float): return Build(new UInt32Array.Builder(), v, n, v.Floats!, x => checked((uint)x));
            case (UInt64Type, ValueKind.Float): return Build(new UInt64Array.Builder(), v, n, v.Floats!, x => checked((ulong)x));

            // A string into a float column is parsed as Arrow's cast parses it ('NaN', 'inf', '-Infinity', '1.5').
            case (HalfFloatType or FloatType or DoubleType, ValueKind.String):
                var parsed = new double[v.IsScalar ? 1 : n];
                for (var i = 0; i < parsed.Length; i++)
                {
                    parsed[i] = v.IsValid(i) ? ParseFloat(target, v.Bytes![i]) : 0;
                }

                return ToArrow(ColumnVector.OfFloats(parsed, v.Valid, v.IsScalar), target, n);
            case (DictionaryType { ValueType: StringType or LargeStringType } dictionary, ValueKind.String):
                return Dictionary(ToArrow(v, new Field(target.Name, dictionary.ValueType, target.IsNullable), n), dictionary, target);
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
            case (Decimal128Type or Decimal256Type, ValueKind.Integer or ValueKind.Float or ValueKind.Decimal):
                return Decimals(v, target, n);
            case (TimestampType ts, ValueKind.Timestamp):
                return Longs(ts, v, n, x => BoundCast.Rescale(ZoneShift(x, v.Type.Unit, ts.Timezone), v.Type.Unit, ts.Unit));
            case (Date64Type, ValueKind.Timestamp):
                return Longs(Date64Type.Default, v, n, x => BoundCast.Rescale(x, v.Type.Unit, TimeUnit.Millisecond));
            case (Date64Type, ValueKind.Date):
                return Longs(Date64Type.Default, v, n, x => checked(x * 86_400_000L));
            default:
                throw Mismatch(target, $"it gives {v.Type.Describe()} values and the column holds {FilterBinder.Describe(target.DataType)}", null);
        }
    }

    private static double AsDouble(ColumnVector v, long x) => v.Type.IsUnsigned ? unchecked((ulong)x) : x;

    private double ParseFloat(Field target, ReadOnlySpan<byte> utf8)
    {
        var text = System.Text.Encoding.UTF8.GetString(utf8);
        var unsigned = text.StartsWith('-') || text.StartsWith('+') ? text[1..] : text;
        var negative = text.StartsWith('-');
        if (unsigned.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            // Rust's NaN has the sign bit clear (.NET's double.NaN has it set): the total order tells them apart.
            var nan = BitConverter.Int64BitsToDouble(0x7FF8000000000000);
            return negative ? -nan : nan;
        }

        if (unsigned.Equals("inf", StringComparison.OrdinalIgnoreCase) || unsigned.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            return negative ? double.NegativeInfinity : double.PositiveInfinity;
        }

        return double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Mismatch(target, $"the string '{text}' is not a number", null);
    }

    // Strings into a dictionary column: the values' distinct strings become its dictionary, each row a key into it.
    private IArrowArray Dictionary(IArrowArray values, DictionaryType type, Field target)
    {
        var data = values.Data;
        var items = new Dictionary<string, int>(StringComparer.Ordinal);
        var kept = new List<int>();
        var keys = new Int32Array.Builder();
        for (var i = 0; i < data.Length; i++)
        {
            if (values.IsNull(i))
            {
                keys.AppendNull();
                continue;
            }

            var content = Arrow.DictionaryArrays.ContentKey(Arrow.DictionaryArrays.ValueBytes(data, i));
            if (!items.TryGetValue(content, out var key))
            {
                key = kept.Count;
                items.Add(content, key);
                kept.Add(i);
            }

            keys.Append(key);
        }

        if (kept.Count - 1 > Arrow.DictionaryArrays.MaxKey(type.IndexType))
        {
            throw Mismatch(target, $"it gives {kept.Count} distinct values, more than the column's {type.IndexType.Name} keys index", null);
        }

        return Arrow.DictionaryArrays.Create(type, keys.Build(), Take(values, kept), target.Name);
    }

    // The rows of a string or binary array at the given positions, as an array of the same type.
    private static IArrowArray Take(IArrowArray values, List<int> rows)
    {
        switch (values)
        {
            case StringArray strings:
                var s = new StringArray.Builder();
                foreach (var row in rows) s.Append(strings.GetString(row));
                return s.Build();
            case LargeStringArray large:
                var l = new LargeStringArray.Builder();
                foreach (var row in rows) l.Append(large.GetString(row));
                return l.Build();
            default:
                var b = new BinaryArray.Builder();
                foreach (var row in rows) b.Append(Arrow.DictionaryArrays.ValueBytes(values.Data, row));
                return b.Build();
        }
    }

    // A timestamp literal without a zone stored in a column with a named zone is wall-clock time in
    // that zone, as LanceDB reads it (and as FilterBinder.InZoneOf does for comparisons).
    private long ZoneShift(long ticks, TimeUnit unit, string? zone)
    {
        if (_root is not BoundLiteral { Value: DateTime { Kind: DateTimeKind.Unspecified } wall } || zone is null or "" or "UTC" or "Etc/UTC" or "+00:00")
        {
            return ticks;
        }

        try
        {
            var utc = ZoneTime.ToUtc(wall, zone);
            return BoundCast.ToTicks(DateTime.SpecifyKind(utc, DateTimeKind.Utc), unit);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            throw new LanceSchemaException(string.Create(CultureInfo.InvariantCulture, $"The SQL value '{_text}' cannot be stored in a column in zone '{zone}' of '{_source}': {e.Message}"), e);
        }
    }

    // Numbers into a decimal column at its scale: a bare integer literal exactly from its text, a
    // literal with a fraction as the float64 LanceDB parses it to; a value needing more digits than the column's
    // scale or precision is refused rather than rounded.
    private IArrowArray Decimals(ColumnVector v, Field target, int n)
    {
        var (precision, scale, width) = target.DataType switch
        {
            Decimal128Type d => (d.Precision, d.Scale, 16),
            Decimal256Type d => (d.Precision, d.Scale, 32),
            _ => throw new InvalidOperationException(),
        };
        var literal = System.Text.RegularExpressions.Regex.Match(_text.Trim(), @"^([+-]?)(\d*)(?:\.(\d*))?$");
        BigInteger Exact(int i)
        {
            if (literal.Success && _root is BoundLiteral && literal.Groups[2].Length > 0 && !literal.Groups[3].Success)
            {
                if (BigInteger.Parse("0" + literal.Groups[2].Value, CultureInfo.InvariantCulture) > ulong.MaxValue)
                {
                    // DataFusion reads an integer beyond uint64 as a float64, so its digits past a double's precision are lost.
                    var rounded = Math.Round(double.Parse(literal.Groups[1].Value + literal.Groups[2].Value, CultureInfo.InvariantCulture) * Math.Pow(10, scale), MidpointRounding.AwayFromZero);
                    return double.IsFinite(rounded) ? new BigInteger(rounded) : throw Mismatch(target, "it is not a finite number", null);
                }

                var fraction = literal.Groups[3].Value.TrimEnd('0');
                if (fraction.Length > scale)
                {
                    throw Mismatch(target, $"it has more fraction digits than the column's scale {scale}", null);
                }

                var digits = BigInteger.Parse("0" + literal.Groups[2].Value + fraction.PadRight(scale, '0'), CultureInfo.InvariantCulture);
                return literal.Groups[1].Value == "-" ? -digits : digits;
            }

            var k = v.IsScalar ? 0 : i;
            switch (v.Kind)
            {
                case ValueKind.Integer:
                    var whole = v.Type.IsUnsigned ? (BigInteger)unchecked((ulong)v.Ints![k]) : v.Ints![k];
                    return whole * NumericTypes.Pow10(scale);
                case ValueKind.Float:
                    // As in LanceDB (DataFusion reads 1.5 as a float64): the float scaled and rounded
                    // half away from zero, so digits beyond a double's precision are not kept.
                    var scaled = Math.Round(v.Floats![k] * Math.Pow(10, scale), MidpointRounding.AwayFromZero);
                    if (!double.IsFinite(scaled))
                    {
                        throw Mismatch(target, "it is not a finite number", null);
                    }

                    return new BigInteger(scaled);
                case ValueKind.Decimal:
                    var from = v.Type.Scale;
                    var value = v.Decimals![k];
                    if (from > scale && !(value % NumericTypes.Pow10(from - scale)).IsZero)
                    {
                        throw Mismatch(target, $"it has more fraction digits than the column's scale {scale}", null);
                    }

                    return BoundCast.Rescale(value, from, scale);
                default:
                    throw Mismatch(target, $"it gives {v.Type.Describe()} values and the column holds {FilterBinder.Describe(target.DataType)}", null);
            }
        }

        var bytes = new byte[n * width];
        var validity = new ArrowBuffer.BitmapBuilder(n);
        var nulls = 0;
        for (var i = 0; i < n; i++)
        {
            if (!v.IsValid(i))
            {
                validity.Append(false);
                nulls++;
                continue;
            }

            var unscaled = Exact(i);
            if (BigInteger.Abs(unscaled) >= NumericTypes.Pow10(precision))
            {
                throw Mismatch(target, $"{BoundCast.DecimalText(unscaled, scale)} does not fit its precision {precision}", null);
            }

            var slot = bytes.AsSpan(i * width, width);
            if (unscaled.Sign < 0)
            {
                slot.Fill(0xFF);
            }

            unscaled.TryWriteBytes(slot, out _, isUnsigned: false, isBigEndian: false);
            validity.Append(true);
        }

        var data = new ArrayData(target.DataType, n, nulls, 0, [nulls == 0 ? ArrowBuffer.Empty : validity.Build(), new ArrowBuffer(bytes)]);
        return ArrowArrayFactory.BuildArray(data);
    }

    // 64-bit values (timestamps, date64) built directly from the converted ticks.
    private static IArrowArray Longs(IArrowType type, ColumnVector v, int n, Func<long, long> convert)
    {
        var values = new long[n];
        var validity = new ArrowBuffer.BitmapBuilder(n);
        var nulls = 0;
        for (var i = 0; i < n; i++)
        {
            var ok = v.IsValid(i);
            validity.Append(ok);
            if (ok) values[i] = convert(v.Ints![v.IsScalar ? 0 : i]); else nulls++;
        }

        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        return ArrowArrayFactory.BuildArray(new ArrayData(type, n, nulls, 0, [nulls == 0 ? ArrowBuffer.Empty : validity.Build(), new ArrowBuffer(bytes)]));
    }

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
