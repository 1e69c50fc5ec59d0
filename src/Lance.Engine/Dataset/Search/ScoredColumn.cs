using Apache.Arrow;
using Lance.Engine.Arrow;

namespace Lance.Engine.Dataset;

/// <summary>
/// The values of the searched column for the rows an exact search still held as candidates when it
/// finished each fragment (at most k + offset rows per fragment), so the results take the winners'
/// vectors from here instead of reading the column a second time.
/// </summary>
/// <param name="Column">The searched column's name.</param>
internal sealed record ScoredColumn(string Column)
{
    private readonly Dictionary<ulong, (Dictionary<int, int> Index, IArrowArray Values)> _byFragment = [];

    /// <summary>Keeps the values of the rows of <paramref name="candidates"/> (row addresses) that lie in fragment <paramref name="fragmentId"/>, from its <paramref name="pieces"/>.</summary>
    public void Keep(ulong fragmentId, IReadOnlyList<IArrowArray> pieces, long[] candidates)
    {
        var rows = candidates.Where(r => (ulong)r >> 32 == fragmentId).Select(r => (int)(r & 0xFFFFFFFF)).Order().ToArray();
        if (rows.Length == 0)
        {
            return;
        }

        var index = new Dictionary<int, int>(rows.Length);
        for (var i = 0; i < rows.Length; i++)
        {
            index[rows[i]] = i;
        }

        _byFragment[fragmentId] = (index, ArrowTake.Take(pieces, rows));
    }

    /// <summary>
    /// The rows of <paramref name="candidates"/> (row addresses) that lie in <paramref name="chunk"/>, the rows of fragment
    /// <paramref name="fragmentId"/> from <paramref name="firstRow"/> on, with their values copied out of it; null when none does.
    /// </summary>
    public static (int[] Rows, IArrowArray Values)? Take(ulong fragmentId, IArrowArray chunk, int firstRow, long[] candidates)
    {
        var rows = candidates.Where(r => (ulong)r >> 32 == fragmentId).Select(r => (int)(r & 0xFFFFFFFF)).Where(r => r >= firstRow && r < firstRow + chunk.Length).Order().ToArray();
        if (rows.Length == 0)
        {
            return null;
        }

        var local = new int[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            local[i] = rows[i] - firstRow;
        }

        return (rows, ArrowTake.Take(chunk, local));
    }

    /// <summary>Keeps the rows of fragment <paramref name="fragmentId"/> taken chunk by chunk (<see cref="Take"/>), each part's rows distinct from the others'.</summary>
    public void Keep(ulong fragmentId, List<(int[] Rows, IArrowArray Values)> parts)
    {
        if (parts.Count == 0)
        {
            return;
        }

        var index = new Dictionary<int, int>();
        foreach (var (rows, _) in parts)
        {
            foreach (var row in rows)
            {
                index[row] = index.Count;
            }
        }

        _byFragment[fragmentId] = (index, parts.Count == 1 ? parts[0].Values : ArrowConcat.Concatenate(parts.Select(p => p.Values).ToList()));
    }

    /// <summary>The kept values of <paramref name="rows"/> of fragment <paramref name="fragmentId"/> in that order, or null when any was not kept.</summary>
    public IArrowArray? TryTake(ulong fragmentId, int[] rows)
    {
        if (!_byFragment.TryGetValue(fragmentId, out var kept))
        {
            return null;
        }

        var positions = new int[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            if (!kept.Index.TryGetValue(rows[i], out positions[i]))
            {
                return null;
            }
        }

        return ArrowTake.Take(kept.Values, positions);
    }
}
