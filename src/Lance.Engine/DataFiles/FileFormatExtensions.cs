using Apache.Arrow;
using Lance.Engine.Format;
using Lance.Engine.Storage;

namespace Lance.Engine.DataFiles;

/// <summary>Writing data files through the storage seam.</summary>
internal static class FileFormatExtensions
{
    /// <summary>
    /// Writes <paramref name="batches"/> as one data file of <paramref name="format"/>'s version, the
    /// object at <paramref name="key"/> of <paramref name="store"/>, streamed through
    /// <see cref="IObjectStore.CreateAsync"/>: the object appears whole once written, and not at all
    /// when writing fails or is cancelled.
    /// </summary>
    /// <exception cref="LanceSchemaException">A batch lacks a column, has another type, or has a null where none is allowed.</exception>
    public static async Task<DataFileInfo> WriteAsync(
        this IFileFormat format, IObjectStore store, string key, LanceSchema schema, IReadOnlyList<RecordBatch> batches,
        DataFileWriterOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(key);
        var writer = await store.CreateAsync(key, cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            var info = format.Write(writer.Stream, schema, batches, options, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            return info;
        }
    }
}
