using System.Numerics;

namespace Lance.Engine.Query.Filtering;

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
                    if (double.IsNaN(value) && op != BinaryOperator.Modulo)
                    {
                        value = NumericTypes.PropagatedNaN(a, b, op is BinaryOperator.Add or BinaryOperator.Multiply && !(r.IsScalar && !l.IsScalar));
                    }

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
