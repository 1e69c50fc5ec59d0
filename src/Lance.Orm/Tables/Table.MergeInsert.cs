using Apache.Arrow;

namespace Lance.Orm;

/// <summary>Merge-insert on an untyped table in the same shape as the typed one: rows, keys, then options.</summary>
public partial class Table
{
    /// <summary>
    /// Merges Arrow <paramref name="rows"/> into the table by the key columns <paramref name="on"/>
    /// (e.g. <c>["id"]</c>; a model's names come from <see cref="Columns{T}"/>), computing missing vectors
    /// first; an upsert unless <paramref name="options"/> says otherwise. One new version.
    /// </summary>
    /// <exception cref="LanceException">A key appears twice in the rows, or matches several table rows while updating.</exception>
    public Task<MergeInsertResult> MergeInsertAsync(
        IEnumerable<RecordBatch> rows, IReadOnlyList<string> on, MergeInsertOptions? options = null, CancellationToken cancellationToken = default)
        => MergeInsertAsync(on, rows, options ?? MergeInsertOptions.Upsert, cancellationToken);
}
