using Apache.Arrow;
using Apache.Arrow.Ipc;

namespace Lance.Engine.Format;

/// <summary>
/// Reads a fragment's deletion file: an Arrow IPC file with one <c>uint32</c> column of deleted row
/// offsets (within the fragment).
/// </summary>
internal static class DeletionFileReader
{
    /// <summary>The deleted row offsets, sorted ascending.</summary>
    /// <exception cref="NotSupportedException">The file is a Roaring bitmap (<c>.bin</c>), not read yet.</exception>
    /// <exception cref="LanceFormatException">The file is not a deletion file this engine can read (e.g. ZSTD-compressed).</exception>
    public static int[] Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.EndsWith(".bin", StringComparison.OrdinalIgnoreCase))
        {
            throw new NotSupportedException($"'{path}' is a Roaring bitmap deletion file (more than 5,000 deleted rows); Lance.Engine cannot read those yet.");
        }

        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads an Arrow IPC deletion file from a stream; the deleted row offsets, sorted ascending.</summary>
    /// <exception cref="LanceFormatException">The stream is not a deletion file this engine can read.</exception>
    public static int[] Read(Stream stream, string name = "(stream)")
    {
        ArgumentNullException.ThrowIfNull(stream);
        var rows = new List<int>();
        try
        {
            using var reader = new ArrowFileReader(stream, leaveOpen: true);
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
                            rows.Add(checked((int)value));
                        }
                    }
                }
            }
        }
        catch (Exception e) when (e is not LanceFormatException)
        {
            // Arrow reports a compressed body (LanceDB uses ZSTD; no codec here yet) and malformed
            // input with assorted exception types, System.Exception included.
            throw new LanceFormatException($"'{name}' cannot be read as an uncompressed Arrow IPC deletion file: {e.Message}", e);
        }

        rows.Sort();
        return rows.ToArray();
    }
}
