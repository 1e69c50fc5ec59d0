using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;
using Apache.Arrow;

namespace Lance.Orm.Serialization;

/// <summary>
/// Writes a <c>string</c> column as Arrow utf8: each value is encoded straight into the value
/// buffer, with no intermediate byte arrays. Called by generated
/// <see cref="ILanceModel{TSelf}.ToRecordBatch"/> code; not meant for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class StringColumnWriter
{
    private readonly byte[] _offsets;
    private readonly int _length;
    private readonly bool _nullable;
    private readonly string _modelType;
    private readonly string _member;
    private readonly string _column;
    private byte[] _data;
    private int _dataLength;
    private ValidityBitmap _validity;
    private int _count;

    /// <summary>Creates a writer for <paramref name="length"/> rows of the member <paramref name="modelType"/>.<paramref name="member"/>.</summary>
    /// <param name="length">The number of rows in the batch.</param>
    /// <param name="nullable">Whether the column accepts nulls; when not, a null value throws <see cref="LanceSchemaException"/>.</param>
    /// <param name="modelType">The model type's name, for error messages.</param>
    /// <param name="member">The member's name, for error messages.</param>
    /// <param name="column">The column's name, for error messages.</param>
    public StringColumnWriter(int length, bool nullable, string modelType, string member, string column)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _length = length;
        _nullable = nullable;
        _modelType = modelType;
        _member = member;
        _column = column;
        // Every offset is written and only the written part of the data is handed to Arrow, so neither is zeroed first.
        _offsets = GC.AllocateUninitializedArray<byte>(checked((length + 1) * sizeof(int)));
        MemoryMarshal.Cast<byte, int>(_offsets.AsSpan())[0] = 0;
        _data = GC.AllocateUninitializedArray<byte>(Math.Max(64, length * 16));
    }

    /// <summary>Appends the next row's value.</summary>
    /// <param name="value">The value; null only when the column is nullable.</param>
    /// <exception cref="LanceSchemaException">The value is null and the column is not nullable.</exception>
    public void Append(string? value)
    {
        if (value is null)
        {
            if (!_nullable)
            {
                throw new LanceSchemaException(
                    $"{_modelType}.{_member} is null in row {_count}, but its column '{_column}' is not nullable. " +
                    $"Set a value, or declare {_modelType}.{_member} as string? to store nulls.");
            }

            _validity.SetNull(_count, _length);
        }
        else
        {
            // Most text is ASCII: try the cheap bound first and count exactly only when it might not fit.
            if (_data.Length - _dataLength < value.Length * 3)
            {
                Reserve(Encoding.UTF8.GetByteCount(value));
            }

            _dataLength += Encoding.UTF8.GetBytes(value, _data.AsSpan(_dataLength));
        }

        _count++;
        MemoryMarshal.Cast<byte, int>(_offsets.AsSpan())[_count] = _dataLength;
    }

    /// <summary>Returns the Arrow array of every value appended so far.</summary>
    public IArrowArray Build()
    {
        return new StringArray(
            _count,
            new ArrowBuffer(_offsets.AsMemory(0, (_count + 1) * sizeof(int))),
            new ArrowBuffer(_data.AsMemory(0, _dataLength)),
            _validity.Build(),
            _validity.NullCount);
    }

    private void Reserve(int bytes)
    {
        var needed = (long)_dataLength + bytes;
        if (needed > System.Array.MaxLength)
        {
            throw new LanceSchemaException(
                $"Column '{_column}' ({_modelType}.{_member}) holds more than 2 GB of text in one batch. Write the rows in smaller batches.");
        }

        if (needed > _data.Length)
        {
            System.Array.Resize(ref _data, (int)Math.Min(System.Array.MaxLength, Math.Max(needed, (long)_data.Length * 2)));
        }
    }
}
