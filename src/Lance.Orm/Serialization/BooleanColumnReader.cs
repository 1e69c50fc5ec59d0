using System.ComponentModel;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Serialization;

/// <summary>
/// Reads a <c>bool</c> column of a record batch straight from its bit-packed value buffer. Called
/// by generated <see cref="ILanceModel{TSelf}.ReadRecordBatch"/> code; not meant for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly ref struct BooleanColumnReader
{
    private readonly ReadOnlySpan<byte> _values;
    private readonly ReadOnlySpan<byte> _validity;
    private readonly int _offset;

    /// <summary>
    /// Opens the column <paramref name="column"/> of <paramref name="batch"/>; a reader of an absent
    /// column returns each row's fallback.
    /// </summary>
    /// <param name="batch">The record batch.</param>
    /// <param name="column">The column name.</param>
    /// <param name="modelType">The model type's name, for error messages.</param>
    /// <param name="member">The member's name, for error messages.</param>
    /// <exception cref="LanceSchemaException">The column exists with another Arrow type.</exception>
    public BooleanColumnReader(RecordBatch batch, string column, string modelType, string member)
        : this(ColumnLookup.Find(batch, column, BooleanType.Default, modelType, member))
    {
    }

    private BooleanColumnReader(ArrayData? data)
    {
        if (data is null)
        {
            return;
        }

        _values = data.Buffers[1].Span;
        _validity = ColumnLookup.Validity(data);
        _offset = data.Offset;
        IsPresent = true;
    }

    /// <summary>Whether the batch has the column.</summary>
    public bool IsPresent { get; }

    /// <summary>The value in <paramref name="row"/>: false for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public bool Get(int row, bool fallback) =>
        !IsPresent ? fallback : !IsNull(row) && BitUtility.GetBit(_values, _offset + row);

    /// <summary>The value in <paramref name="row"/>: false for a null or when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    public bool Get(int row) => IsPresent && !IsNull(row) && BitUtility.GetBit(_values, _offset + row);

    /// <summary>The value in <paramref name="row"/>, null for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public bool? GetNullable(int row, bool? fallback) =>
        !IsPresent ? fallback : IsNull(row) ? null : BitUtility.GetBit(_values, _offset + row);

    /// <summary>Whether <paramref name="row"/> is null (false when the column is absent).</summary>
    /// <param name="row">The row index.</param>
    public bool IsNull(int row) => !_validity.IsEmpty && !BitUtility.GetBit(_validity, _offset + row);
}
