namespace Lance.Engine.Query.Filtering;

/// <summary>
/// <c>AND</c> / <c>OR</c> in three-valued logic (false AND null = false, true OR null = true). As in
/// DataFusion, the right side runs only on the rows the left side does not decide (not known false for
/// AND, not known true for OR), so an error it would raise elsewhere (a division by zero, a cast out of
/// range) is never raised.
/// </summary>
internal sealed class BoundLogical(bool isAnd, BoundNode left, BoundNode right, int position) : BoundNode(FilterType.Boolean, position)
{
    public override bool CannotFail => left.CannotFail && right.CannotFail;

    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var n = context.Length;
        var l = AsBool(left.Evaluate(context), n);
        var r = EvaluateRight(context, l, n);
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

    // The right side over the rows that need it; the other rows read as null (the left side decides them).
    private ColumnVector EvaluateRight(EvaluationContext context, ColumnVector l, int n)
    {
        var needed = new List<int>(n);
        for (var i = 0; i < n; i++)
        {
            if (!l.IsValid(i) || l.Bools![i] == isAnd)
            {
                needed.Add(i);
            }
        }

        // With no error to keep from the rows the left side decides, the right side runs over every row,
        // which is cheaper than gathering the undecided ones (the decided rows ignore its value).
        if (needed.Count == n || (needed.Count > 0 && right.CannotFail))
        {
            return AsBool(right.Evaluate(context), n);
        }

        var values = new bool[n];
        var valid = new bool[n];
        if (needed.Count > 0)
        {
            var rows = needed.ToArray();
            var part = AsBool(right.Evaluate(context.Subset(rows)), rows.Length);
            for (var k = 0; k < rows.Length; k++)
            {
                values[rows[k]] = part.Bools![k];
                valid[rows[k]] = part.IsValid(k);
            }
        }

        return ColumnVector.OfBools(values, valid);
    }

    public static ColumnVector AsBool(ColumnVector v, int n) => v.Kind == ValueKind.Null
        ? ColumnVector.OfBools(new bool[n], new bool[n])
        : Expand(v, n);
}
