using Apache.Arrow;

namespace Lance.Engine.DataFiles;

/// <summary>
/// Writes one data file as its rows arrive: each column's pages are encoded and written to the
/// output as soon as they are full, so the writer holds at most about a page (plus the batch being
/// added) per column, and the footer's metadata, whatever the size of the file. Made by
/// <see cref="IFileFormat.CreateWriter"/>; not thread-safe.
/// </summary>
internal interface IDataFileWriter : IDisposable
{
    /// <summary>The rows added so far.</summary>
    long RowCount { get; }

    /// <summary>Adds the rows of <paramref name="batch"/> (all of the schema's columns, matched by name), writing the pages they complete.</summary>
    /// <exception cref="LanceSchemaException">The batch lacks a column, has another type, or has a null where none is allowed; the output then holds part of a file to discard.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (checked before every page); the output holds part of a file.</exception>
    void Append(RecordBatch batch);

    /// <summary>Writes the last pages and the file's tail (metadata, footer); nothing may be added after.</summary>
    /// <returns>What was written, for the manifest.</returns>
    DataFileInfo Finish();
}
