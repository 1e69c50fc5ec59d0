namespace Lance.Engine.Dataset;

/// <summary>
/// For a dataset with stable row ids: what the first rows written by a transaction were before it
/// (an update's changed rows, a compaction's moved rows), so they keep their row ids. Row
/// <c>i</c> of the transaction's new rows (its new fragments' rows, in order) has
/// <c>RowIds[i]</c>; rows past the end are new and take fresh ids.
/// </summary>
/// <param name="RowIds">The ids the first rows keep.</param>
/// <param name="CreatedAt">The version that created each of those rows.</param>
/// <param name="LastUpdatedAt">The version that last changed each of them; null when this transaction changes them (its own version).</param>
internal sealed record RowLineage(ulong[] RowIds, ulong[] CreatedAt, ulong[]? LastUpdatedAt);
