using Apache.Arrow;
using Apache.Arrow.Compression;
using Apache.Arrow.Ipc;

namespace Lance.Engine.Format;

/// <summary>
/// Reads a fragment's deletion file: an Arrow IPC file with one <c>uint32</c> column of deleted row
/// offsets (within the fragment), plain or with a ZSTD/LZ4-compressed body as LanceDB writes it; or,
/// above 5,000 deleted rows, a portable Roaring bitmap (<c>.bin</c>).
/// </summary>
internal static class DeletionFileReader
{

    /// <summary>The most bytes one buffer of a deletion file may claim (2^26 deleted rows).</summary>
    private const int MaxBufferBytes = 256 << 20;

    /// <summary>How much a deletion file's buffers may expand over its size (sorted row ids compress well, not without bound).</summary>
    private const int MaxExpansion = 1024;

    /// <summary>The deleted row offsets, sorted ascending.</summary>
    /// <exception cref="LanceFormatException">The file is not a deletion file; the message names it.</exception>
    public static int[] Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.EndsWith(".bin", StringComparison.OrdinalIgnoreCase))
        {
            return RoaringBitmapReader.Read(File.ReadAllBytes(path), path);
        }

        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads a deletion file of the given type from memory; the deleted row offsets, sorted ascending.</summary>
    /// <exception cref="LanceFormatException">The bytes are not a deletion file; the message names <paramref name="name"/>.</exception>
    public static int[] Read(ReadOnlyMemory<byte> bytes, DeletionFileType type, string name)
    {
        if (type == DeletionFileType.Bitmap)
        {
            return RoaringBitmapReader.Read(bytes.Span, name);
        }

        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        return Read(stream, name);
    }

    /// <summary>Reads an Arrow IPC deletion file from a stream; the deleted row offsets, sorted ascending.</summary>
    /// <exception cref="LanceFormatException">The stream is not a deletion file this engine can read.</exception>
    public static int[] Read(Stream stream, string name = "(stream)")
    {
        ArgumentNullException.ThrowIfNull(stream);
        var rows = new List<int>();
        try
        {
            // A corrupt length must fail fast instead of allocating gigabytes.
            long limit = stream.CanSeek ? Math.Clamp(stream.Length * MaxExpansion, 1 << 20, MaxBufferBytes) : MaxBufferBytes;
            // A codec factory per file: no decompressor state is shared with a read that failed.
            using var reader = new ArrowFileReader(stream, new LimitedAllocator((int)limit, name), new CompressionCodecFactory(), leaveOpen: true);
            while (reader.ReadNextRecordBatch() is { } batch)
            {
                using (batch)
                {
                    if (batch.ColumnCount != 1 || batch.Column(0) is not UInt32Array ids)
                    {
                        throw new LanceFormatException($"'{name}' is not a deletion file: it should hold one uint32 column.");
                    }

                    foreach (uint? id in ids)
                    {
                        if (id is { } value)
                        {
                            rows.Add(value <= int.MaxValue
                                ? (int)value
                                : throw new LanceFormatException($"'{name}' deletes row {value}, beyond any fragment's size."));
                        }
                    }
                }
            }
        }
        catch (OutOfMemoryException e) when (stream.CanSeek && stream.Length < MaxBufferBytes)
        {
            // Arrow sized an array from a corrupt length ("array dimensions exceeded"): a small file
            // cannot legitimately need more memory than the limit above.
            throw new LanceFormatException($"'{name}' is corrupt: a length in it asks for more memory than it can hold ({e.Message})", e);
        }
        catch (Exception e) when (e is not LanceFormatException and not OutOfMemoryException)
        {
            // Arrow reports malformed input with assorted exception types, System.Exception included.
            throw new LanceFormatException($"'{name}' cannot be read as an Arrow IPC deletion file: {e.Message}", e);
        }

        rows.Sort();
        return rows.ToArray();
    }
}

/// <summary>An Arrow allocator that refuses buffers above a limit with a <see cref="LanceFormatException"/>.</summary>
internal sealed class LimitedAllocator(int limit, string name) : Apache.Arrow.Memory.MemoryAllocator
{
    /// <inheritdoc/>
    protected override System.Buffers.IMemoryOwner<byte> AllocateInternal(int length, out int bytesAllocated)
    {
        if (length < 0 || length > limit)
        {
            throw new LanceFormatException($"'{name}' is corrupt: it asks for a buffer of {length} bytes, more than the {limit} allowed.");
        }

        bytesAllocated = length;
        return new Owner(new byte[length]);
    }

    private sealed class Owner(byte[] bytes) : System.Buffers.IMemoryOwner<byte>
    {
        public Memory<byte> Memory => bytes;

        public void Dispose()
        {
        }
    }
}
