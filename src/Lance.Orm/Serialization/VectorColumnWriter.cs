using System.ComponentModel;
using System.Runtime.InteropServices;
using Apache.Arrow;

namespace Lance.Orm.Serialization;

/// <summary>
/// Writes a vector member (<c>float[]</c>, <c>Half[]</c>, <c>byte[]</c>, <c>ReadOnlyMemory&lt;float&gt;</c>)
/// as Arrow <c>fixed_size_list&lt;T&gt;[dim]</c>: each vector is span-copied into one value buffer sized
/// for the whole batch. A null or empty vector becomes a null slot (its embedding function fills it
/// later). Called by generated <see cref="ILanceModel{TSelf}.ToRecordBatch(ReadOnlySpan{TSelf}, BadVectorPolicy)"/> code; not meant for direct use.
/// </summary>
/// <typeparam name="T">The element type: <see cref="float"/>, <see cref="Half"/> or <see cref="byte"/>.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class VectorColumnWriter<T>
    where T : unmanaged
{
    private readonly byte[] _values;
    private readonly int _length;
    private readonly int _dimensions;
    private readonly string _modelType;
    private readonly string _member;
    private readonly string _column;
    private readonly BadVectorPolicy _badVectors;
    private ValidityBitmap _validity;
    private int _count;

    /// <summary>Creates a writer for <paramref name="length"/> vectors of <paramref name="dimensions"/> elements.</summary>
    /// <param name="length">The number of rows in the batch.</param>
    /// <param name="dimensions">The number of elements in each vector.</param>
    /// <param name="modelType">The model type's name, for error messages.</param>
    /// <param name="member">The member's name, for error messages.</param>
    /// <param name="column">The column's name, for error messages.</param>
    /// <param name="badVectors">What a vector of the wrong length becomes: an error (the default), the fill vector, or null.</param>
    public VectorColumnWriter(int length, int dimensions, string modelType, string member, string column, BadVectorPolicy badVectors = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        _length = length;
        _dimensions = dimensions;
        _modelType = modelType;
        _member = member;
        _column = column;
        _badVectors = badVectors;
        _values = GC.AllocateUninitializedArray<byte>(checked(length * dimensions * System.Runtime.CompilerServices.Unsafe.SizeOf<T>()));
    }

    /// <summary>Appends the next row's vector.</summary>
    /// <param name="vector">The vector; null or empty for a null slot.</param>
    /// <exception cref="LanceSchemaException">The vector is neither empty nor of the column's dimension, and the policy is to throw.</exception>
    public void Append(T[]? vector) => Append(new ReadOnlySpan<T>(vector));

    /// <summary>Appends the next row's vector.</summary>
    /// <param name="vector">The vector; empty for a null slot.</param>
    /// <exception cref="LanceSchemaException">The vector is neither empty nor of the column's dimension, and the policy is to throw.</exception>
    public void Append(ReadOnlyMemory<T> vector) => Append(vector.Span);

    /// <summary>Appends the next row's vector.</summary>
    /// <param name="vector">The vector; null or empty for a null slot.</param>
    /// <exception cref="LanceSchemaException">The vector is neither empty nor of the column's dimension, and the policy is to throw.</exception>
    public void Append(ReadOnlyMemory<T>? vector) => Append(vector.GetValueOrDefault().Span);

    /// <summary>Appends the next row's vector.</summary>
    /// <param name="vector">The vector; empty for a null slot.</param>
    /// <exception cref="LanceSchemaException">The vector is neither empty nor of the column's dimension, and the policy is to throw.</exception>
    public void Append(ReadOnlySpan<T> vector)
    {
        var slot = MemoryMarshal.Cast<byte, T>(_values.AsSpan()).Slice(_count * _dimensions, _dimensions);
        if (vector.IsEmpty)
        {
            _validity.SetNull(_count, _length);
            slot.Clear();
        }
        else if (vector.Length != _dimensions && _badVectors.Handling == BadVectorHandling.Null)
        {
            _validity.SetNull(_count, _length); // asked for: a wrong length becomes a null vector
            slot.Clear();
        }
        else if (vector.Length != _dimensions && _badVectors.Handling == BadVectorHandling.Fill)
        {
            slot.Fill(FillValueOf(_badVectors.FillValue)); // asked for: a wrong length becomes the fill vector
        }
        else if (vector.Length != _dimensions)
        {
            throw new LanceSchemaException(
                $"{_modelType}.{_member} in row {_count} has {vector.Length} elements, but its column '{_column}' holds vectors of {_dimensions} " +
                $"(expected length {_dimensions}, actual length {vector.Length}). " +
                $"Pass a vector of {_dimensions} elements, or leave it empty for the embedding function to fill.");
        }
        else
        {
            vector.CopyTo(slot);
        }

        _count++;
    }

    private static T FillValueOf(float value)
    {
        if (typeof(T) == typeof(float))
        {
            return (T)(object)value;
        }

        if (typeof(T) == typeof(Half))
        {
            return (T)(object)(Half)value;
        }

        return typeof(T) == typeof(byte) ? (T)(object)(byte)Math.Clamp(MathF.Round(value), 0, 255) : default;
    }

    /// <summary>Returns the Arrow array of every vector appended so far.</summary>
    public IArrowArray Build()
    {
        var size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        var items = new ArrayData(
            ArrowPrimitive<T>.Type,
            _count * _dimensions,
            0,
            0,
            [ArrowBuffer.Empty, new ArrowBuffer(_values.AsMemory(0, _count * _dimensions * size))]);
        var list = new ArrayData(
            VectorField.CreateType(_dimensions, ArrowPrimitive<T>.Type),
            _count,
            _validity.NullCount,
            0,
            [_validity.Build()],
            [items]);
        return new FixedSizeListArray(list);
    }
}
