using System.ComponentModel;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Serialization;

/// <summary>
/// Writes a <c>float[]</c> vector member as Arrow <c>fixed_size_list&lt;float32&gt;[dim]</c>: each
/// vector is span-copied into one float buffer sized for the whole batch. A null or empty vector
/// becomes a null slot (its embedding function fills it later). Called by generated
/// <see cref="ILanceModel{TSelf}.ToRecordBatch"/> code; not meant for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class VectorColumnWriter
{
    private readonly byte[] _values;
    private readonly int _length;
    private readonly int _dimensions;
    private readonly string _modelType;
    private readonly string _member;
    private readonly string _column;
    private ValidityBitmap _validity;
    private int _count;

    /// <summary>Creates a writer for <paramref name="length"/> vectors of <paramref name="dimensions"/> floats.</summary>
    /// <param name="length">The number of rows in the batch.</param>
    /// <param name="dimensions">The number of floats in each vector.</param>
    /// <param name="modelType">The model type's name, for error messages.</param>
    /// <param name="member">The member's name, for error messages.</param>
    /// <param name="column">The column's name, for error messages.</param>
    public VectorColumnWriter(int length, int dimensions, string modelType, string member, string column)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        _length = length;
        _dimensions = dimensions;
        _modelType = modelType;
        _member = member;
        _column = column;
        _values = new byte[checked(length * dimensions * sizeof(float))];
    }

    /// <summary>Appends the next row's vector.</summary>
    /// <param name="vector">The vector; null or empty for a null slot.</param>
    /// <exception cref="LanceSchemaException">The vector is neither empty nor of the column's dimension.</exception>
    public void Append(float[]? vector)
    {
        if (vector is null || vector.Length == 0)
        {
            _validity.SetNull(_count, _length);
        }
        else if (vector.Length != _dimensions)
        {
            throw new LanceSchemaException(
                $"{_modelType}.{_member} in row {_count} has {vector.Length} floats, but its column '{_column}' holds vectors of {_dimensions} " +
                $"(expected length {_dimensions}, actual length {vector.Length}). " +
                $"Pass a vector of {_dimensions} floats, or leave it empty for the embedding function to fill.");
        }
        else
        {
            MemoryMarshal.AsBytes(vector.AsSpan()).CopyTo(_values.AsSpan(_count * _dimensions * sizeof(float)));
        }

        _count++;
    }

    /// <summary>Returns the Arrow array of every vector appended so far.</summary>
    public IArrowArray Build()
    {
        var items = new ArrayData(
            FloatType.Default,
            _count * _dimensions,
            0,
            0,
            [ArrowBuffer.Empty, new ArrowBuffer(_values.AsMemory(0, _count * _dimensions * sizeof(float)))]);
        var list = new ArrayData(
            VectorField.CreateType(_dimensions),
            _count,
            _validity.NullCount,
            0,
            [_validity.Build()],
            [items]);
        return new FixedSizeListArray(list);
    }
}
