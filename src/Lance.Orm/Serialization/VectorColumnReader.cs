using System.ComponentModel;
using System.Runtime.InteropServices;
using Apache.Arrow;

namespace Lance.Orm.Serialization;

/// <summary>
/// Reads a <c>fixed_size_list&lt;T&gt;[dim]</c> column of a record batch into vector members,
/// span-copying each vector out of the child value buffer (or handing out the span itself, for row
/// views). Called by generated <see cref="ILanceModel{TSelf}.ReadRecordBatch"/> code; not meant for direct use.
/// </summary>
/// <typeparam name="T">The element type: <see cref="float"/>, <see cref="Half"/> or <see cref="byte"/>.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly ref struct VectorColumnReader<T>
    where T : unmanaged
{
    private readonly ReadOnlySpan<T> _values;
    private readonly ReadOnlySpan<byte> _validity;
    private readonly int _offset;
    private readonly int _dimensions;

    /// <summary>
    /// Opens the vector column <paramref name="column"/> of <paramref name="batch"/>; a reader of an
    /// absent column returns each row's fallback.
    /// </summary>
    /// <param name="batch">The record batch.</param>
    /// <param name="column">The column name.</param>
    /// <param name="dimensions">The number of elements the member's vectors have.</param>
    /// <param name="modelType">The model type's name, for error messages.</param>
    /// <param name="member">The member's name, for error messages.</param>
    /// <exception cref="LanceSchemaException">The column exists with another Arrow type or dimension.</exception>
    public VectorColumnReader(RecordBatch batch, string column, int dimensions, string modelType, string member)
        : this(ColumnLookup.Find(batch, column, VectorField.CreateType(dimensions, ArrowPrimitive<T>.Type), modelType, member), dimensions)
    {
    }

    private VectorColumnReader(ArrayData? data, int dimensions)
    {
        if (data is null)
        {
            return;
        }

        var items = data.Children[0];
        _values = MemoryMarshal.Cast<byte, T>(items.Buffers[1].Span)
            .Slice(items.Offset + (data.Offset * dimensions), data.Length * dimensions);
        _validity = ColumnLookup.Validity(data);
        _offset = data.Offset;
        _dimensions = dimensions;
        IsPresent = true;
    }

    /// <summary>Whether the batch has the column.</summary>
    public bool IsPresent { get; }

    /// <summary>The vector in <paramref name="row"/>: empty for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public T[] Get(int row, T[] fallback) =>
        !IsPresent ? fallback : IsNull(row) ? [] : GetSpan(row).ToArray();

    /// <summary>The vector in <paramref name="row"/>, null for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public T[]? GetNullable(int row, T[]? fallback) =>
        !IsPresent ? fallback : IsNull(row) ? null : GetSpan(row).ToArray();

    /// <summary>A copy of the vector in <paramref name="row"/>: empty for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public ReadOnlyMemory<T> Get(int row, ReadOnlyMemory<T> fallback) =>
        !IsPresent ? fallback : IsNull(row) ? ReadOnlyMemory<T>.Empty : GetSpan(row).ToArray();

    /// <summary>A copy of the vector in <paramref name="row"/>, null for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public ReadOnlyMemory<T>? GetNullable(int row, ReadOnlyMemory<T>? fallback) =>
        !IsPresent ? fallback : IsNull(row) ? null : GetSpan(row).ToArray();

    /// <summary>The vector in <paramref name="row"/>, read in place: empty for a null or when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    public ReadOnlySpan<T> GetSpan(int row) =>
        !IsPresent || IsNull(row) ? default : _values.Slice(row * _dimensions, _dimensions);

    /// <summary>Whether <paramref name="row"/> is null (false when the column is absent).</summary>
    /// <param name="row">The row index.</param>
    public bool IsNull(int row) => !_validity.IsEmpty && !BitUtility.GetBit(_validity, _offset + row);
}
