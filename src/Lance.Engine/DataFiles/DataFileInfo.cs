using Lance.Engine.Format;

namespace Lance.Engine.DataFiles;

/// <summary>What <see cref="V21.DataFileWriter"/> wrote: enough to record the file in a manifest.</summary>
/// <param name="BytesWritten">The file's size in bytes.</param>
/// <param name="FieldIds">The ids of the fields stored, in pre-order (the manifest's <c>DataFile.fields</c>).</param>
/// <param name="ColumnIndices">The column index of each field in <paramref name="FieldIds"/> (the manifest's <c>DataFile.column_indices</c>).</param>
/// <param name="RowCount">The number of rows written.</param>
internal sealed record DataFileInfo(long BytesWritten, int[] FieldIds, int[] ColumnIndices, long RowCount);
