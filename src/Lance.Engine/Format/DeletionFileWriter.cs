using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;

namespace Lance.Engine.Format;

/// <summary>
/// Writes a fragment's deletion file: an Arrow IPC file with one non-nullable <c>row_id</c> uint32
/// column of deleted row offsets, sorted, which LanceDB reads whatever the count.
/// </summary>
internal static class DeletionFileWriter
{
    private static readonly Schema FileSchema = new([new Field("row_id", UInt32Type.Default, nullable: false)], null);

    /// <summary>Writes <paramref name="rows"/> (offsets within the fragment) to <paramref name="path"/>, which must not exist.</summary>
    public static void Write(string path, IReadOnlyCollection<int> rows)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(rows);
        var sorted = rows.ToArray();
        System.Array.Sort(sorted);
        var values = new byte[sorted.Length * sizeof(uint)];
        for (var i = 0; i < sorted.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(values.AsSpan(i * 4), checked((uint)sorted[i]));
        }

        var array = new UInt32Array(new ArrowBuffer(values), ArrowBuffer.Empty, sorted.Length, 0, 0);
        var batch = new RecordBatch(FileSchema, [array], sorted.Length);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        using var writer = new ArrowFileWriter(stream, FileSchema, leaveOpen: true);
        writer.WriteRecordBatch(batch);
        writer.WriteEnd();
    }
}
