using System.Numerics;

namespace Lance.Engine.Query.Filtering;

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
