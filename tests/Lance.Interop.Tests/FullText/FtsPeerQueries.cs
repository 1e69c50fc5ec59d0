using Lance.Engine.Index.FullText;

namespace Lance.Interop.Tests.FullText;

/// <summary>Our full-text queries written as fts.mjs expects them.</summary>
public static class FtsPeerQueries
{
    /// <summary>The JSON shape of <paramref name="query"/> for fts.mjs.</summary>
    public static object ToPeer(FullTextQuery query) => query switch
    {
        MatchQuery m => new
        {
            type = "match", text = m.Text, column = m.Column ?? "text", @operator = m.Operator == FullTextOperator.And ? "AND" : "OR",
            fuzziness = m.Fuzziness, prefixLength = m.PrefixLength, maxExpansions = m.MaxExpansions, boost = m.Boost,
        },
        PhraseQuery p => new { type = "phrase", text = p.Text, column = p.Column ?? "text", slop = p.Slop },
        MultiMatchQuery mm => new { type = "multi", text = mm.Text, columns = mm.Columns, boosts = mm.Boosts, @operator = mm.Operator == FullTextOperator.And ? "AND" : "OR" },
        BooleanQuery b => new
        {
            type = "boolean",
            clauses = b.Clauses.Select(c => new object[] { c.Occur switch { Occur.Must => "must", Occur.MustNot => "must_not", _ => "should" }, ToPeer(c.Query) }).ToList(),
        },
        BoostQuery bq => new { type = "boost", positive = ToPeer(bq.Positive), negative = ToPeer(bq.Negative), negativeBoost = bq.NegativeBoost },
        _ => throw new ArgumentException(query.GetType().Name),
    };

    /// <summary>One entry of fts.mjs's <c>queries</c>.</summary>
    public static object Entry(FullTextSearchRequest request)
        => new { query = ToPeer(request.Query), filter = request.Filter, limit = request.Limit, offset = request.Offset == 0 ? (int?)null : request.Offset };
}
