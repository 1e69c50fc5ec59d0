using System.Runtime.CompilerServices;
using Apache.Arrow;

namespace Lance.Engine.Dataset;

/// <summary>Helpers for batch sequences and their sizes.</summary>
internal static class BatchStreams
{
    /// <summary>A synchronous sequence as an asynchronous one.</summary>
    public static async IAsyncEnumerable<RecordBatch> From(IEnumerable<RecordBatch> batches, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var batch in batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return batch;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>The bytes of Arrow buffers a batch holds (children included), as a size estimate.</summary>
    public static long SizeOf(RecordBatch batch)
    {
        long total = 0;
        for (var c = 0; c < batch.ColumnCount; c++)
        {
            total += SizeOf(batch.Column(c).Data);
        }

        return total;
    }

    private static long SizeOf(ArrayData data)
    {
        long total = 0;
        foreach (var buffer in data.Buffers)
        {
            total += buffer.Length;
        }

        foreach (var child in data.Children ?? [])
        {
            total += SizeOf(child);
        }

        if (data.Dictionary is { } dictionary)
        {
            total += SizeOf(dictionary);
        }

        return total;
    }
}
