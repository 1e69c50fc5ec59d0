using Apache.Arrow;
using Lance.Engine.Format;

namespace Lance.Engine.DataFiles.V20;

/// <summary>
/// File format 2.0 (footer 0.3; a dataset's <c>data_format.version</c> "2.0"): the 2.x container
/// with 2.0 <c>ArrayEncoding</c> pages, read by <see cref="File20Columns"/> and written by
/// <see cref="DataFileWriter20"/>.
/// </summary>
internal sealed class File20Format : IFileFormat
{
    /// <inheritdoc/>
    public LanceFileVersion Version => LanceFileVersion.V2_0;

    /// <inheritdoc/>
    public IDataFileColumns OpenReader(DataFileBytes file, ReadOnlySpan<byte> footer, DataFileReadSettings settings) =>
        new File20Columns(new V2FileContainer(file, footer, everyFieldHasColumn: true), settings);

    /// <inheritdoc/>
    public void EnsureWritable(LanceSchema schema, IDictionary<int, IReadOnlyList<byte[]>>? dictionaries, string datasetPath)
    {
        // The 2.0 writer writes every type the engine maps; what it cannot is refused per batch.
    }

    /// <inheritdoc/>
    public IDataFileWriter CreateWriter(Stream output, LanceSchema schema, DataFileWriterOptions? options = null, CancellationToken cancellationToken = default) =>
        DataFileWriter20.Create(output, schema, options, cancellationToken);

    /// <inheritdoc/>
    public DataFileInfo Write(Stream output, LanceSchema schema, IReadOnlyList<RecordBatch> batches, DataFileWriterOptions? options = null, CancellationToken cancellationToken = default) =>
        DataFileWriter20.Write(output, schema, batches, options, cancellationToken);
}
