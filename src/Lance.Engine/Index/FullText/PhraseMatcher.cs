namespace Lance.Engine.Index.FullText;

/// <summary>
/// Whether a row's term positions hold a phrase: each query term is taken at its position less its
/// position in the query (stop words leave gaps in both), and each term must then lie at or after
/// the previous one and at most <c>slop</c> after it, and the phrase cannot start before the document. Every combination of occurrences is tried, so
/// a repeated term or an earlier partial match never hides a later full one (LanceDB 0.31 finds
/// those too).
/// </summary>
internal static class PhraseMatcher
{
    /// <summary>Whether the per-term sorted <paramref name="positions"/> (in query order, each term at its <paramref name="places"/> in the query) hold the phrase.</summary>
    public static bool Matches(IReadOnlyList<uint[]> positions, IReadOnlyList<int> places, int slop)
    {
        if (positions.Count == 0)
        {
            return false;
        }

        foreach (var first in positions[0])
        {
            // A phrase cannot start before the document: with a leading stop word ("of tereightou"), a first term at
            // position 0 leaves no room for it (LanceDB 0.31 does not match it there).
            if (first < places[0])
            {
                continue;
            }

            if (Extend(positions, places, slop, 1, (long)first - places[0]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Extend(IReadOnlyList<uint[]> positions, IReadOnlyList<int> places, int slop, int term, long previous)
    {
        if (term == positions.Count)
        {
            return true;
        }

        var candidates = positions[term];
        var i = Seek(candidates, previous + places[term]);
        for (; i < candidates.Length; i++)
        {
            var relative = (long)candidates[i] - places[term];
            if (relative > previous + slop)
            {
                break;
            }

            if (Extend(positions, places, slop, term + 1, relative))
            {
                return true;
            }
        }

        return false;
    }

    // The first index whose position is at least `target`.
    private static int Seek(uint[] positions, long target)
    {
        var lo = 0;
        var hi = positions.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (positions[mid] < target)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
