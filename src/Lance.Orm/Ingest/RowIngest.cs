using System.Runtime.CompilerServices;
using Apache.Arrow;

namespace Lance.Orm.Ingest;

/// <summary>
/// The typed insert path before the engine: rows are cut into batches (<see cref="RowBatcher{T}"/>),
/// each batch is converted by the generated writer, its bad vectors handled and its missing vectors
/// embedded straight into its Arrow buffer (<see cref="EmbeddingApplier"/>), and it is handed on as
/// soon as it is ready. Nothing holds more than one batch; the engine's writer decides when files are cut.
/// </summary>
/// <typeparam name="T">The model.</typeparam>
internal static class RowIngest<T>
    where T : ILanceModel<T>
{
    /// <summary>The prepared batches of <paramref name="rows"/>, made one at a time as the writer asks.</summary>
    public static async IAsyncEnumerable<RecordBatch> PrepareAsync(
        IAsyncEnumerable<T> rows, Schema tableSchema, IReadOnlyList<BoundEmbedding> embeddings, EmbeddingRun run, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var batcher = new RowBatcher<T>(run.Options.BatchRows, run.Options.BatchBytes, run.TableName);
        await foreach (var (chunk, first) in batcher.ReadAsync(rows, cancellationToken).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = Table<T>.ToRecordBatch(chunk.Span, run, first);
            batcher.Observe(batch.Length, ArrowSize.Of(batch));
            batch = await EmbeddingApplier.PrepareAsync(batch, tableSchema, embeddings, run, owned: true, cancellationToken).ConfigureAwait(false);
            if (batch.Length > 0)
            {
                yield return batch;
            }
        }
    }

    /// <summary>Every prepared batch in a list, for operations that need their whole input at once (merge-insert).</summary>
    public static async Task<List<RecordBatch>> PrepareAllAsync(
        IAsyncEnumerable<T> rows, Schema tableSchema, IReadOnlyList<BoundEmbedding> embeddings, EmbeddingRun run, CancellationToken cancellationToken)
    {
        var batches = new List<RecordBatch>();
        await foreach (var batch in PrepareAsync(rows, tableSchema, embeddings, run, cancellationToken).ConfigureAwait(false))
        {
            batches.Add(batch);
        }

        return batches;
    }
}
