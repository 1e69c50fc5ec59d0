using Apache.Arrow.Types;

namespace Lance.Engine.DataFiles;

/// <summary>
/// Where a fixed-width column with no nulls stored as flat pages (a vector column as LanceDB and this
/// engine write it) lies in its data file: on disk each run is exactly the Arrow values of its rows,
/// so any range of rows can be read straight into a buffer (<see cref="DataFileReader.ReadInto"/>)
/// without decoding the column.
/// </summary>
/// <param name="Type">The column's Arrow type.</param>
/// <param name="RowBytes">The bytes of one row's values.</param>
/// <param name="Runs">Runs of pages lying back to back, in row order: each its first byte's position and its number of rows; together every row of the file.</param>
internal sealed record FlatColumnLayout(IArrowType Type, int RowBytes, IReadOnlyList<(long Position, long Rows)> Runs)
{
    /// <summary>The rows of every run together (the file's rows).</summary>
    public long Rows => Runs.Sum(r => r.Rows);

    /// <summary>Where row <paramref name="row"/>'s values start in the file.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The row is negative or past the column's end.</exception>
    public long PositionOf(long row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        foreach (var (position, rows) in Runs)
        {
            if (row < rows)
            {
                return position + (row * RowBytes);
            }

            row -= rows;
        }

        throw new ArgumentOutOfRangeException(nameof(row), row, "The row lies past the end of the column.");
    }
}
