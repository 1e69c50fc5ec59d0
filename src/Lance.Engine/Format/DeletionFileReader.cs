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

        return ReadArrow(bytes.Span, name);
    }

    /// <summary>Reads an Arrow IPC deletion file from a stream; the deleted row offsets, sorted ascending.</summary>
    /// <exception cref="LanceFormatException">The stream is not a deletion file this engine can read.</exception>
    public static int[] Read(Stream stream, string name = "(stream)")
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            copy.Write(buffer, 0, n);
            if (copy.Length > MaxBufferBytes)
            {
                throw new LanceFormatException($"'{name}' is more than {MaxBufferBytes} bytes long, more than any deletion file.");
            }
        }

        return ReadArrow(copy.GetBuffer().AsSpan(0, (int)copy.Length), name);
    }

    private static int[] ReadArrow(ReadOnlySpan<byte> bytes, string name)
    {
        // A decompressed buffer may expand the file (sorted row ids compress well), not without bound:
        // a corrupt length fails here instead of allocating gigabytes.
        int limit = (int)Math.Clamp((long)bytes.Length * MaxExpansion, 1 << 20, MaxBufferBytes);
        var ids = ArrowIpcRowIdFile.Read(bytes, limit, name);
        var rows = new int[ids.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = ids[i] <= int.MaxValue
                ? (int)ids[i]
                : throw new LanceFormatException($"'{name}' deletes row {ids[i]}, beyond any fragment's size.");
        }

        System.Array.Sort(rows);
        return rows;
    }
}
