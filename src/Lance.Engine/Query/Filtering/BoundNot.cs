namespace Lance.Engine.Query.Filtering;

/// <summary><c>NOT x</c> in three-valued logic.</summary>
internal sealed class BoundNot(BoundNode operand, int position) : BoundNode(FilterType.Boolean, position)
{
    public BoundNode Operand => operand;

    public override bool CannotFail => operand.CannotFail;

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
