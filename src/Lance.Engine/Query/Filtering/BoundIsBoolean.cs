namespace Lance.Engine.Query.Filtering;

/// <summary><c>x IS [NOT] TRUE|FALSE</c>: null counts as neither.</summary>
internal sealed class BoundIsBoolean(BoundNode operand, bool value, bool negated, int position) : BoundNode(FilterType.Boolean, position)
{
    public override bool CannotFail => operand.CannotFail;

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
