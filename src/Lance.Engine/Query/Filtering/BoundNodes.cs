using System.Numerics;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Query.Filtering;

/// <summary>What one evaluation of a bound filter sees: the batch, and the columns already read from it.</summary>
internal sealed class EvaluationContext(RecordBatch batch, Func<string, int, LanceFilterException> error)
{
    public RecordBatch Batch { get; } = batch;

    public int Length => Batch.Length;

    public Dictionary<string, ColumnVector> Columns { get; } = new(StringComparer.Ordinal);

    /// <summary>An error raised while evaluating (division by zero, a failed cast), at a node's position.</summary>
    public LanceFilterException Error(string message, int position) => error(message, position);
}

/// <summary>A node of a filter that has been checked against a schema: it knows its type and evaluates a whole batch at once.</summary>
internal abstract class BoundNode(FilterType type, int position)
{
    public FilterType Type { get; } = type;

    public int Position { get; } = position;

    public abstract ColumnVector Evaluate(EvaluationContext context);

    /// <summary>The same vector with one value per row (scalars broadcast).</summary>
    public static ColumnVector Expand(ColumnVector v, int length)
    {
        if (!v.IsScalar)
        {
            return v;
        }

        bool[]? valid = v.Valid is null ? null : Fill(v.Valid[0], length);
        return v.Kind switch
        {
            ValueKind.Boolean => ColumnVector.OfBools(Fill(v.Bools![0], length), valid),
            ValueKind.Integer or ValueKind.Date or ValueKind.Timestamp or ValueKind.Time => ColumnVector.OfInts(v.Type, Fill(v.Ints![0], length), valid),
            ValueKind.Float => ColumnVector.OfFloats(v.Type, Fill(v.Floats![0], length), valid),
            ValueKind.Decimal => ColumnVector.OfDecimals(v.Type, Fill(v.Decimals![0], length), valid),
            ValueKind.String or ValueKind.Binary => ColumnVector.OfBytes(v.Type, Repeat(v.Bytes!, length), valid),
            _ => ColumnVector.Nulls(v.Type, length),
        };
    }

    private static Utf8Values Repeat(Utf8Values single, int length)
    {
        var value = single[0];
        var builder = new Utf8Values.Builder(length, value.Length * length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(value);
        }

        return builder.Build();
    }

    public static T[] Fill<T>(T value, int length)
    {
        var result = new T[length];
        System.Array.Fill(result, value);
        return result;
    }

    /// <summary>The validity of a result computed from two inputs: valid where both are.</summary>
    public static bool[]? BothValid(ColumnVector a, ColumnVector b, int length)
    {
        if (a.Valid is null && b.Valid is null)
        {
            return null;
        }

        var result = new bool[length];
        for (var i = 0; i < length; i++)
        {
            result[i] = a.IsValid(i) & b.IsValid(i);
        }

        return result;
    }
}

/// <summary>A column or a struct field, read once per batch.</summary>
internal sealed class BoundColumn(FilterType type, int position, IReadOnlyList<string> path) : BoundNode(type, position)
{
    public IReadOnlyList<string> Path { get; } = path;

    /// <summary>The column's Arrow type, for converting literals compared with it.</summary>
    public Apache.Arrow.Types.IArrowType? ArrowType { get; init; }

    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var key = string.Join('\u0001', Path);
        if (context.Columns.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var index = context.Batch.Schema.GetFieldIndex(Path[0]);
        if (index < 0)
        {
            throw new ArgumentException($"The batch has no column '{Path[0]}' that the filter reads.", nameof(context));
        }

        // A struct field is read as the child array holds it, not masked by the struct's own nulls:
        // that is what LanceDB does (a non-nullable field of a null struct keeps its stored value).
        IArrowArray array = context.Batch.Column(index);
        for (var depth = 1; depth < Path.Count; depth++)
        {
            var structArray = (StructArray)array;
            var fields = ((StructType)structArray.Data.DataType).Fields;
            var child = fields.ToList().FindIndex(f => f.Name == Path[depth]);
            array = structArray.Fields[child];
            if (array.Offset != structArray.Offset || array.Length != structArray.Length)
            {
                array = ArrowArrayFactory.Slice(array, structArray.Offset, structArray.Length);
            }
        }

        var vector = ArrowColumns.Read(array, null);
        context.Columns[key] = vector;
        return vector;
    }
}

/// <summary>A constant, already converted to the type it is compared with.</summary>
internal sealed class BoundLiteral : BoundNode
{
    private readonly ColumnVector _value;

    public BoundLiteral(ColumnVector value, int position) : base(value.Type, position) => _value = value;

    public object? Value { get; init; }

    public bool IsNull => _value.Valid is { } v && !v[0];

    public ColumnVector Scalar => _value;

    public override ColumnVector Evaluate(EvaluationContext context) => _value;

    public static BoundLiteral Null(FilterType type, int position) => new(Scalars.Null(type), position);
}

/// <summary>One-row vectors.</summary>
internal static class Scalars
{
    public static ColumnVector Null(FilterType type) => type.Kind switch
    {
        ValueKind.Boolean => ColumnVector.OfBools([false], [false], true),
        ValueKind.Integer or ValueKind.Date or ValueKind.Timestamp or ValueKind.Time => ColumnVector.OfInts(type, [0], [false], true),
        ValueKind.Float => ColumnVector.OfFloats(type, [0], [false], true),
        ValueKind.Decimal => ColumnVector.OfDecimals(type, [BigInteger.Zero], [false], true),
        ValueKind.String or ValueKind.Binary => ColumnVector.OfBytes(type, Utf8Values.Single(""), [false], true),
        _ => ColumnVector.NullScalar,
    };

    public static ColumnVector Bool(bool value) => ColumnVector.OfBools([value], null, true);

    public static ColumnVector Int(FilterType type, long value) => ColumnVector.OfInts(type, [value], null, true);

    public static ColumnVector Float(double value) => ColumnVector.OfFloats([value], null, true);

    public static ColumnVector Float(FilterType type, double value) => ColumnVector.OfFloats(type, [value], null, true);

    public static ColumnVector Decimal(FilterType type, BigInteger value) => ColumnVector.OfDecimals(type, [value], null, true);

    public static ColumnVector Bytes(FilterType type, ReadOnlySpan<byte> value) => ColumnVector.OfBytes(type, Utf8Values.Single(value), null, true);
}

/// <summary><c>NOT x</c> in three-valued logic.</summary>
internal sealed class BoundNot(BoundNode operand, int position) : BoundNode(FilterType.Boolean, position)
{
    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var v = operand.Evaluate(context);
        if (v.Kind == ValueKind.Null)
        {
            return v;
        }

        var values = v.Bools!;
        var result = new bool[values.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = !values[i];
        }

        return ColumnVector.OfBools(result, v.Valid, v.IsScalar);
    }
}

/// <summary><c>AND</c> / <c>OR</c> in three-valued logic (false AND null = false, true OR null = true).</summary>
internal sealed class BoundLogical(bool isAnd, BoundNode left, BoundNode right, int position) : BoundNode(FilterType.Boolean, position)
{
    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var n = context.Length;
        var l = AsBool(left.Evaluate(context), n);
        var r = AsBool(right.Evaluate(context), n);
        var lv = l.Bools!;
        var rv = r.Bools!;
        var result = new bool[n];
        if (l.Valid is null && r.Valid is null)
        {
            for (var i = 0; i < n; i++)
            {
                result[i] = isAnd ? lv[i] & rv[i] : lv[i] | rv[i];
            }

            return ColumnVector.OfBools(result, null);
        }

        var valid = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var lk = l.IsValid(i);
            var rk = r.IsValid(i);
            if (isAnd)
            {
                // Known false on either side decides; otherwise both must be known.
                var lFalse = lk & !lv[i];
                var rFalse = rk & !rv[i];
                valid[i] = (lk & rk) | lFalse | rFalse;
                result[i] = lk & rk & lv[i] & rv[i];
            }
            else
            {
                var lTrue = lk & lv[i];
                var rTrue = rk & rv[i];
                valid[i] = (lk & rk) | lTrue | rTrue;
                result[i] = lTrue | rTrue;
            }
        }

        return ColumnVector.OfBools(result, valid);
    }

    public static ColumnVector AsBool(ColumnVector v, int n) => v.Kind == ValueKind.Null
        ? ColumnVector.OfBools(new bool[n], new bool[n])
        : Expand(v, n);
}

/// <summary><c>x IS [NOT] NULL</c>.</summary>
internal sealed class BoundIsNull(BoundNode operand, bool negated, int position) : BoundNode(FilterType.Boolean, position)
{
    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var v = operand.Evaluate(context);
        var n = context.Length;
        var result = new bool[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = v.IsValid(i) == negated;
        }

        return ColumnVector.OfBools(result, null);
    }
}

/// <summary><c>x IS [NOT] TRUE|FALSE</c>: null counts as neither.</summary>
internal sealed class BoundIsBoolean(BoundNode operand, bool value, bool negated, int position) : BoundNode(FilterType.Boolean, position)
{
    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var n = context.Length;
        var v = BoundLogical.AsBool(operand.Evaluate(context), n);
        var result = new bool[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = (v.IsValid(i) && v.Bools![i] == value) != negated;
        }

        return ColumnVector.OfBools(result, null);
    }
}

/// <summary>A comparison operator as a type, so each loop is compiled for one operator.</summary>
internal interface IComparison
{
    static abstract bool Test<T>(T a, T b)
        where T : IComparisonOperators<T, T, bool>;
}

internal readonly struct EqualOp : IComparison
{
    public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a == b;
}

internal readonly struct NotEqualOp : IComparison
{
    public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a != b;
}

internal readonly struct LessOp : IComparison
{
    public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a < b;
}

internal readonly struct LessOrEqualOp : IComparison
{
    public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a <= b;
}

internal readonly struct GreaterOp : IComparison
{
    public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a > b;
}

internal readonly struct GreaterOrEqualOp : IComparison
{
    public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a >= b;
}

/// <summary>A comparison of two values of the same type (the binder has made them so): integers by value (unsigned as unsigned), floats in IEEE total order, decimals exactly.</summary>
internal sealed class BoundCompare(BinaryOperator op, BoundNode left, BoundNode right, int position) : BoundNode(FilterType.Boolean, position)
{
    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var n = context.Length;
        var l = left.Evaluate(context);
        var r = right.Evaluate(context);
        if (l.Kind == ValueKind.Null || r.Kind == ValueKind.Null)
        {
            return ColumnVector.OfBools(new bool[n], new bool[n]);
        }

        var result = new bool[n];
        switch (l.Kind)
        {
            case ValueKind.Integer when l.Type.Number == NumberType.UInt64:
                Dispatch(UnsignedKeys(l.Ints!), l.IsScalar, UnsignedKeys(r.Ints!), r.IsScalar, result);
                break;
            case ValueKind.Integer or ValueKind.Date or ValueKind.Timestamp or ValueKind.Time:
                Dispatch(l.Ints!, l.IsScalar, r.Ints!, r.IsScalar, result);
                break;
            case ValueKind.Float:
                Dispatch(TotalOrderKeys(l.Floats!), l.IsScalar, TotalOrderKeys(r.Floats!), r.IsScalar, result);
                break;
            case ValueKind.Decimal:
                Dispatch(l.Decimals!, l.IsScalar, r.Decimals!, r.IsScalar, result);
                break;
            case ValueKind.Boolean:
                CompareBools(l, r, result);
                break;
            case ValueKind.String or ValueKind.Binary:
                CompareBytes(l, r, result);
                break;
            default:
                throw context.Error($"values of type {l.Type.Describe()} cannot be compared", Position);
        }

        return ColumnVector.OfBools(result, BothValid(l, r, n));
    }

    /// <summary>Keys whose signed order is the unsigned order of <c>uint64</c> bits.</summary>
    private static long[] UnsignedKeys(long[] values)
    {
        var keys = new long[values.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = values[i] ^ long.MinValue;
        }

        return keys;
    }

    private static long[] TotalOrderKeys(double[] values)
    {
        var keys = new long[values.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = NumericTypes.TotalOrderKey(values[i]);
        }

        return keys;
    }

    private void Dispatch<T>(T[] l, bool ls, T[] r, bool rs, bool[] result)
        where T : IComparisonOperators<T, T, bool>
    {
        switch (op)
        {
            case BinaryOperator.Equal: Loop<T, EqualOp>(l, ls, r, rs, result); break;
            case BinaryOperator.NotEqual: Loop<T, NotEqualOp>(l, ls, r, rs, result); break;
            case BinaryOperator.Less: Loop<T, LessOp>(l, ls, r, rs, result); break;
            case BinaryOperator.LessOrEqual: Loop<T, LessOrEqualOp>(l, ls, r, rs, result); break;
            case BinaryOperator.Greater: Loop<T, GreaterOp>(l, ls, r, rs, result); break;
            default: Loop<T, GreaterOrEqualOp>(l, ls, r, rs, result); break;
        }
    }

    private static void Loop<T, TOp>(T[] l, bool ls, T[] r, bool rs, bool[] result)
        where T : IComparisonOperators<T, T, bool>
        where TOp : struct, IComparison
    {
        var n = result.Length;
        if (rs)
        {
            var b = r[0];
            if (ls)
            {
                System.Array.Fill(result, TOp.Test(l[0], b));
                return;
            }

            var a = l.AsSpan(0, n);
            for (var i = 0; i < a.Length; i++)
            {
                result[i] = TOp.Test(a[i], b);
            }
        }
        else if (ls)
        {
            var a = l[0];
            var b = r.AsSpan(0, n);
            for (var i = 0; i < b.Length; i++)
            {
                result[i] = TOp.Test(a, b[i]);
            }
        }
        else
        {
            var a = l.AsSpan(0, n);
            var b = r.AsSpan(0, n);
            for (var i = 0; i < a.Length; i++)
            {
                result[i] = TOp.Test(a[i], b[i]);
            }
        }
    }

    private void CompareBools(ColumnVector l, ColumnVector r, bool[] result)
    {
        var n = result.Length;
        var lo = new int[l.IsScalar ? 1 : n];
        var ro = new int[r.IsScalar ? 1 : n];
        for (var i = 0; i < lo.Length; i++)
        {
            lo[i] = l.Bools![i] ? 1 : 0;
        }

        for (var i = 0; i < ro.Length; i++)
        {
            ro[i] = r.Bools![i] ? 1 : 0;
        }

        Dispatch<int>(lo, l.IsScalar, ro, r.IsScalar, result);
    }

    private void CompareBytes(ColumnVector l, ColumnVector r, bool[] result)
    {
        var n = result.Length;
        var order = new int[n];
        var ld = l.Bytes!.Data.Span;
        var lo = l.Bytes.Offsets;
        var rd = r.Bytes!.Data.Span;
        var ro = r.Bytes.Offsets;
        for (var i = 0; i < n; i++)
        {
            var li = l.IsScalar ? 0 : i;
            var ri = r.IsScalar ? 0 : i;
            order[i] = ld[lo[li]..lo[li + 1]].SequenceCompareTo(rd[ro[ri]..ro[ri + 1]]);
        }

        Dispatch<int>(order, false, [0], true, result);
    }
}

/// <summary>
/// <c>+ - * / %</c> as DataFusion evaluates them: integers in their (coerced) type, wrapping on
/// overflow for + − ×, failing on division by zero and on <c>MIN / -1</c>; floats rounded to their
/// width; decimals exactly, scaled as Arrow scales them.
/// </summary>
internal sealed class BoundArithmetic(BinaryOperator op, BoundNode left, BoundNode right, FilterType type, int position) : BoundNode(type, position)
{
    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var l = left.Evaluate(context);
        var r = right.Evaluate(context);
        if (l.Kind == ValueKind.Null || r.Kind == ValueKind.Null)
        {
            return Scalars.Null(Type);
        }

        var scalar = l.IsScalar && r.IsScalar;
        var n = scalar ? 1 : context.Length;
        var valid = scalar ? (l.IsValid(0) && r.IsValid(0) ? null : new[] { false }) : BothValid(l, r, n);
        bool IsValid(int i) => valid is null || valid[i];
        switch (Type.Kind)
        {
            case ValueKind.Float:
            {
                var result = new double[n];
                for (var i = 0; i < n; i++)
                {
                    var a = l.Floats![l.IsScalar ? 0 : i];
                    var b = r.Floats![r.IsScalar ? 0 : i];
                    var value = op switch
                    {
                        BinaryOperator.Add => a + b,
                        BinaryOperator.Subtract => a - b,
                        BinaryOperator.Multiply => a * b,
                        BinaryOperator.Divide => a / b,
                        _ => a % b,
                    };
                    result[i] = NumericTypes.Round(value, Type.Number);
                }

                return ColumnVector.OfFloats(Type, result, valid, scalar);
            }

            case ValueKind.Decimal:
            {
                var result = new BigInteger[n];
                var (s1, s2, s) = (l.Type.Scale, r.Type.Scale, Type.Scale);
                for (var i = 0; i < n; i++)
                {
                    if (!IsValid(i))
                    {
                        continue;
                    }

                    var a = l.Decimals![l.IsScalar ? 0 : i];
                    var b = r.Decimals![r.IsScalar ? 0 : i];
                    result[i] = op switch
                    {
                        BinaryOperator.Add => NumericTypes.WrapDecimal((a * NumericTypes.Pow10(s - s1)) + (b * NumericTypes.Pow10(s - s2)), Type.Number),
                        BinaryOperator.Subtract => NumericTypes.WrapDecimal((a * NumericTypes.Pow10(s - s1)) - (b * NumericTypes.Pow10(s - s2)), Type.Number),
                        BinaryOperator.Multiply => NumericTypes.WrapDecimal(a * b, Type.Number),
                        BinaryOperator.Divide => Checked(context, b.IsZero ? null : BigInteger.Divide(a * NumericTypes.Pow10(s - s1 + s2), b)),
                        _ => Checked(context, b.IsZero ? null : BigInteger.Remainder(a * NumericTypes.Pow10(s - s1), b * NumericTypes.Pow10(s - s2))),
                    };
                }

                return ColumnVector.OfDecimals(Type, result, valid, scalar);
            }

            default:
            {
                var result = new long[n];
                var number = Type.Number;
                var unsigned = number == NumberType.UInt64;
                var (min, _) = NumericTypes.Range(number);
                for (var i = 0; i < n; i++)
                {
                    var a = l.Ints![l.IsScalar ? 0 : i];
                    var b = r.Ints![r.IsScalar ? 0 : i];
                    switch (op)
                    {
                        case BinaryOperator.Add: result[i] = NumericTypes.Wrap(unchecked(a + b), number); break;
                        case BinaryOperator.Subtract: result[i] = NumericTypes.Wrap(unchecked(a - b), number); break;
                        case BinaryOperator.Multiply: result[i] = NumericTypes.Wrap(unchecked(a * b), number); break;
                        default:
                            if (!IsValid(i))
                            {
                                break;
                            }

                            if (b == 0)
                            {
                                throw context.Error("division by zero", Position);
                            }

                            if (unsigned)
                            {
                                result[i] = op == BinaryOperator.Divide ? (long)((ulong)a / (ulong)b) : (long)((ulong)a % (ulong)b);
                            }
                            else if (b == -1)
                            {
                                // MIN / -1 overflows (an error in DataFusion); MIN % -1 is 0.
                                if (op == BinaryOperator.Divide && a == min)
                                {
                                    throw context.Error($"arithmetic overflow: {a} / -1 does not fit {Type.Describe()}", Position);
                                }

                                result[i] = op == BinaryOperator.Divide ? -a : 0;
                            }
                            else
                            {
                                result[i] = op == BinaryOperator.Divide ? a / b : a % b;
                            }

                            break;
                    }
                }

                return ColumnVector.OfInts(Type, result, valid, scalar);
            }
        }
    }

    private BigInteger Checked(EvaluationContext context, BigInteger? value)
    {
        if (value is null)
        {
            throw context.Error("division by zero", Position);
        }

        if (!NumericTypes.FitsDecimal(value.Value, Type.Number))
        {
            throw context.Error($"arithmetic overflow: the result does not fit {Type.Describe()}", Position);
        }

        return value.Value;
    }
}

/// <summary>Unary minus: integers wrap in their type (<c>-(-128)</c> is -128 for int8), a float's sign flips (NaN's too).</summary>
internal sealed class BoundNegate(BoundNode operand, int position) : BoundNode(operand.Type, position)
{
    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var v = operand.Evaluate(context);
        switch (v.Kind)
        {
            case ValueKind.Float:
            {
                var result = new double[v.Floats!.Length];
                for (var i = 0; i < result.Length; i++)
                {
                    result[i] = -v.Floats[i];
                }

                return ColumnVector.OfFloats(v.Type, result, v.Valid, v.IsScalar);
            }

            case ValueKind.Decimal:
            {
                var result = new BigInteger[v.Decimals!.Length];
                for (var i = 0; i < result.Length; i++)
                {
                    result[i] = NumericTypes.WrapDecimal(-v.Decimals[i], v.Type.Number);
                }

                return ColumnVector.OfDecimals(v.Type, result, v.Valid, v.IsScalar);
            }

            case ValueKind.Null:
                return v;
        }

        var ints = new long[v.Ints!.Length];
        for (var i = 0; i < ints.Length; i++)
        {
            ints[i] = NumericTypes.Wrap(unchecked(-v.Ints[i]), v.Type.Number);
        }

        return ColumnVector.OfInts(v.Type, ints, v.Valid, v.IsScalar);
    }
}

/// <summary><c>x [NOT] IN (constants)</c>: a null in the list makes a non-match unknown; floats match by total order (-0.0 is not 0.0, NaN is NaN).</summary>
internal sealed class BoundInList(BoundNode operand, IReadOnlyList<BoundLiteral> values, bool negated, int position) : BoundNode(FilterType.Boolean, position)
{
    private readonly HashSet<long> _ints = [.. values.Where(v => !v.IsNull && v.Scalar.Ints is not null).Select(v => v.Scalar.Ints![0])];
    private readonly HashSet<long> _floats = [.. values.Where(v => !v.IsNull && v.Scalar.Floats is not null).Select(v => BitConverter.DoubleToInt64Bits(v.Scalar.Floats![0]))];
    private readonly HashSet<BigInteger> _decimals = [.. values.Where(v => !v.IsNull && v.Scalar.Decimals is not null).Select(v => v.Scalar.Decimals![0])];
    private readonly HashSet<bool> _bools = [.. values.Where(v => !v.IsNull && v.Scalar.Bools is not null).Select(v => v.Scalar.Bools![0])];
    private readonly byte[][] _bytes = [.. values.Where(v => !v.IsNull && v.Scalar.Bytes is not null).Select(v => v.Scalar.Bytes![0].ToArray())];
    private readonly bool _hasNull = values.Any(v => v.IsNull);

    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var n = context.Length;
        var v = operand.Evaluate(context);
        if (v.Kind == ValueKind.Null)
        {
            return ColumnVector.OfBools(new bool[n], new bool[n]);
        }

        v = Expand(v, n);
        var found = new bool[n];
        switch (v.Kind)
        {
            case ValueKind.Integer or ValueKind.Date or ValueKind.Timestamp or ValueKind.Time:
                for (var i = 0; i < n; i++)
                {
                    found[i] = _ints.Contains(v.Ints![i]);
                }

                break;
            case ValueKind.Float:
                for (var i = 0; i < n; i++)
                {
                    found[i] = _floats.Contains(BitConverter.DoubleToInt64Bits(v.Floats![i]));
                }

                break;
            case ValueKind.Decimal:
                for (var i = 0; i < n; i++)
                {
                    found[i] = _decimals.Contains(v.Decimals![i]);
                }

                break;
            case ValueKind.Boolean:
                for (var i = 0; i < n; i++)
                {
                    found[i] = _bools.Contains(v.Bools![i]);
                }

                break;
            default:
                for (var i = 0; i < n; i++)
                {
                    var value = v.Bytes![i];
                    foreach (var candidate in _bytes)
                    {
                        if (value.SequenceEqual(candidate))
                        {
                            found[i] = true;
                            break;
                        }
                    }
                }

                break;
        }

        var valid = new bool[n];
        var result = new bool[n];
        for (var i = 0; i < n; i++)
        {
            valid[i] = v.IsValid(i) && (found[i] || !_hasNull);
            result[i] = found[i] != negated;
        }

        return ColumnVector.OfBools(result, valid);
    }
}

/// <summary><c>x [NOT] LIKE pattern</c> (ILIKE lower-cases both sides first).</summary>
internal sealed class BoundLike(BoundNode operand, LikePattern pattern, bool negated, int position) : BoundNode(FilterType.Boolean, position)
{
    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var n = context.Length;
        var v = operand.Evaluate(context);
        if (v.Kind == ValueKind.Null)
        {
            return ColumnVector.OfBools(new bool[n], new bool[n]);
        }

        v = Expand(v, n);
        var result = new bool[n];
        var data = v.Bytes!.Data.Span;
        var offsets = v.Bytes.Offsets;
        for (var i = 0; i < n; i++)
        {
            result[i] = pattern.IsMatch(data[offsets[i]..offsets[i + 1]]) != negated;
        }

        return ColumnVector.OfBools(result, v.Valid);
    }
}
