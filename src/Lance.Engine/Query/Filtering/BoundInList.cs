using System.Numerics;

namespace Lance.Engine.Query.Filtering;

/// <summary>
/// <c>x [NOT] IN (constants)</c>: a null in the list makes a non-match unknown; floats match by total order (-0.0 is not
/// 0.0, NaN is NaN). <paramref name="operandKey"/> says which expression <c>x</c> is (its SQL and type), so that two
/// lists on the same one can be merged as LanceDB merges them (<see cref="InListMerging"/>); null when none can be.
/// </summary>
internal sealed class BoundInList(BoundNode operand, IReadOnlyList<BoundLiteral> values, bool negated, int position, string? operandKey = null, bool operandIsColumn = false)
    : BoundNode(FilterType.Boolean, position)
{
    public BoundNode Operand => operand;

    public IReadOnlyList<BoundLiteral> Values => values;

    public bool Negated => negated;

    public string? OperandKey => operandKey;

    public bool OperandIsColumn => operandIsColumn;

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
