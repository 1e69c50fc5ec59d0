using Apache.Arrow;
using Apache.Arrow.Compression;
using Apache.Arrow.Ipc;
using Lance.Engine.Storage;

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

    /// <summary>The deleted row offsets in the deletion file at <paramref name="path"/>, sorted ascending (read through a <see cref="LocalObjectStore"/> on its folder).</summary>
    /// <exception cref="LanceFormatException">The file is not a deletion file; the message names it.</exception>
    public static int[] Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        var store = new LocalObjectStore(System.IO.Path.GetDirectoryName(full)!);
        using var reader = store.OpenReadAsync(System.IO.Path.GetFileName(full)).AsTask().GetAwaiter().GetResult();
        return Read(reader, path);
    }

    /// <summary>The deleted row offsets in the deletion file at <paramref name="key"/> of <paramref name="store"/>, sorted ascending.</summary>
    /// <exception cref="LanceFormatException">The object is not a deletion file; the message names it.</exception>
    /// <exception cref="FileNotFoundException">The store has no object of that key.</exception>
    public static async ValueTask<int[]> ReadAsync(IObjectStore store, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(key);
        using var reader = await store.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
        var bytes = await ReadWholeAsync(reader, key, cancellationToken).ConfigureAwait(false);
        return Read(bytes, TypeOf(key), $"{store.Location.TrimEnd('/', System.IO.Path.DirectorySeparatorChar)}/{key}");
    }

    /// <summary>
    /// The deleted row offsets in the deletion file open in <paramref name="reader"/> (a Roaring
    /// bitmap when its key ends in <c>.bin</c>, else Arrow IPC), sorted ascending.
    /// </summary>
    /// <exception cref="LanceFormatException">The object is not a deletion file; the message names <paramref name="name"/>.</exception>
    public static int[] Read(IObjectReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        CheckLength(reader, name);
        var bytes = new byte[reader.Length];
        reader.Read(0, bytes);
        return Read(bytes, TypeOf(reader.Key), name);
    }

    private static async ValueTask<byte[]> ReadWholeAsync(IObjectReader reader, string name, CancellationToken cancellationToken)
    {
        CheckLength(reader, name);
        var bytes = new byte[reader.Length];
        await reader.ReadAsync(0, bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    // Deletion files are small (4 bytes a deleted row, less as a bitmap): a huge one is not a deletion file.
    private static void CheckLength(IObjectReader reader, string name)
    {
        if (reader.Length > MaxBufferBytes)
        {
            throw new LanceFormatException($"'{name}' is {reader.Length} bytes long, more than any deletion file ({MaxBufferBytes} bytes at most).");
        }
    }

    // Lance names a deletion file for its type: .arrow for Arrow IPC, .bin for a Roaring bitmap.
    private static DeletionFileType TypeOf(string key) =>
        key.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) ? DeletionFileType.Bitmap : DeletionFileType.ArrowArray;

    /// <summary>Reads a deletion file of the given type from memory; the deleted row offsets, sorted ascending.</summary>
    /// <exception cref="LanceFormatException">The bytes are not a deletion file; the message names <paramref name="name"/>.</exception>
    public static int[] Read(ReadOnlyMemory<byte> bytes, DeletionFileType type, string name)
    {
        if (type == DeletionFileType.Bitmap)
        {
            return RoaringBitmapReader.Read(bytes.Span, name);
        }

        using var stream = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);
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
