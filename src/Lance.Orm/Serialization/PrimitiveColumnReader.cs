using System.ComponentModel;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Serialization;

/// <summary>
/// Reads a fixed-width column (<c>long</c>, <c>int</c>, <c>float</c>, <c>double</c>) of a record
/// batch straight from its value buffer. Called by generated
/// <see cref="ILanceModel{TSelf}.ReadRecordBatch"/> code; not meant for direct use.
/// </summary>
/// <typeparam name="T">The member's value type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly ref struct PrimitiveColumnReader<T>
    where T : unmanaged
{
    private readonly ReadOnlySpan<T> _values;
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
    public PrimitiveColumnReader(RecordBatch batch, string column, string modelType, string member)
        : this(ColumnLookup.Find(batch, column, ArrowPrimitive<T>.Type, modelType, member))
    {
    }

    /// <summary>
    /// Opens the column <paramref name="column"/> of <paramref name="batch"/>, which must have the
    /// fixed-width Arrow type <paramref name="type"/> whose values are <typeparamref name="T"/>s.
    /// </summary>
    /// <param name="batch">The record batch.</param>
    /// <param name="column">The column name.</param>
    /// <param name="type">The expected Arrow type.</param>
    /// <param name="modelType">The model type's name, for error messages.</param>
    /// <param name="member">The member's name, for error messages.</param>
    /// <exception cref="LanceSchemaException">The column exists with another Arrow type.</exception>
    public PrimitiveColumnReader(RecordBatch batch, string column, IArrowType type, string modelType, string member)
        : this(ColumnLookup.Find(batch, column, type, modelType, member))
    {
    }

    private PrimitiveColumnReader(ArrayData? data)
    {
        if (data is null)
        {
            return;
        }

        _values = MemoryMarshal.Cast<byte, T>(data.Buffers[1].Span).Slice(data.Offset, data.Length);
        _validity = ColumnLookup.Validity(data);
        _offset = data.Offset;
        IsPresent = true;
    }

    /// <summary>Whether the batch has the column.</summary>
    public bool IsPresent { get; }

    /// <summary>The column's values, one per row, read in place (a null row holds an unspecified value); empty when the column is absent.</summary>
    public ReadOnlySpan<T> Values => _values;

    /// <summary>The value in <paramref name="row"/>: <c>default</c> for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public T Get(int row, T fallback) =>
        !IsPresent ? fallback : IsNull(row) ? default : _values[row];

    /// <summary>The value in <paramref name="row"/>, null for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public T? GetNullable(int row, T? fallback) =>
        !IsPresent ? fallback : IsNull(row) ? null : _values[row];

    /// <summary>Whether <paramref name="row"/> is null (false when the column is absent).</summary>
    /// <param name="row">The row index.</param>
    public bool IsNull(int row) => !_validity.IsEmpty && !BitUtility.GetBit(_validity, _offset + row);
}
