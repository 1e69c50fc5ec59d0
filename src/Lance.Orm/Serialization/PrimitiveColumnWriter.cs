using System.ComponentModel;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Serialization;

/// <summary>
/// Writes a fixed-width column (integers, <c>Half</c>, <c>float</c>, <c>double</c>, and the stored form of dates, times, UUIDs and decimals) straight into
/// one Arrow value buffer sized for the whole batch. Called by generated
/// <see cref="ILanceModel{TSelf}.ToRecordBatch"/> code; not meant for direct use.
/// </summary>
/// <typeparam name="T">The member's value type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class PrimitiveColumnWriter<T>
    where T : unmanaged
{
    private readonly byte[] _values;
    private readonly int _length;
    private readonly IArrowType _type;
    private ValidityBitmap _validity;
    private int _count;

    /// <summary>Creates a writer for <paramref name="length"/> rows.</summary>
    /// <param name="length">The number of rows in the batch.</param>
    public PrimitiveColumnWriter(int length)
        : this(length, ArrowPrimitive<T>.Type)
    {
    }

    /// <summary>Creates a writer for <paramref name="length"/> rows of the fixed-width Arrow type <paramref name="type"/>, whose values are <typeparamref name="T"/>s.</summary>
    /// <param name="length">The number of rows in the batch.</param>
    /// <param name="type">The Arrow type (such as <c>timestamp[us]</c> for <see cref="long"/> values).</param>
    public PrimitiveColumnWriter(int length, IArrowType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        _type = type;
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _length = length;
        _values = new byte[checked(length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>())];
    }

    /// <summary>Appends the next row's value.</summary>
    /// <param name="value">The value.</param>
    public void Append(T value)
    {
        MemoryMarshal.Cast<byte, T>(_values.AsSpan())[_count] = value;
        _count++;
    }

    /// <summary>Appends the next row's value; null becomes a null slot.</summary>
    /// <param name="value">The value, or null.</param>
    public void Append(T? value)
    {
        if (value is { } present)
        {
            MemoryMarshal.Cast<byte, T>(_values.AsSpan())[_count] = present;
        }
        else
        {
            _validity.SetNull(_count, _length);
        }

        _count++;
    }

    /// <summary>Returns the Arrow array of every value appended so far.</summary>
    public IArrowArray Build()
    {
        var size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        var data = new ArrayData(
            _type,
            _count,
            _validity.NullCount,
            0,
            [_validity.Build(), new ArrowBuffer(_values.AsMemory(0, _count * size))]);
        return ArrowArrayFactory.BuildArray(data);
    }
}
