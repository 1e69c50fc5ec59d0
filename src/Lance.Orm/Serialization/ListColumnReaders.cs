using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Serialization;

/// <summary>The offsets and validity of an Arrow <c>list</c> column, shared by the list readers.</summary>
internal readonly ref struct ListSlots
{
    private readonly ReadOnlySpan<int> _offsets;
    private readonly ReadOnlySpan<byte> _validity;
    private readonly int _offset;

    public ListSlots(ArrayData data)
    {
        _offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(data.Offset, data.Length + 1);
        _validity = ColumnLookup.Validity(data);
        _offset = data.Offset;
    }

    public int Start(int row) => _offsets[row];

    public int Length(int row) => _offsets[row + 1] - _offsets[row];

    public bool IsNull(int row) => !_validity.IsEmpty && !BitUtility.GetBit(_validity, _offset + row);
}

/// <summary>
/// Reads a <c>list&lt;T&gt;</c> column of fixed-width values into <c>T[]</c> or <c>List&lt;T&gt;</c>
/// members, span-copying each list. Called by generated code; not meant for direct use.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly ref struct PrimitiveListColumnReader<T>
    where T : unmanaged
{
    private readonly ListSlots _slots;
    private readonly ReadOnlySpan<T> _values;

    /// <summary>Opens the list column <paramref name="column"/>; a reader of an absent column returns each row's fallback.</summary>
    /// <param name="batch">The record batch.</param>
    /// <param name="column">The column name.</param>
    /// <param name="modelType">The model type's name, for error messages.</param>
    /// <param name="member">The member's name, for error messages.</param>
    /// <exception cref="LanceSchemaException">The column exists with another Arrow type.</exception>
    public PrimitiveListColumnReader(RecordBatch batch, string column, string modelType, string member)
    {
        var data = ColumnLookup.Find(batch, column, new ListType(ArrowPrimitive<T>.Type), modelType, member);
        if (data is null)
        {
            return;
        }

        _slots = new ListSlots(data);
        var items = data.Children[0];
        _values = MemoryMarshal.Cast<byte, T>(items.Buffers[1].Span).Slice(items.Offset, items.Length);
        IsPresent = true;
    }

    /// <summary>Whether the batch has the column.</summary>
    public bool IsPresent { get; }

    /// <summary>The elements of <paramref name="row"/>, read in place: empty for a null or when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    public ReadOnlySpan<T> GetSpan(int row) => !IsPresent || IsNull(row) ? default : _values.Slice(_slots.Start(row), _slots.Length(row));

    /// <summary>Whether <paramref name="row"/> is null (false when the column is absent).</summary>
    /// <param name="row">The row index.</param>
    public bool IsNull(int row) => IsPresent && _slots.IsNull(row);

    /// <summary>The list in <paramref name="row"/> as an array: empty for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public T[] Get(int row, T[] fallback) => !IsPresent ? fallback : GetSpan(row).ToArray();

    /// <summary>The list in <paramref name="row"/> as an array, null for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public T[]? GetNullable(int row, T[]? fallback) => !IsPresent ? fallback : IsNull(row) ? null : GetSpan(row).ToArray();

    /// <summary>The list in <paramref name="row"/>: empty for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public List<T> Get(int row, List<T> fallback) => !IsPresent ? fallback : [.. GetSpan(row)];

    /// <summary>The list in <paramref name="row"/>, null for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public List<T>? GetNullable(int row, List<T>? fallback) => !IsPresent ? fallback : IsNull(row) ? null : [.. GetSpan(row)];
}

/// <summary>
/// Reads a <c>list&lt;utf8&gt;</c> column into <c>string[]</c> or <c>List&lt;string&gt;</c> members
/// (null items read as null). Called by generated code; not meant for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly ref struct StringListColumnReader
{
    private readonly ListSlots _slots;
    private readonly ReadOnlySpan<int> _itemOffsets;
    private readonly ReadOnlySpan<byte> _itemData;
    private readonly ReadOnlySpan<byte> _itemValidity;
    private readonly int _itemOffset;

    /// <summary>Opens the list column <paramref name="column"/>; a reader of an absent column returns each row's fallback.</summary>
    /// <param name="batch">The record batch.</param>
    /// <param name="column">The column name.</param>
    /// <param name="modelType">The model type's name, for error messages.</param>
    /// <param name="member">The member's name, for error messages.</param>
    /// <exception cref="LanceSchemaException">The column exists with another Arrow type.</exception>
    public StringListColumnReader(RecordBatch batch, string column, string modelType, string member)
    {
        var data = ColumnLookup.Find(batch, column, new ListType(StringType.Default), modelType, member);
        if (data is null)
        {
            return;
        }

        _slots = new ListSlots(data);
        var items = data.Children[0];
        _itemOffsets = MemoryMarshal.Cast<byte, int>(items.Buffers[1].Span).Slice(items.Offset, items.Length + 1);
        _itemData = items.Buffers[2].Span;
        _itemValidity = ColumnLookup.Validity(items);
        _itemOffset = items.Offset;
        IsPresent = true;
    }

    /// <summary>Whether the batch has the column.</summary>
    public bool IsPresent { get; }

    /// <summary>Whether <paramref name="row"/> is null (false when the column is absent).</summary>
    /// <param name="row">The row index.</param>
    public bool IsNull(int row) => IsPresent && _slots.IsNull(row);

    /// <summary>The list in <paramref name="row"/>: empty for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public string?[] Get(int row, string?[] fallback) => !IsPresent ? fallback : IsNull(row) ? [] : Decode(row);

    /// <summary>The list in <paramref name="row"/>, null for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public string?[]? GetNullable(int row, string?[]? fallback) => !IsPresent ? fallback : IsNull(row) ? null : Decode(row);

    /// <summary>The list in <paramref name="row"/>: empty for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public List<string?> Get(int row, List<string?> fallback) => !IsPresent ? fallback : IsNull(row) ? [] : [.. Decode(row)];

    /// <summary>The list in <paramref name="row"/>, null for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public List<string?>? GetNullable(int row, List<string?>? fallback) => !IsPresent ? fallback : IsNull(row) ? null : [.. Decode(row)];

    private string?[] Decode(int row)
    {
        var values = new string?[_slots.Length(row)];
        var start = _slots.Start(row);
        for (var i = 0; i < values.Length; i++)
        {
            var item = start + i;
            if (_itemValidity.IsEmpty || BitUtility.GetBit(_itemValidity, _itemOffset + item))
            {
                values[i] = Encoding.UTF8.GetString(_itemData.Slice(_itemOffsets[item], _itemOffsets[item + 1] - _itemOffsets[item]));
            }
        }

        return values;
    }
}

/// <summary>
/// Reads a <c>list&lt;struct&gt;</c> column into <c>T[]</c> or <c>List&lt;T&gt;</c> members of a
/// nested model: every element is read once per batch by the nested model's generated
/// <see cref="ILanceModel{TSelf}.ReadRecordBatch"/>. Called by generated code; not meant for direct use.
/// </summary>
/// <typeparam name="T">The nested model.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly ref struct ModelListColumnReader<T>
    where T : ILanceModel<T>
{
    private readonly ListSlots _slots;
    private readonly List<T>? _items;

    /// <summary>Opens the list column <paramref name="column"/>; a reader of an absent column returns each row's fallback.</summary>
    /// <param name="batch">The record batch.</param>
    /// <param name="column">The column name.</param>
    /// <param name="modelType">The model type's name, for error messages.</param>
    /// <param name="member">The member's name, for error messages.</param>
    /// <exception cref="LanceSchemaException">The column exists with another Arrow type.</exception>
    public ModelListColumnReader(RecordBatch batch, string column, string modelType, string member)
    {
        var data = ColumnLookup.Find(batch, column, new ListType(new StructType(T.ArrowSchema.FieldsList)), modelType, member);
        if (data is null)
        {
            return;
        }

        _slots = new ListSlots(data);
        _items = StructColumnReader<T>.ReadChildren(data.Children[0]);
    }

    /// <summary>Whether the batch has the column.</summary>
    public bool IsPresent => _items is not null;

    /// <summary>Whether <paramref name="row"/> is null (false when the column is absent).</summary>
    /// <param name="row">The row index.</param>
    public bool IsNull(int row) => IsPresent && _slots.IsNull(row);

    /// <summary>The list in <paramref name="row"/>: empty for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public T[] Get(int row, T[] fallback) => _items is null ? fallback : IsNull(row) ? [] : Slice(row).ToArray();

    /// <summary>The list in <paramref name="row"/>, null for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public T[]? GetNullable(int row, T[]? fallback) => _items is null ? fallback : IsNull(row) ? null : Slice(row).ToArray();

    /// <summary>The list in <paramref name="row"/>: empty for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public List<T> Get(int row, List<T> fallback) => _items is null ? fallback : IsNull(row) ? [] : [.. Slice(row)];

    /// <summary>The list in <paramref name="row"/>, null for a null, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public List<T>? GetNullable(int row, List<T>? fallback) => _items is null ? fallback : IsNull(row) ? null : [.. Slice(row)];

    private ReadOnlySpan<T> Slice(int row) => CollectionsMarshal.AsSpan(_items).Slice(_slots.Start(row), _slots.Length(row));
}
