using System.Buffers;
using Apache.Arrow;
using Lance.Engine.DataFiles;
using Lance.Engine.Storage;

namespace Lance.Engine.Dataset;

/// <summary>
/// A fragment's vector column read chunk by chunk straight from its data file's flat pages, for a
/// search whose column the cache does not hold and cannot take within its budget: each worker reads a
/// chunk into its one buffer (rented once, reused for every chunk it reads, returned at the end),
/// scores it while it is still in the CPU's cache, and moves on. Nothing of the column is kept, so
/// the search's memory is a buffer per core whatever the column's size.
/// </summary>
internal sealed class StreamedVectors(DataFileReader reader, FlatColumnLayout layout, int chunkBytes) : IDisposable
{
    private int _rented;
    private int _outstanding;

    /// <summary>The rows of the column.</summary>
    public long Rows => layout.Rows;

    /// <summary>How many chunk buffers this column's reads have rented (one per worker of each <see cref="ForEachChunk{TState}"/>, not one per chunk).</summary>
    public int BuffersRented => Volatile.Read(ref _rented);

    /// <summary>How many of them are not yet returned (none once <see cref="ForEachChunk{TState}"/> returns).</summary>
    public int BuffersOutstanding => Volatile.Read(ref _outstanding);

    /// <summary>How many chunks the column is read in.</summary>
    public int ChunkCount => Chunks().Count;

    /// <summary>
    /// Calls <paramref name="score"/> with every chunk of the column and the fragment row its first row
    /// is, in parallel; each worker has its own state from <paramref name="init"/>, handed to
    /// <paramref name="done"/> once it has no chunk left. A chunk's array is valid only during the call.
    /// </summary>
    public void ForEachChunk<TState>(Func<TState> init, Action<FixedSizeListArray, int, TState> score, Action<TState> done, CancellationToken cancellationToken)
    {
        var chunks = Chunks();
        var bufferBytes = ChunkRows * layout.RowBytes;
        ParallelLoops.For(
            0,
            chunks.Count,
            new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount },
            () =>
            {
                Interlocked.Increment(ref _rented);
                Interlocked.Increment(ref _outstanding);
                var buffer = ArrayPool<byte>.Shared.Rent(bufferBytes);

                // A buffer rented for the first time is fresh memory: fault it in at once (a reused one costs nothing here).
                HugePages.Prefault(buffer.AsMemory(0, bufferBytes));
                return (Buffer: buffer, State: init());
            },
            (i, _, local) =>
            {
                var (position, first, rows) = chunks[i];
                var bytes = rows * layout.RowBytes;
                reader.ReadInto(position, local.Buffer.AsSpan(0, bytes));
                score(FlatVectors.ArrayOver(layout.Type, local.Buffer.AsMemory(0, bytes), rows), first, local.State);
                return local;
            },
            local =>
            {
                try
                {
                    done(local.State);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(local.Buffer);
                    Interlocked.Decrement(ref _outstanding);
                }
            });
    }

    /// <inheritdoc/>
    public void Dispose() => reader.Dispose();

    private int ChunkRows => Math.Max(1, chunkBytes / layout.RowBytes);

    // Each chunk's first byte in the file, first row in the fragment and rows; a chunk never spans two runs.
    private List<(long Position, int FirstRow, int Rows)> Chunks()
    {
        var chunkRows = ChunkRows;
        var chunks = new List<(long Position, int FirstRow, int Rows)>();
        long firstRow = 0;
        foreach (var (position, rows) in layout.Runs)
        {
            for (long at = 0; at < rows; at += chunkRows)
            {
                chunks.Add((position + (at * layout.RowBytes), checked((int)(firstRow + at)), (int)Math.Min(chunkRows, rows - at)));
            }

            firstRow += rows;
        }

        return chunks;
    }
}
