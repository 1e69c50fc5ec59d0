using Lance.Engine;

namespace Lance.Orm;

/// <summary>Typed forms of the table operations.</summary>
public sealed partial class Table<T>
{
    /// <summary>A read-only typed view of the table at <paramref name="version"/> (time travel).</summary>
    /// <exception cref="LanceVersionNotFoundException">The table has no such version.</exception>
    public new async Task<Table<T>> CheckoutAsync(ulong version, CancellationToken cancellationToken = default)
        => new Table<T>(Database, Name, await Dataset.CheckoutAsync(version, cancellationToken).ConfigureAwait(false), EmbeddingFunctions, Embeddings);

    /// <summary>A read-only typed view of the table at the version <paramref name="tag"/> names.</summary>
    /// <exception cref="LanceVersionNotFoundException">The table has no such tag.</exception>
    public new async Task<Table<T>> CheckoutAsync(string tag, CancellationToken cancellationToken = default)
        => new Table<T>(Database, Name, await Dataset.CheckoutAsync(tag, cancellationToken).ConfigureAwait(false), EmbeddingFunctions, Embeddings);

    /// <summary>
    /// Upserts and more: merges <paramref name="rows"/> into the table by the key columns
    /// <paramref name="on"/> (column names, e.g. <c>["id"]</c>), computing missing vectors first. One new version.
    /// Without <paramref name="options"/>, an upsert (<see cref="MergeInsertOptions.Upsert"/>).
    /// </summary>
    /// <exception cref="LanceException">A key appears twice in the rows, or matches several table rows while updating.</exception>
    public async Task<MergeInsertResult> MergeInsertAsync(
        IEnumerable<T> rows, IReadOnlyList<string> on, MergeInsertOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        options ??= MergeInsertOptions.Upsert;
        // The engine matches keys over the whole source, so the prepared batches are collected
        // (each made as a streamed add makes it: converted and embedded batch by batch).
        var run = new EmbeddingRun(Name, Database.RetryPipeline, AddOptions.Default);
        var batches = await Ingest.RowIngest<T>.PrepareAllAsync(Ingest.RowBatcher<T>.FromEnumerable(rows, cancellationToken), Schema, Embeddings, run, cancellationToken).ConfigureAwait(false);
        if (batches.Count == 0)
        {
            batches.Add(T.ToRecordBatch(ReadOnlySpan<T>.Empty)); // the engine still checks the keys against the schema
        }

        return await LanceTelemetry.MergeAsync(this, () => Dataset.MergeInsertAsync(on, batches, options, cancellationToken)).ConfigureAwait(false);
    }
}
