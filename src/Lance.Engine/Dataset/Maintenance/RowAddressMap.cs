using Lance.Engine.Format;

namespace Lance.Engine.Dataset;

/// <summary>
/// Where a compaction moves each row: the address (fragment id &lt;&lt; 32 | offset) a live row of a rewritten
/// fragment gets in the fragments written in its place, none for a deleted row, and the same address for a row of
/// a fragment the compaction leaves alone. The new fragments' ids are fixed before the commit (the first is
/// <see cref="FirstNewFragmentId"/>), so the indexes remapped with it can be written before the version is.
/// </summary>
internal sealed class RowAddressMap
{
    private const ulong Deleted = ulong.MaxValue;
    private readonly Dictionary<ulong, ulong[]> _moved = [];
    private readonly List<(IReadOnlyList<ulong> Old, List<ulong> New)> _groups = [];
    private ulong _nextFragmentId;

    /// <summary>A map whose first new fragment is numbered <paramref name="firstNewFragmentId"/>.</summary>
    public RowAddressMap(ulong firstNewFragmentId)
    {
        FirstNewFragmentId = firstNewFragmentId;
        _nextFragmentId = firstNewFragmentId;
    }

    /// <summary>The id the first new fragment gets.</summary>
    public ulong FirstNewFragmentId { get; }

    /// <summary>Whether the compaction rewrites fragment <paramref name="fragmentId"/>.</summary>
    public bool Replaces(ulong fragmentId) => _moved.ContainsKey(fragmentId);

    /// <summary>
    /// Records one rewrite group: the live rows of <paramref name="oldFragments"/> (in order, each fragment's live rows
    /// ascending) went, in that order, into new fragments of <paramref name="newRows"/> rows each.
    /// </summary>
    public void AddGroup(IReadOnlyList<DataFragment> oldFragments, Func<DataFragment, IReadOnlySet<int>> deletedRows, IReadOnlyList<ulong> newRows)
    {
        var newIds = new List<ulong>();
        var fragment = 0;
        var offset = 0UL;
        foreach (var old in oldFragments)
        {
            var deleted = deletedRows(old);
            var targets = new ulong[old.PhysicalRows];
            for (var row = 0; row < targets.Length; row++)
            {
                if (deleted.Contains(row))
                {
                    targets[row] = Deleted;
                    continue;
                }

                while (offset >= newRows[fragment])
                {
                    fragment++;
                    offset = 0;
                }

                targets[row] = ((_nextFragmentId + (ulong)fragment) << 32) | offset;
                offset++;
            }

            _moved[old.Id] = targets;
        }

        for (var i = 0; i < newRows.Count; i++)
        {
            newIds.Add(_nextFragmentId + (ulong)i);
        }

        _nextFragmentId += (ulong)newRows.Count;
        _groups.Add((oldFragments.Select(f => f.Id).ToList(), newIds));
    }

    /// <summary>The address the row at <paramref name="address"/> has after the compaction; null when it was deleted.</summary>
    public ulong? Map(ulong address)
    {
        if (!_moved.TryGetValue(address >> 32, out var targets))
        {
            return address;
        }

        var row = address & uint.MaxValue;
        return row < (ulong)targets.Length && targets[row] != Deleted ? targets[row] : null;
    }

    /// <summary>
    /// An index's fragment bitmap after the compaction, as Lance recalculates it: each group whose old fragments the
    /// index covered is replaced by the group's new fragments. Null when a group is covered only in part (the plan
    /// keeps groups within one index coverage, so that means the index changed meanwhile).
    /// </summary>
    public List<ulong>? Fragments(IEnumerable<ulong> covered)
    {
        var result = covered.ToHashSet();
        foreach (var (old, created) in _groups)
        {
            var inIndex = old.Count(result.Contains);
            if (inIndex == 0)
            {
                continue;
            }

            if (inIndex != old.Count)
            {
                return null;
            }

            result.ExceptWith(old);
            result.UnionWith(created);
        }

        return result.Order().ToList();
    }
}
