namespace Lance.Engine.Dataset;

/// <summary>
/// Collects, in the order they are written again, the ids and versions of rows an operation moves
/// (an update's or merge's changed rows, a compaction's live rows), for <see cref="RowLineage"/>.
/// </summary>
internal sealed class LineageBuilder
{
    private readonly List<ulong> _ids = [];
    private readonly List<ulong> _created = [];
    private readonly List<ulong> _updated = [];
    private bool _keepsLastUpdated = true;

    /// <summary>
    /// Adds rows <paramref name="rows"/> of <paramref name="fragment"/>; <paramref name="keepLastUpdated"/>
    /// when the rows are moved unchanged (compaction), false when they are changed (their last
    /// update becomes the new version).
    /// </summary>
    public void Add(FragmentRowIds rowIds, Format.DataFragment fragment, IReadOnlyList<int> rows, bool keepLastUpdated)
    {
        ArgumentNullException.ThrowIfNull(rowIds);
        ArgumentNullException.ThrowIfNull(rows);
        var ids = rowIds.Of(fragment);
        var created = rowIds.CreatedAt(fragment);
        var updated = keepLastUpdated ? rowIds.LastUpdatedAt(fragment) : null;
        _keepsLastUpdated &= keepLastUpdated;
        foreach (var row in rows)
        {
            _ids.Add(ids[row]);
            _created.Add(created[row]);
            _updated.Add(updated?[row] ?? 0);
        }
    }

    /// <summary>The lineage of the rows added so far.</summary>
    public RowLineage Build() => new([.. _ids], [.. _created], _keepsLastUpdated ? [.. _updated] : null);
}
