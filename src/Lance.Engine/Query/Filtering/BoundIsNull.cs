namespace Lance.Engine.Query.Filtering;

/// <summary><c>x IS [NOT] NULL</c>.</summary>
internal sealed class BoundIsNull(BoundNode operand, bool negated, int position) : BoundNode(FilterType.Boolean, position)
{
    public override bool CannotFail => operand.CannotFail;

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
