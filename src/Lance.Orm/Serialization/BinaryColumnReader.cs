using System.ComponentModel;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Serialization;

/// <summary>
/// Reads a <c>binary</c> column of a record batch into <c>byte[]</c> members. Called by generated
/// <see cref="ILanceModel{TSelf}.ReadRecordBatch"/> code; not meant for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly ref struct BinaryColumnReader
{
    private readonly VariableWidthColumn _column;

    /// <summary>
    /// Opens the column <paramref name="column"/> of <paramref name="batch"/>; a reader of an absent
    /// column returns each row's fallback.
    /// </summary>
    /// <param name="batch">The record batch.</param>
    /// <param name="column">The column name.</param>
    /// <param name="modelType">The model type's name, for error messages.</param>
    /// <param name="member">The member's name, for error messages.</param>
    /// <exception cref="LanceSchemaException">The column exists with another Arrow type.</exception>
    public BinaryColumnReader(RecordBatch batch, string column, string modelType, string member)
        : this(ColumnLookup.Find(batch, column, BinaryType.Default, modelType, member))
    {
    }

    private BinaryColumnReader(ArrayData? data) => _column = new VariableWidthColumn(data);

    /// <summary>Whether the batch has the column.</summary>
    public bool IsPresent => _column.IsPresent;

    /// <summary>A copy of the value in <paramref name="row"/>: empty for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public byte[] Get(int row, byte[] fallback) =>
        !IsPresent ? fallback : IsNull(row) ? [] : GetSpan(row).ToArray();

    /// <summary>A copy of the value in <paramref name="row"/>, null for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public byte[]? GetNullable(int row, byte[]? fallback) =>
        !IsPresent ? fallback : IsNull(row) ? null : GetSpan(row).ToArray();

    /// <summary>The bytes of <paramref name="row"/>, read in place: empty for a null or when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    public ReadOnlySpan<byte> GetSpan(int row) => _column.Bytes(row);

    /// <summary>Whether <paramref name="row"/> is null (false when the column is absent).</summary>
    /// <param name="row">The row index.</param>
    public bool IsNull(int row) => _column.IsNull(row);
}
