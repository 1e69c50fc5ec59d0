using System.Runtime.InteropServices;
using System.Text;
using Apache.Arrow;

namespace Lance.Orm.Serialization;

/// <summary>Growth of the data buffer of a variable-width (utf8, binary) column.</summary>
internal static class VariableWidth
{
    /// <summary>Makes room for <paramref name="bytes"/> more bytes after <paramref name="used"/>, doubling the buffer.</summary>
    public static void Reserve(ref byte[] data, int used, int bytes, string column, string modelType, string member)
    {
        var needed = (long)used + bytes;
        if (needed <= data.Length)
        {
            return;
        }

        if (needed > System.Array.MaxLength)
        {
            throw new LanceSchemaException(
                $"Column '{column}' ({modelType}.{member}) holds more than 2 GB in one batch. Write the rows in smaller batches.");
        }

        System.Array.Resize(ref data, (int)Math.Min(System.Array.MaxLength, Math.Max(needed, (long)data.Length * 2)));
    }
}

/// <summary>
/// The offsets, data and validity of a utf8 or binary column being written, shared by
/// <see cref="StringColumnWriter"/> and <see cref="BinaryColumnWriter"/>. Every offset is written and
/// only the written part of the data is handed to Arrow, so neither buffer is zeroed first.
/// </summary>
internal struct VariableWidthBuilder
{
    private readonly byte[] _offsets;
    private readonly int _length;
    private readonly bool _nullable;
    private readonly string _modelType;
    private readonly string _member;
    private readonly string _column;
    private readonly string _nullableSpelling;
    private byte[] _data;
    private int _dataLength;
    private ValidityBitmap _validity;
    private int _count;

    /// <param name="length">The number of rows in the batch.</param>
    /// <param name="nullable">Whether nulls are accepted.</param>
    /// <param name="modelType">The model type's name, for error messages.</param>
    /// <param name="member">The member's name, for error messages.</param>
    /// <param name="column">The column's name, for error messages.</param>
    /// <param name="nullableSpelling">The member's nullable C# type (<c>string?</c>), for the error on a null.</param>
    public VariableWidthBuilder(int length, bool nullable, string modelType, string member, string column, string nullableSpelling)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _length = length;
        _nullable = nullable;
        _modelType = modelType;
        _member = member;
        _column = column;
        _nullableSpelling = nullableSpelling;
        _offsets = GC.AllocateUninitializedArray<byte>(checked((length + 1) * sizeof(int)));
        MemoryMarshal.Cast<byte, int>(_offsets.AsSpan())[0] = 0;
        _data = GC.AllocateUninitializedArray<byte>(Math.Max(64, length * 16));
    }

    /// <summary>Appends a null, or throws when the column is not nullable.</summary>
    public void AppendNull()
    {
        if (!_nullable)
        {
            throw new LanceSchemaException(
                $"{_modelType}.{_member} is null in row {_count}, but its column '{_column}' is not nullable. " +
                $"Set a value, or declare {_modelType}.{_member} as {_nullableSpelling} to store nulls.");
        }

        _validity.SetNull(_count, _length);
        EndValue();
    }

    /// <summary>Appends a value's bytes.</summary>
    public void Append(ReadOnlySpan<byte> value)
    {
        VariableWidth.Reserve(ref _data, _dataLength, value.Length, _column, _modelType, _member);
        value.CopyTo(_data.AsSpan(_dataLength));
        _dataLength += value.Length;
        EndValue();
    }

    /// <summary>Appends a string's UTF-8 bytes, encoded straight into the data buffer.</summary>
    public void AppendUtf8(string value)
    {
        // Most text is ASCII: try the cheap bound first and count exactly only when it might not fit.
        if (_data.Length - _dataLength < value.Length * 3)
        {
            VariableWidth.Reserve(ref _data, _dataLength, Encoding.UTF8.GetByteCount(value), _column, _modelType, _member);
        }

        _dataLength += Encoding.UTF8.GetBytes(value, _data.AsSpan(_dataLength));
        EndValue();
    }

    /// <summary>The number of values appended so far.</summary>
    public readonly int Count => _count;

    /// <summary>The offsets buffer of the values appended so far.</summary>
    public readonly ArrowBuffer Offsets => new(_offsets.AsMemory(0, (_count + 1) * sizeof(int)));

    /// <summary>The data buffer of the values appended so far.</summary>
    public readonly ArrowBuffer Data => new(_data.AsMemory(0, _dataLength));

    /// <summary>The validity bitmap (empty when every value is valid).</summary>
    public readonly ArrowBuffer Validity => _validity.Build();

    /// <summary>The number of nulls appended.</summary>
    public readonly int NullCount => _validity.NullCount;

    private void EndValue()
    {
        _count++;
        MemoryMarshal.Cast<byte, int>(_offsets.AsSpan())[_count] = _dataLength;
    }
}

/// <summary>
/// The offsets, data and validity of a utf8 or binary column being read, shared by
/// <see cref="StringColumnReader"/> and <see cref="BinaryColumnReader"/>.
/// </summary>
internal readonly ref struct VariableWidthColumn
{
    private readonly ReadOnlySpan<int> _offsets;
    private readonly ReadOnlySpan<byte> _data;
    private readonly ReadOnlySpan<byte> _validity;
    private readonly int _offset;

    /// <summary>Views <paramref name="data"/>; a null <paramref name="data"/> is an absent column.</summary>
    public VariableWidthColumn(ArrayData? data)
    {
        if (data is null)
        {
            return;
        }

        _offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(data.Offset, data.Length + 1);
        _data = data.Buffers[2].Span;
        _validity = ColumnLookup.Validity(data);
        _offset = data.Offset;
        IsPresent = true;
    }

    /// <summary>Whether the batch has the column.</summary>
    public bool IsPresent { get; }

    /// <summary>The bytes of <paramref name="row"/> in place: empty for a null or when the column is absent.</summary>
    public ReadOnlySpan<byte> Bytes(int row)
    {
        if (!IsPresent)
        {
            return default;
        }

        var start = _offsets[row];
        return _data.Slice(start, _offsets[row + 1] - start);
    }

    /// <summary>Whether <paramref name="row"/> is null (false when the column is absent).</summary>
    public bool IsNull(int row) => !_validity.IsEmpty && !BitUtility.GetBit(_validity, _offset + row);
}
