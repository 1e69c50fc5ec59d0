using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Serialization;

/// <summary>
/// Writes a fixed-width column (integers, <c>Half</c>, <c>float</c>, <c>double</c>, and the stored form of dates, times, UUIDs and decimals) straight into
/// one Arrow value buffer sized for the whole batch. Called by generated
/// <see cref="ILanceModel{TSelf}.ToRecordBatch(ReadOnlySpan{TSelf}, BadVectorPolicy)"/> code; not meant for direct use.
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
        // Every slot is written (a null slot with default), so the buffer need not be zeroed first.
        _values = GC.AllocateUninitializedArray<byte>(checked(length * Unsafe.SizeOf<T>()));
    }

    /// <summary>Appends the next row's value.</summary>
    /// <param name="value">The value.</param>
    public void Append(T value)
    {
        if ((uint)_count >= (uint)_length)
        {
            ThrowFull();
        }

        // One bounds check above instead of a span cast and index per value: this is the hot loop.
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_values), (nint)_count * Unsafe.SizeOf<T>()), value);
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
            MemoryMarshal.Cast<byte, T>(_values.AsSpan())[_count] = default;
            _validity.SetNull(_count, _length);
        }

        _count++;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowFull() => throw new InvalidOperationException($"The writer was created for {_length} rows; no more can be appended.");

    /// <summary>Returns the Arrow array of every value appended so far.</summary>
    public IArrowArray Build()
    {
        var size = Unsafe.SizeOf<T>();
        var data = new ArrayData(
            _type,
            _count,
            _validity.NullCount,
            0,
            [_validity.Build(), new ArrowBuffer(_values.AsMemory(0, _count * size))]);
        return ArrowArrayFactory.BuildArray(data);
    }
}
