using System.Numerics;

namespace Lance.Engine.Query.Filtering;

/// <summary>A comparison of two values of the same type (the binder has made them so): integers by value (unsigned as unsigned), floats in IEEE total order, decimals exactly.</summary>
internal sealed class BoundCompare(BinaryOperator op, BoundNode left, BoundNode right, int position) : BoundNode(FilterType.Boolean, position)
{
    public override bool CannotFail => left.CannotFail && right.CannotFail;

    /// <summary>The comparison (a scalar index answers a column compared with a constant by binary search).</summary>
    public BinaryOperator Operator => op;

    /// <summary>The left operand.</summary>
    public BoundNode Left => left;

    /// <summary>The right operand.</summary>
    public BoundNode Right => right;

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
