using Apache.Arrow;
using Lance.Engine.Format;

namespace Lance.Engine.DataFiles;

/// <summary>
/// The columns of one open data file, as the reader of its file version decodes them (made by
/// <see cref="IFileFormat.OpenReader"/>; <see cref="DataFileReader"/> is the engine's way in).
/// </summary>
internal interface IDataFileColumns
{
    /// <summary>The file's own schema.</summary>
    LanceSchema Schema { get; }

    /// <summary>The number of rows in the file.</summary>
    long RowCount { get; }

    /// <summary>Reads the column of one top-level field (matched by field id) as an Arrow array; a nullable field the file lacks reads as nulls.</summary>
    /// <exception cref="LanceFormatException">The file uses an encoding this engine cannot read, or is corrupt.</exception>
    IArrowArray ReadColumn(LanceField field);

    /// <summary>
    /// A fixed-width column with no nulls stored flat (a vector column) as views of the file in row
    /// order, or null when the column is stored otherwise or the version keeps no such pages.
    /// </summary>
    IReadOnlyList<IArrowArray>? TryMapFlatColumn(LanceField field);

    /// <summary>Where a fixed-width column with no nulls stored flat lies in the file, or null when it is stored otherwise or the version keeps no such pages.</summary>
    FlatColumnLayout? TryFlatColumnLayout(LanceField field) => null;

    /// <summary>
    /// The pages of a flat (leaf, not dictionary-encoded) field's column, to be decoded one at a time; null when the column
    /// is stored otherwise, the file lacks it, or the version reads columns whole only.
    /// </summary>
    V21.ColumnPages? TryOpenPages(LanceField field) => null;

    /// <summary>Describes each page of a field's column, for diagnostics and tests.</summary>
    IReadOnlyList<string> DescribePages(LanceField field);
}
