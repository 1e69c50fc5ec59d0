namespace Lance.Engine.Query.Filtering;

/// <summary><c>x [NOT] LIKE pattern</c> (ILIKE lower-cases both sides first).</summary>
internal sealed class BoundLike(BoundNode operand, LikePattern pattern, bool negated, int position) : BoundNode(FilterType.Boolean, position)
{
    public override bool CannotFail => operand.CannotFail;

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
