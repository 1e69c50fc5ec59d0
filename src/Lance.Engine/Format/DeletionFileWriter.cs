using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using Lance.Engine.Storage;

namespace Lance.Engine.Format;

/// <summary>
/// Writes a fragment's deletion file: an Arrow IPC file with one non-nullable <c>row_id</c> uint32
/// column of deleted row offsets, sorted, which LanceDB reads whatever the count.
/// </summary>
internal static class DeletionFileWriter
{
    private static readonly Schema FileSchema = new([new Field("row_id", UInt32Type.Default, nullable: false)], null);

    /// <summary>Writes <paramref name="rows"/> (offsets within the fragment) to <paramref name="path"/>, through a <see cref="LocalObjectStore"/> on its folder.</summary>
    public static void Write(string path, IReadOnlyCollection<int> rows)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        WriteAsync(new LocalObjectStore(System.IO.Path.GetDirectoryName(full)!), System.IO.Path.GetFileName(full), rows).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Writes <paramref name="rows"/> (offsets within the fragment) as the deletion file at
    /// <paramref name="key"/> of <paramref name="store"/>, streamed through
    /// <see cref="IObjectStore.CreateAsync"/>: it appears whole, or not at all.
    /// </summary>
    public static async Task WriteAsync(IObjectStore store, string key, IReadOnlyCollection<int> rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(key);
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
        var output = await store.CreateAsync(key, cancellationToken).ConfigureAwait(false);
        await using (output.ConfigureAwait(false))
        {
            using (var writer = new ArrowFileWriter(output.Stream, FileSchema, leaveOpen: true))
            {
                writer.WriteRecordBatch(batch);
                writer.WriteEnd();
            }

            await output.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
