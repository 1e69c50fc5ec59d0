using System.ComponentModel;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Serialization;

/// <summary>
/// Reads a utf8 column of a record batch, decoding each value straight from the value buffer.
/// Called by generated <see cref="ILanceModel{TSelf}.ReadRecordBatch"/> code; not meant for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly ref struct StringColumnReader
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
    public StringColumnReader(RecordBatch batch, string column, string modelType, string member)
        : this(ColumnLookup.Find(batch, column, StringType.Default, modelType, member))
    {
    }

    private StringColumnReader(ArrayData? data) => _column = new VariableWidthColumn(data);

    /// <summary>Whether the batch has the column.</summary>
    public bool IsPresent => _column.IsPresent;

    /// <summary>The value in <paramref name="row"/>: <c>""</c> for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public string Get(int row, string fallback) =>
        !IsPresent ? fallback : IsNull(row) ? "" : Decode(row);

    /// <summary>The value in <paramref name="row"/>, null for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public string? GetNullable(int row, string? fallback) =>
        !IsPresent ? fallback : IsNull(row) ? null : Decode(row);

    /// <summary>The UTF-8 bytes of <paramref name="row"/>, read in place: empty for a null or when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    public ReadOnlySpan<byte> GetUtf8(int row) => _column.Bytes(row);

    private string Decode(int row) => Encoding.UTF8.GetString(_column.Bytes(row));

    /// <summary>Whether <paramref name="row"/> is null (false when the column is absent).</summary>
    /// <param name="row">The row index.</param>
    public bool IsNull(int row) => _column.IsNull(row);
}
