using Lance.Engine.Index.FullText;

namespace Lance.Interop.Tests.FullText;

/// <summary>
/// A model of how LanceDB 0.31 (lance 8.0) decides that a row holds a phrase when the slop is 1 or more, written from its
/// answers, to name the rows where it contradicts its own documentation ("slop: the maximum number of intervening unmatched
/// positions allowed between words in the phrase", so a row holding the phrase exactly always qualifies).
/// </summary>
/// <remarks>
/// One cursor per query term starts at the term's first occurrence in the row. Neighbouring terms are checked in query order;
/// at the first pair out of order or too far apart, every cursor jumps to the furthest alignment the pairs checked so far
/// point at — and a pair that did line up points one past its own alignment. So when a later term also occurs before the
/// phrase (its cursor lags), the leading terms are moved past the occurrence that is there and the row is missed: phrase
/// "light search golden" with slop 1 misses "golden light search golden", which slop 0 finds. Our search keeps to the
/// documented meaning (<c>PhraseMatcher</c>), so it returns those rows too.
/// </remarks>
internal static class LanceDbSloppyPhrase
{
    /// <summary>Whether LanceDB's walk finds the phrase, given each query term's sorted positions in the row and its place in the query.</summary>
    public static bool Finds(IReadOnlyList<uint[]> positions, IReadOnlyList<int> places, int slop)
    {
        var cursor = new int[positions.Count];
        while (true)
        {
            var target = long.MinValue;
            var aligned = true;
            for (var t = 1; t < positions.Count; t++)
            {
                if (cursor[t - 1] >= positions[t - 1].Length || cursor[t] >= positions[t].Length)
                {
                    return false;
                }

                long last = positions[t - 1][cursor[t - 1]] - places[t - 1];
                long next = positions[t][cursor[t]] - places[t];
                target = Math.Max(target, last > next ? last : Math.Max(last + 1, next - slop));
                if (next < last || next > last + slop)
                {
                    aligned = false;
                    break;
                }
            }

            if (aligned)
            {
                return true;
            }

            for (var t = 0; t < positions.Count; t++)
            {
                while (cursor[t] < positions[t].Length && positions[t][cursor[t]] - places[t] < target)
                {
                    cursor[t]++;
                }
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="text"/> holds <paramref name="query"/> as documented (our matcher) but LanceDB's walk misses it,
    /// tokenized as an index with <paramref name="options"/> tokenizes.
    /// </summary>
    public static bool Misses(string? text, PhraseQuery query, FullTextIndexOptions options)
    {
        if (text is null || query.Slop == 0)
        {
            return false;
        }

        var analyzer = new TextAnalyzer(options);
        var terms = analyzer.Analyze(query.Text);
        var row = analyzer.Analyze(text);
        var positions = terms.Select(t => row.Where(r => r.Token == t.Token).Select(r => (uint)r.Position).ToArray()).ToList();
        var places = terms.Select(t => t.Position).ToList();
        return positions.Count > 0 && positions.All(p => p.Length > 0)
            && PhraseMatcher.Matches(positions, places, query.Slop) && !Finds(positions, places, query.Slop);
    }
}
