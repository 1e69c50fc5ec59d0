using System.Runtime.CompilerServices;
using Apache.Arrow;

namespace Lance.Orm;

/// <summary>Counts the rows of the batches that pass through it, for the rows-written metric (made only when someone listens).</summary>
internal sealed class RowTally
{
    private long _rows;

    public long Rows => Interlocked.Read(ref _rows);

    public async IAsyncEnumerable<RecordBatch> Count(IAsyncEnumerable<RecordBatch> batches, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var batch in batches.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            Interlocked.Add(ref _rows, batch.Length);
            yield return batch;
        }
    }
}
