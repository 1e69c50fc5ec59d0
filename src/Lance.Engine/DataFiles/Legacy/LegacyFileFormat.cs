using Apache.Arrow;
using Lance.Engine.Format;

namespace Lance.Engine.DataFiles.Legacy;

/// <summary>
/// The legacy file format (footer 0.1/0.2; LanceDB's storage version <c>"legacy"</c>): read by
/// <see cref="LegacyFileReader"/>, written by <see cref="LegacyFileWriter"/> as version 0.2.
/// </summary>
internal sealed class LegacyFileFormat : IFileFormat
{
    /// <inheritdoc/>
    public LanceFileVersion Version => LanceFileVersion.Legacy;

    /// <inheritdoc/>
    public IDataFileColumns OpenReader(DataFileBytes file, ReadOnlySpan<byte> footer, DataFileReadSettings settings) =>
        new Columns(new LegacyFileReader(file), settings);

    /// <inheritdoc/>
    public void EnsureWritable(LanceSchema schema, IDictionary<int, IReadOnlyList<byte[]>>? dictionaries, string datasetPath) =>
        LegacyFileWriter.EnsureWritable(schema, dictionaries, datasetPath);

    /// <inheritdoc/>
    public IDataFileWriter CreateWriter(Stream output, LanceSchema schema, DataFileWriterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= DataFileWriterOptions.Default;
        return LegacyFileWriter.Create(output, schema, options.Dictionaries, options.Name, cancellationToken);
    }

    /// <inheritdoc/>
    public DataFileInfo Write(Stream output, LanceSchema schema, IReadOnlyList<RecordBatch> batches, DataFileWriterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= DataFileWriterOptions.Default;
        return LegacyFileWriter.Write(output, schema, options.Dictionaries, batches, options.Name, cancellationToken);
    }

    /// <summary>A legacy file's columns; vector pages are mapped where the settings ask for it (never on Windows).</summary>
    private sealed class Columns(LegacyFileReader reader, DataFileReadSettings settings) : IDataFileColumns
    {
        public LanceSchema Schema => reader.Schema;

        public long RowCount => reader.RowCount;

        public IArrowArray ReadColumn(LanceField field) => reader.ReadColumn(field, settings.MapFlatColumns && !OperatingSystem.IsWindows());

        public IReadOnlyList<IArrowArray>? TryMapFlatColumn(LanceField field) => null;

        public IReadOnlyList<string> DescribePages(LanceField field) => reader.DescribePages(field);
    }
}
