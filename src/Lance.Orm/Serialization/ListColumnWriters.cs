using System.ComponentModel;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Serialization;

/// <summary>The offsets and validity of an Arrow <c>list</c> column, shared by the list writers.</summary>
internal struct ListLayout
{
    private readonly byte[] _offsets;
    private readonly int _length;
    private readonly bool _nullable;
    private readonly string _modelType;
    private readonly string _member;
    private readonly string _column;
    private ValidityBitmap _validity;

    public ListLayout(int length, bool nullable, string modelType, string member, string column)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _length = length;
        _nullable = nullable;
        _modelType = modelType;
        _member = member;
        _column = column;
        _offsets = new byte[checked((length + 1) * sizeof(int))];
    }

    public int Count { get; private set; }

    /// <summary>Ends the next row after <paramref name="childCount"/> child values in all.</summary>
    public void EndRow(int childCount)
    {
        Count++;
        MemoryMarshal.Cast<byte, int>(_offsets.AsSpan())[Count] = childCount;
    }

    public void EndNullRow(int childCount)
    {
        if (!_nullable)
        {
            throw new LanceSchemaException(
                $"{_modelType}.{_member} is null in row {Count}, but its column '{_column}' is not nullable. " +
                $"Set a list (empty is fine), or declare {_modelType}.{_member} as nullable to store nulls.");
        }

        _validity.SetNull(Count, _length);
        EndRow(childCount);
    }

    public readonly ListArray Build(Field item, IArrowArray values) =>
        new(new ListType(item), Count, new ArrowBuffer(_offsets.AsMemory(0, (Count + 1) * sizeof(int))), values, _validity.Build(), _validity.NullCount);
}

/// <summary>
/// Writes a list of fixed-width values (<c>List&lt;long&gt;</c>, <c>double[]</c>, …) as Arrow
/// <c>list&lt;T&gt;</c>, span-copying each list into one growing value buffer. Called by generated
/// code; not meant for direct use.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class PrimitiveListColumnWriter<T>
    where T : unmanaged
{
    private ListLayout _layout;
    private T[] _values;
    private int _valueCount;

    /// <summary>Creates a writer for <paramref name="length"/> rows.</summary>
    /// <param name="length">The number of rows in the batch.</param>
    /// <param name="nullable">Whether the column accepts nulls; when not, a null list throws <see cref="LanceSchemaException"/>.</param>
    /// <param name="modelType">The model type's name, for error messages.</param>
    /// <param name="member">The member's name, for error messages.</param>
    /// <param name="column">The column's name, for error messages.</param>
    public PrimitiveListColumnWriter(int length, bool nullable, string modelType, string member, string column)
    {
        _layout = new ListLayout(length, nullable, modelType, member, column);
        _values = new T[Math.Max(16, length * 4)];
    }

    /// <summary>Appends the next row's list; null becomes a null slot.</summary>
    /// <param name="values">The list.</param>
    public void Append(T[]? values)
    {
        if (values is null)
        {
            _layout.EndNullRow(_valueCount);
        }
        else
        {
            Append(values.AsSpan());
        }
    }

    /// <summary>Appends the next row's list; null becomes a null slot.</summary>
    /// <param name="values">The list.</param>
    public void Append(List<T>? values)
    {
        if (values is null)
        {
            _layout.EndNullRow(_valueCount);
        }
        else
        {
            Append(CollectionsMarshal.AsSpan(values));
        }
    }

    /// <summary>Appends the next row's list.</summary>
    /// <param name="values">The values.</param>
    public void Append(ReadOnlySpan<T> values)
    {
        if (_values.Length - _valueCount < values.Length)
        {
            System.Array.Resize(ref _values, Math.Max(_valueCount + values.Length, _values.Length * 2));
        }

        values.CopyTo(_values.AsSpan(_valueCount));
        _valueCount += values.Length;
        _layout.EndRow(_valueCount);
    }

    /// <summary>Returns the Arrow array of every list appended so far.</summary>
    public IArrowArray Build()
    {
        var bytes = MemoryMarshal.AsBytes(_values.AsSpan(0, _valueCount)).ToArray();
        var values = ArrowArrayFactory.BuildArray(new ArrayData(ArrowPrimitive<T>.Type, _valueCount, 0, 0, [ArrowBuffer.Empty, new ArrowBuffer(bytes)]));
        return _layout.Build(new Field("item", ArrowPrimitive<T>.Type, nullable: true), values);
    }
}

/// <summary>
/// Writes a list of strings (<c>List&lt;string&gt;</c>, <c>string[]</c>) as Arrow <c>list&lt;utf8&gt;</c>,
/// encoding each string straight into one data buffer. Null elements are null items. Called by
/// generated code; not meant for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class StringListColumnWriter
{
    private readonly StringListItems _items;
    private ListLayout _layout;

    /// <summary>Creates a writer for <paramref name="length"/> rows.</summary>
    /// <param name="length">The number of rows in the batch.</param>
    /// <param name="nullable">Whether the column accepts nulls; when not, a null list throws <see cref="LanceSchemaException"/>.</param>
    /// <param name="modelType">The model type's name, for error messages.</param>
    /// <param name="member">The member's name, for error messages.</param>
    /// <param name="column">The column's name, for error messages.</param>
    public StringListColumnWriter(int length, bool nullable, string modelType, string member, string column)
    {
        _layout = new ListLayout(length, nullable, modelType, member, column);
        _items = new StringListItems(length * 4, modelType, member, column);
    }

    /// <summary>Appends the next row's list; null becomes a null slot.</summary>
    /// <param name="values">The list.</param>
    public void Append(string?[]? values)
    {
        if (values is null)
        {
            _layout.EndNullRow(_items.Count);
            return;
        }

        foreach (var value in values)
        {
            _items.Append(value);
        }

        _layout.EndRow(_items.Count);
    }

    /// <summary>Appends the next row's list; null becomes a null slot.</summary>
    /// <param name="values">The list.</param>
    public void Append(List<string?>? values)
    {
        if (values is null)
        {
            _layout.EndNullRow(_items.Count);
            return;
        }

        foreach (var value in CollectionsMarshal.AsSpan(values))
        {
            _items.Append(value);
        }

        _layout.EndRow(_items.Count);
    }

    /// <summary>Returns the Arrow array of every list appended so far.</summary>
    public IArrowArray Build() => _layout.Build(new Field("item", StringType.Default, nullable: true), _items.Build());

    /// <summary>The utf8 child: a string writer whose row count grows with the items.</summary>
    private sealed class StringListItems(int capacity, string modelType, string member, string column)
    {
        private byte[] _offsets = new byte[(Math.Max(16, capacity) + 1) * sizeof(int)];
        private byte[] _data = new byte[Math.Max(64, capacity * 8)];
        private byte[]? _validity;
        private int _nullCount;
        private int _dataLength;

        public int Count { get; private set; }

        public void Append(string? value)
        {
            if ((Count + 2) * sizeof(int) > _offsets.Length)
            {
                System.Array.Resize(ref _offsets, _offsets.Length * 2);
            }

            if (value is null)
            {
                if (_validity is null)
                {
                    // Every item so far was valid.
                    _validity = new byte[BitUtility.ByteCount(Count + 1) * 2];
                    _validity.AsSpan().Fill(0xFF);
                }

                EnsureValidity();
                BitUtility.ClearBit(_validity, Count);
                _nullCount++;
            }
            else
            {
                if (_data.Length - _dataLength < value.Length * 3)
                {
                    VariableWidth.Reserve(ref _data, _dataLength, System.Text.Encoding.UTF8.GetByteCount(value), column, modelType, member);
                }

                _dataLength += System.Text.Encoding.UTF8.GetBytes(value, _data.AsSpan(_dataLength));
                if (_validity is not null)
                {
                    EnsureValidity();
                    BitUtility.SetBit(_validity, Count);
                }
            }

            Count++;
            MemoryMarshal.Cast<byte, int>(_offsets.AsSpan())[Count] = _dataLength;
        }

        public StringArray Build() =>
            new(Count, new ArrowBuffer(_offsets.AsMemory(0, (Count + 1) * sizeof(int))), new ArrowBuffer(_data.AsMemory(0, _dataLength)),
                _validity is null ? ArrowBuffer.Empty : new ArrowBuffer(_validity.AsMemory(0, BitUtility.ByteCount(Count))), _nullCount);

        private void EnsureValidity()
        {
            if (_validity!.Length < BitUtility.ByteCount(Count + 1))
            {
                System.Array.Resize(ref _validity, _validity.Length * 2);
            }
        }
    }
}

/// <summary>
/// Writes a list of nested models (<c>List&lt;Tag&gt;</c>, <c>Tag[]</c>) as Arrow <c>list&lt;struct&gt;</c>:
/// the elements are gathered (one reference each) and written by the nested model's generated
/// <see cref="ILanceModel{TSelf}.ToRecordBatch(ReadOnlySpan{TSelf}, BadVectorPolicy)"/>. Called by generated code; not meant for direct use.
/// </summary>
/// <typeparam name="T">The nested model.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ModelListColumnWriter<T>
    where T : ILanceModel<T>
{
    private readonly List<T> _items;
    private readonly string _modelType;
    private readonly string _member;
    private readonly BadVectorPolicy _badVectors;
    private ListLayout _layout;

    /// <summary>Creates a writer for <paramref name="length"/> rows.</summary>
    /// <param name="length">The number of rows in the batch.</param>
    /// <param name="nullable">Whether the column accepts nulls; when not, a null list throws <see cref="LanceSchemaException"/>.</param>
    /// <param name="modelType">The model type's name, for error messages.</param>
    /// <param name="member">The member's name, for error messages.</param>
    /// <param name="column">The column's name, for error messages.</param>
    /// <param name="badVectors">What the nested models' vectors of the wrong length become.</param>
    public ModelListColumnWriter(int length, bool nullable, string modelType, string member, string column, BadVectorPolicy badVectors = default)
    {
        _badVectors = badVectors;
        _layout = new ListLayout(length, nullable, modelType, member, column);
        _items = new List<T>(length);
        _modelType = modelType;
        _member = member;
    }

    /// <summary>Appends the next row's list; null becomes a null slot.</summary>
    /// <param name="values">The list.</param>
    public void Append(T[]? values)
    {
        if (values is null)
        {
            _layout.EndNullRow(_items.Count);
        }
        else
        {
            Append((ReadOnlySpan<T>)values);
        }
    }

    /// <summary>Appends the next row's list; null becomes a null slot.</summary>
    /// <param name="values">The list.</param>
    public void Append(List<T>? values)
    {
        if (values is null)
        {
            _layout.EndNullRow(_items.Count);
        }
        else
        {
            Append((ReadOnlySpan<T>)CollectionsMarshal.AsSpan(values));
        }
    }

    /// <summary>Returns the Arrow array of every list appended so far.</summary>
    public IArrowArray Build()
    {
        var batch = T.ToRecordBatch(CollectionsMarshal.AsSpan(_items), _badVectors);
        var type = new StructType(T.ArrowSchema.FieldsList);
        var values = new StructArray(type, _items.Count, batch.Arrays, ArrowBuffer.Empty, 0);
        return _layout.Build(new Field("item", type, nullable: true), values);
    }

    private void Append(ReadOnlySpan<T> values)
    {
        foreach (var value in values)
        {
            if (value is null)
            {
                throw new LanceSchemaException(
                    $"{_modelType}.{_member} in row {_layout.Count} holds a null element; lists of models cannot store null elements. Remove it.");
            }

            _items.Add(value);
        }

        _layout.EndRow(_items.Count);
    }
}
