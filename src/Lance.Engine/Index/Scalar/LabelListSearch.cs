using Apache.Arrow;
using Lance.Engine.Query.Filtering;

namespace Lance.Engine.Index.Scalar;

/// <summary>
/// Answers <c>array_has_any</c> / <c>array_has_all</c> from a LABEL_LIST index (a bitmap per list item):
/// the rows whose list holds any (all) of the labels. Each label is found among the items by the filter
/// engine's own equality in the items' and the label's common type, as <c>array_has</c> compares them, so a label
/// matches exactly the items a scan would match (and one beyond the items' range, 2^32 among int32 items, none).
/// </summary>
internal static class LabelListSearch
{
    /// <summary>The addresses of rows whose list holds any (or, with <paramref name="all"/>, every one) of <paramref name="labels"/>, ascending.</summary>
    public static ulong[] Rows(ScalarIndexData index, IReadOnlyList<LiteralExpression> labels, bool all, string source)
    {
        var schema = new Schema([new Field(index.Column, index.Keys.Data.DataType, nullable: true)], null);
        HashSet<ulong>? result = null;
        foreach (var label in labels)
        {
            var (bound, _) = FilterBinder.Bind(new BinaryExpression(BinaryOperator.Equal, new ColumnExpression(index.Column), label), schema, source, null, resolving: false);
            var match = ScalarIndexSearch.Match(index, bound);
            var rows = new HashSet<ulong>();
            foreach (var (start, end) in match.True)
            {
                rows.UnionWith(index.Addresses.AsSpan(index.Offsets[start], index.Offsets[end] - index.Offsets[start]).ToArray());
            }

            if (result is null)
            {
                result = rows;
            }
            else if (all)
            {
                result.IntersectWith(rows);
            }
            else
            {
                result.UnionWith(rows);
            }
        }

        var sorted = (result ?? []).ToArray();
        System.Array.Sort(sorted);
        return sorted;
    }
}
