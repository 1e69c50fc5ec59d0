namespace Lance.Engine.Query.Filtering;

/// <summary>
/// <c>list[i]</c> (DataFusion's <c>array_element</c>): the <c>i</c>-th item counted from 1, or from the end when
/// <c>i</c> is negative (<c>-1</c> the last); null for a null index, for <c>0</c> and past either end. As in DataFusion,
/// a list is taken as null by its length alone: a null row of a fixed-size list (a vector column) still has its
/// slot's items, and answers with them.
/// </summary>
internal sealed class BoundListElement(BoundNode list, BoundNode index, FilterType itemType, int position) : BoundNode(itemType, position)
{
    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var lists = list.Evaluate(context);
        var indexes = index.Evaluate(context);
        if (lists.Kind == ValueKind.Null || indexes.Kind == ValueKind.Null)
        {
            return Scalars.Null(Type);
        }

        var n = context.Length;
        var offsets = lists.ListOffsets!;
        var items = lists.Items;
        var take = new int[n];
        var valid = new bool[n];
        for (var row = 0; row < n; row++)
        {
            if (!indexes.IsValid(row))
            {
                continue;
            }

            var (start, length) = (offsets[row], offsets[row + 1] - offsets[row]);
            var i = indexes.Ints![indexes.IsScalar ? 0 : row];
            var at = i > 0 && i <= length ? start + (int)i - 1 : i < 0 && -i <= length ? start + length + (int)i : -1;
            if (at >= 0 && items.IsValid(at))
            {
                (take[row], valid[row]) = (at, true);
            }
        }

        return ArrowColumns.Take(items, take, valid);
    }
}
