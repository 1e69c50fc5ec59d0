using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Arrow;

/// <summary>Builds new arrays from chosen rows of existing ones (Arrow's "take").</summary>
internal static class ArrowTake
{
    /// <summary>Takes <paramref name="rows"/> (in that order) from every column of <paramref name="batch"/>.</summary>
    public static RecordBatch Take(RecordBatch batch, ReadOnlySpan<int> rows)
    {
        var columns = new IArrowArray[batch.ColumnCount];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = Take(batch.Column(i), rows);
        }

        return new RecordBatch(batch.Schema, columns, rows.Length);
    }

    /// <summary>Takes <paramref name="rows"/> (in that order) from <paramref name="array"/>.</summary>
    public static IArrowArray Take(IArrowArray array, ReadOnlySpan<int> rows)
    {
        return array switch
        {
            Int8Array a => TakePrimitive<sbyte>(a, rows),
            Int16Array a => TakePrimitive<short>(a, rows),
            Int32Array a => TakePrimitive<int>(a, rows),
            Int64Array a => TakePrimitive<long>(a, rows),
            UInt8Array a => TakePrimitive<byte>(a, rows),
            UInt16Array a => TakePrimitive<ushort>(a, rows),
            UInt32Array a => TakePrimitive<uint>(a, rows),
            UInt64Array a => TakePrimitive<ulong>(a, rows),
            FloatArray a => TakePrimitive<float>(a, rows),
            DoubleArray a => TakePrimitive<double>(a, rows),
            BooleanArray a => TakeBoolean(a, rows),
            StringArray a => TakeBinaryLike(a, rows, static (data) => new StringArray(data)),
            BinaryArray a when a is not StringArray => TakeBinaryLike(a, rows, static (data) => new BinaryArray(data)),
            FixedSizeListArray a => TakeFixedSizeList(a, rows),
            _ => throw new NotSupportedException($"Taking rows of Arrow type '{array.Data.DataType.Name}' is not supported yet."),
        };
    }

    private static IArrowArray TakePrimitive<T>(PrimitiveArray<T> array, ReadOnlySpan<int> rows)
        where T : struct, IEquatable<T>
    {
        var source = array.Values;
        var values = new ArrowBuffer.Builder<T>(rows.Length);
        var (validity, nulls) = TakeValidity(array, rows);
        foreach (var row in rows)
        {
            values.Append(source[row]);
        }

        var data = new ArrayData(array.Data.DataType, rows.Length, nulls, 0, [validity, values.Build()]);
        return ArrowArrayFactory.BuildArray(data);
    }

    private static BooleanArray TakeBoolean(BooleanArray array, ReadOnlySpan<int> rows)
    {
        var builder = new BooleanArray.Builder().Reserve(rows.Length);
        foreach (var row in rows)
        {
            var value = array.GetValue(row);
            if (value.HasValue)
            {
                builder.Append(value.Value);
            }
            else
            {
                builder.AppendNull();
            }
        }

        return builder.Build();
    }

    private static IArrowArray TakeBinaryLike(BinaryArray array, ReadOnlySpan<int> rows, Func<ArrayData, IArrowArray> create)
    {
        var offsets = new ArrowBuffer.Builder<int>(rows.Length + 1);
        var bytes = new ArrowBuffer.Builder<byte>();
        var (validity, nulls) = TakeValidity(array, rows);
        offsets.Append(0);
        var length = 0;
        foreach (var row in rows)
        {
            var value = array.GetBytes(row, out var isNull);
            if (!isNull)
            {
                bytes.Append(value);
                length += value.Length;
            }

            offsets.Append(length);
        }

        var data = new ArrayData(array.Data.DataType, rows.Length, nulls, 0, [validity, offsets.Build(), bytes.Build()]);
        return create(data);
    }

    private static FixedSizeListArray TakeFixedSizeList(FixedSizeListArray array, ReadOnlySpan<int> rows)
    {
        var type = (FixedSizeListType)array.Data.DataType;
        var size = type.ListSize;
        var (validity, nulls) = TakeValidity(array, rows);
        var childRows = new int[rows.Length * size];
        for (var i = 0; i < rows.Length; i++)
        {
            var start = (array.Offset + rows[i]) * size;
            for (var j = 0; j < size; j++)
            {
                childRows[(i * size) + j] = start + j;
            }
        }

        // Values is the whole child array; the list's own offset says where its first row starts.
        var child = Take(array.Values, childRows);
        var data = new ArrayData(type, rows.Length, nulls, 0, [validity], [child.Data]);
        return new FixedSizeListArray(data);
    }

    private static (ArrowBuffer Validity, int NullCount) TakeValidity(IArrowArray array, ReadOnlySpan<int> rows)
    {
        if (array.NullCount == 0)
        {
            return (ArrowBuffer.Empty, 0);
        }

        var bits = new byte[(rows.Length + 7) / 8];
        var nulls = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            if (array.IsValid(rows[i]))
            {
                bits[i >> 3] |= (byte)(1 << (i & 7));
            }
            else
            {
                nulls++;
            }
        }

        return (new ArrowBuffer(bits), nulls);
    }

    /// <summary>The values of a fixed-size list of float32, flattened, as a span over the Arrow buffer.</summary>
    public static ReadOnlySpan<float> FlatValues(FixedSizeListArray array)
    {
        var values = (FloatArray)array.Values;
        var size = ((FixedSizeListType)array.Data.DataType).ListSize;
        return values.Values.Slice(array.Offset * size, array.Length * size);
    }
}
