using Apache.Arrow;
using Lance.Engine;

namespace Lance.Orm;

/// <summary>Versions, maintenance and schema changes of a table (LanceDB's table API).</summary>
public partial class Table
{
    /// <summary>Whether this table object is a read-only view of an older version (from <see cref="CheckoutAsync(ulong, CancellationToken)"/>).</summary>
    public bool IsReadOnly => Dataset.IsReadOnly;

    /// <summary>Every version of the table still on disk, oldest first.</summary>
    public Task<IReadOnlyList<DatasetVersion>> ListVersionsAsync(CancellationToken cancellationToken = default)
        => Dataset.ListVersionsAsync(cancellationToken);

    /// <summary>A read-only view of the table at <paramref name="version"/> (time travel).</summary>
    /// <exception cref="LanceVersionNotFoundException">The table has no such version.</exception>
    public async Task<Table> CheckoutAsync(ulong version, CancellationToken cancellationToken = default)
        => new Table(Database, Name, await Dataset.CheckoutAsync(version, cancellationToken).ConfigureAwait(false), EmbeddingFunctions, Embeddings);

    /// <summary>A read-only view of the table at the version <paramref name="tag"/> names.</summary>
    /// <exception cref="LanceVersionNotFoundException">The table has no such tag.</exception>
    public async Task<Table> CheckoutAsync(string tag, CancellationToken cancellationToken = default)
        => new Table(Database, Name, await Dataset.CheckoutAsync(tag, cancellationToken).ConfigureAwait(false), EmbeddingFunctions, Embeddings);

    /// <summary>Makes <paramref name="version"/>'s rows and schema the newest version again (as a new version).</summary>
    /// <exception cref="LanceVersionNotFoundException">The table has no such version.</exception>
    public Task RestoreAsync(ulong version, CancellationToken cancellationToken = default) => Dataset.RestoreAsync(version, cancellationToken);

    /// <summary>On a checked-out view: makes the viewed version the newest again; the object then follows the newest version.</summary>
    public Task RestoreAsync(CancellationToken cancellationToken = default) => Dataset.RestoreAsync(cancellationToken);

    /// <summary>Re-reads the newest version (another writer may have committed since).</summary>
    public Task RefreshAsync(CancellationToken cancellationToken = default) => Dataset.RefreshAsync(cancellationToken);

    /// <summary>The table's tags and the versions they name.</summary>
    public Task<IReadOnlyDictionary<string, ulong>> ListTagsAsync(CancellationToken cancellationToken = default) => Dataset.ListTagsAsync(cancellationToken);

    /// <summary>Names <paramref name="version"/> with <paramref name="tag"/>; tagged versions are never cleaned up.</summary>
    public Task CreateTagAsync(string tag, ulong version, CancellationToken cancellationToken = default) => Dataset.CreateTagAsync(tag, version, cancellationToken);

    /// <summary>Deletes a tag (the version stays).</summary>
    public Task DeleteTagAsync(string tag, CancellationToken cancellationToken = default) => Dataset.DeleteTagAsync(tag, cancellationToken);

    /// <summary>Merges small fragments and rewrites fragments with many deleted rows (one new version when there is work).</summary>
    public Task<CompactionResult> CompactAsync(CompactionOptions? options = null, CancellationToken cancellationToken = default)
        => Dataset.CompactAsync(options, cancellationToken);

    /// <summary>
    /// Deletes versions older than <paramref name="olderThan"/> (never the newest or a tagged one) and
    /// the files only they used; see <see cref="LanceDataset.CleanupOldVersionsAsync"/>.
    /// </summary>
    public Task<CleanupResult> CleanupOldVersionsAsync(TimeSpan olderThan, bool deleteUnverified = false, CancellationToken cancellationToken = default)
        => Dataset.CleanupOldVersionsAsync(olderThan, deleteUnverified, cancellationToken);

    /// <summary>Adds a column holding <paramref name="defaultValue"/> in every row (null costs no data).</summary>
    /// <exception cref="LanceSchemaException">The name is taken or the value does not fit the type.</exception>
    public Task AddColumnAsync(Field field, object? defaultValue = null, CancellationToken cancellationToken = default)
        => Dataset.AddColumnAsync(field, defaultValue, cancellationToken);

    /// <summary>Adds a column computed from the <paramref name="inputs"/> columns of each fragment.</summary>
    /// <exception cref="LanceSchemaException">The name is taken, an input does not exist, or the values do not fit.</exception>
    public Task AddColumnAsync(Field field, IReadOnlyList<string> inputs, Func<RecordBatch, IArrowArray> compute, CancellationToken cancellationToken = default)
        => Dataset.AddColumnAsync(field, inputs, compute, cancellationToken);

    /// <summary>Removes columns (no data is rewritten).</summary>
    /// <exception cref="LanceSchemaException">A column does not exist.</exception>
    public Task DropColumnsAsync(IReadOnlyList<string> columns, CancellationToken cancellationToken = default)
        => Dataset.DropColumnsAsync(columns, cancellationToken);

    /// <summary>Renames a column (no data is rewritten).</summary>
    /// <exception cref="LanceSchemaException">The column does not exist or the new name is taken.</exception>
    public Task RenameColumnAsync(string column, string newName, CancellationToken cancellationToken = default)
        => Dataset.RenameColumnAsync(column, newName, cancellationToken);

    /// <summary>
    /// Merges Arrow rows into the table by the key columns <paramref name="on"/> (LanceDB's
    /// <c>merge_insert</c>), computing missing vectors first. One new version.
    /// </summary>
    /// <exception cref="LanceException">A key appears twice in the rows, or matches several table rows while updating.</exception>
    public async Task<MergeInsertResult> MergeInsertAsync(
        IReadOnlyList<string> on, IEnumerable<RecordBatch> rows, MergeInsertOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var run = new EmbeddingRun(Name, Database.RetryPipeline, AddOptions.Default);
        var prepared = await EmbeddingApplier.ApplyAllAsync(rows, Schema, Embeddings, run, cancellationToken).ConfigureAwait(false);
        return await LanceTelemetry.MergeAsync(this, () => Dataset.MergeInsertAsync(on, prepared, options, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds columns computed by SQL expressions over the existing columns (LanceDB's
    /// <c>add_columns</c>), e.g. <c>{"double_id": "id * 2"}</c>; one new version.
    /// </summary>
    /// <exception cref="LanceFilterException">An expression does not parse or names an unknown column.</exception>
    public Task AddColumnsAsync(IReadOnlyDictionary<string, string> expressions, CancellationToken cancellationToken = default)
        => Dataset.AddColumnsAsync(expressions, cancellationToken);

    /// <summary>
    /// Sets columns of the rows matching the SQL <paramref name="filter"/> (all rows when null) to SQL
    /// expressions over the row (LanceDB's <c>values_sql</c>), e.g. <c>{"price": "price * 1.1"}</c>. Setting the source
    /// column of an embedding function recomputes the rows' vectors from the new values (unless the vector column is set too).
    /// </summary>
    /// <returns>The number of rows updated.</returns>
    public Task<long> UpdateWithSqlAsync(string? filter, IReadOnlyDictionary<string, string> valuesSql, CancellationToken cancellationToken = default)
    {
        var setters = Dataset.SqlSetters(valuesSql);
        return Dataset.UpdateAsync(filter is null ? null : new Lance.Engine.Query.FilterSql(filter), setters, ReembedUpdated(setters.Keys), cancellationToken);
    }
}
