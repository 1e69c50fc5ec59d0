using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.DataFiles;
using Lance.Engine.Storage;

namespace Lance.Engine.Dataset;

/// <summary>
/// Vector columns read straight from their flat pages (see <see cref="FlatColumnLayout"/>) into
/// buffers the engine owns: the whole column into native memory the column cache frees on eviction,
/// or ranges of rows into a reused buffer (<see cref="StreamedVectors"/>).
/// </summary>
internal static class FlatVectors
{
    /// <summary>The most bytes one array of <see cref="ReadNative"/> holds (a longer run is split).</summary>
    public const int MaxArrayBytes = 1 << 30;

    /// <summary>The bytes one thread reads at a time when a column is read in parallel.</summary>
    private const int ParallelReadPieceBytes = 8 << 20;

    /// <summary>An array of <paramref name="rows"/> rows of <paramref name="type"/> with no nulls whose values are <paramref name="values"/>.</summary>
    public static FixedSizeListArray ArrayOver(IArrowType type, ReadOnlyMemory<byte> values, int rows)
    {
        var list = (FixedSizeListType)type;
        var buffer = new ArrowBuffer(values);
        return new FixedSizeListArray(new ArrayData(type, rows, 0, 0, [ArrowBuffer.Empty], [new ArrayData(list.ValueDataType, rows * list.ListSize, 0, 0, [ArrowBuffer.Empty, buffer])]));
    }

    /// <summary>
    /// The whole column read into <see cref="NativeColumnMemory"/>, one array per run of pages (split at
    /// <see cref="MaxArrayBytes"/>), in row order; read in pieces on every core (from a remote store:
    /// the pieces' requests all in flight at once).
    /// </summary>
    public static IReadOnlyList<IArrowArray> ReadNative(DataFileReader reader, FlatColumnLayout layout, CancellationToken cancellationToken)
    {
        var rowsPerArray = Math.Max(1, MaxArrayBytes / layout.RowBytes);
        var arrays = new List<IArrowArray>();
        var pieces = new List<(long Position, NativeColumnMemory Memory, int At, int Bytes)>();
        try
        {
            foreach (var (position, rows) in layout.Runs)
            {
                for (long done = 0; done < rows; done += rowsPerArray)
                {
                    var count = (int)Math.Min(rowsPerArray, rows - done);
                    var bytes = count * layout.RowBytes;
                    var memory = new NativeColumnMemory(bytes);
                    HugePages.Advise(memory.Memory);
                    arrays.Add(ArrayOver(layout.Type, memory.Memory, count));
                    for (var at = 0; at < bytes; at += ParallelReadPieceBytes)
                    {
                        pieces.Add((position + (done * layout.RowBytes) + at, memory, at, Math.Min(ParallelReadPieceBytes, bytes - at)));
                    }
                }
            }

            if (reader.RemoteReads)
            {
                // Requests: all in flight at once, each written straight into its place, no thread blocked per piece.
                reader.ReadConcurrently(pieces.Select(p => (p.Position, p.Memory.Memory.Slice(p.At, p.Bytes))).ToList(), cancellationToken);
                return arrays;
            }

            ParallelLoops.For(0, pieces.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
            {
                var (position, memory, at, bytes) = pieces[i];
                HugePages.Populate(memory.Memory.Slice(at, bytes));
                reader.ReadInto(position, memory.GetSpan().Slice(at, bytes));
            });
            return arrays;
        }
        catch
        {
            foreach (var array in arrays)
            {
                NativeColumnMemory.Free(array.Data);
            }

            throw;
        }
    }
}
