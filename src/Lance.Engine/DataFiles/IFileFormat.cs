using Apache.Arrow;
using Lance.Engine.Format;

namespace Lance.Engine.DataFiles;

/// <summary>
/// One version of the Lance data file format: how its files are read and written. There is one per
/// version (legacy, 2.0, 2.1, 2.2; see <see cref="FileFormats"/>), chosen once, from a data file's
/// footer when reading and from the dataset's <c>data_format.version</c> when writing, so nothing
/// below tests the version again.
/// </summary>
internal interface IFileFormat
{
    /// <summary>
    /// The version this format writes, as the manifest's <c>DataFile</c> records it (the legacy
    /// format's files say 0.2).
    /// </summary>
    LanceFileVersion Version { get; }

    /// <summary>
    /// Opens the columns of a data file of this version whose 40-byte footer (the file's last bytes)
    /// has been read; only the footer and metadata are read here, each column when it is asked for.
    /// </summary>
    /// <exception cref="LanceFormatException">The file is corrupt or truncated.</exception>
    IDataFileColumns OpenReader(DataFileBytes file, ReadOnlySpan<byte> footer, DataFileReadSettings settings);

    /// <summary>
    /// Throws unless every field of <paramref name="schema"/> can be written in this version (the
    /// legacy format writes fewer types, and a dictionary field only with the dataset's values).
    /// Writers call it before any file is written.
    /// </summary>
    /// <exception cref="LanceSchemaException">A field has a type this version's writer does not write.</exception>
    void EnsureWritable(LanceSchema schema, IDictionary<int, IReadOnlyList<byte[]>>? dictionaries, string datasetPath);

    /// <summary>
    /// Starts a data file of this version on <paramref name="output"/> whose rows are added batch by
    /// batch; each page is written as soon as it is full, so a file of any size is written in the
    /// memory of about a page per column.
    /// </summary>
    /// <param name="output">Where the file goes; written from its current position, not closed.</param>
    /// <param name="schema">The table schema; every top-level field must be a column of each batch.</param>
    /// <param name="options">Page sizing, the dataset's dictionaries and the file's name; the defaults when null.</param>
    /// <param name="cancellationToken">Checked before every page; a cancelled write throws and the stream holds a partial file to discard.</param>
    /// <exception cref="LanceSchemaException">A field has a type this version's writer does not write.</exception>
    IDataFileWriter CreateWriter(Stream output, LanceSchema schema, DataFileWriterOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="batches"/> (all of <paramref name="schema"/>'s columns) as one data file of this version.</summary>
    /// <param name="output">Where the file goes; written from its current position, not closed.</param>
    /// <param name="schema">The table schema; every top-level field must be a column of each batch.</param>
    /// <param name="batches">The rows, in order.</param>
    /// <param name="options">Page sizing, the dataset's dictionaries and the file's name; the defaults when null.</param>
    /// <param name="cancellationToken">Checked before every column and page; a cancelled write throws and the stream holds a partial file to discard.</param>
    /// <exception cref="LanceSchemaException">A batch lacks a column, has another type, or has a null where none is allowed.</exception>
    DataFileInfo Write(Stream output, LanceSchema schema, IReadOnlyList<RecordBatch> batches, DataFileWriterOptions? options = null, CancellationToken cancellationToken = default);
}
