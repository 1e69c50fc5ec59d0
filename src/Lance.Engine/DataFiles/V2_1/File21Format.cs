using Apache.Arrow;
using Lance.Engine.Format;

namespace Lance.Engine.DataFiles.V21;

/// <summary>
/// File format 2.1 or 2.2 (one instance each; a dataset's <c>data_format.version</c> "2.1" or
/// "2.2"): read by <see cref="File21Columns"/> (which also reads later 2.x files of the same
/// layouts), written by <see cref="DataFileWriter"/>; 2.2 differs in its large mini-block chunks.
/// </summary>
/// <param name="version">2.1 or 2.2.</param>
internal sealed class File21Format(LanceFileVersion version) : IFileFormat
{
    /// <inheritdoc/>
    public LanceFileVersion Version { get; } = version;

    /// <inheritdoc/>
    public IDataFileColumns OpenReader(DataFileBytes file, ReadOnlySpan<byte> footer, DataFileReadSettings settings) =>
        new File21Columns(new V2FileContainer(file, footer, everyFieldHasColumn: false), settings);

    /// <inheritdoc/>
    public void EnsureWritable(LanceSchema schema, IDictionary<int, IReadOnlyList<byte[]>>? dictionaries, string datasetPath)
    {
        // The 2.1 writer writes every type the engine maps; what it cannot is refused per batch.
    }

    /// <inheritdoc/>
    public IDataFileWriter CreateWriter(Stream output, LanceSchema schema, DataFileWriterOptions? options = null, CancellationToken cancellationToken = default) =>
        DataFileWriter.Create(output, schema, (options ?? DataFileWriterOptions.Default).WithVersion(Version), cancellationToken);

    /// <inheritdoc/>
    public DataFileInfo Write(Stream output, LanceSchema schema, IReadOnlyList<RecordBatch> batches, DataFileWriterOptions? options = null, CancellationToken cancellationToken = default) =>
        DataFileWriter.Write(output, schema, batches, (options ?? DataFileWriterOptions.Default).WithVersion(Version), cancellationToken);
}
