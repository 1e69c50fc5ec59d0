namespace Lance.Engine.Index.FullText;

/// <summary>
/// Whether a row's term positions hold a phrase, as Lance decides it: each query term is taken at
/// its position less its position in the query (stop words leave gaps in both); consecutive terms must then be in order and at most <c>slop</c> apart,
/// and when they are not, every term moves on to the furthest position the check asked for.
/// </summary>
internal static class PhraseMatcher
{
    /// <summary>Whether the per-term sorted <paramref name="positions"/> (in query order, each term at its <paramref name="places"/> in the query) hold the phrase.</summary>
    public static bool Matches(IReadOnlyList<uint[]> positions, IReadOnlyList<int> places, int slop)
    {
        var at = new int[positions.Count];
        for (var i = 0; i < at.Length; i++)
        {
            at[i] = Seek(positions[i], places[i], 0);
        }

        while (true)
        {
            long? furthest = null;
            var aligned = true;
            for (var i = 0; i + 1 < at.Length; i++)
            {
                if (at[i] >= positions[i].Length || at[i + 1] >= positions[i + 1].Length)
                {
                    return false;
                }

                long last = positions[i][at[i]] - (long)places[i];
                long next = positions[i + 1][at[i + 1]] - (long)places[i + 1];
                var moveTo = last > next ? last : Math.Max(last + 1, next - slop);
                furthest = furthest is { } f ? Math.Max(f, moveTo) : moveTo;
                if (!(last <= next && next <= last + slop))
                {
                    aligned = false;
                    break;
                }
            }

            if (aligned)
            {
                return at.Length == 0 || at[0] < positions[0].Length;
            }

            for (var i = 0; i < at.Length; i++)
            {
                at[i] = Seek(positions[i], places[i], furthest!.Value);
            }
        }
    }

    // The first index whose position less the term's place in the query is at least `least`.
    private static int Seek(uint[] positions, int place, long least)
    {
        var target = least + place;
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
