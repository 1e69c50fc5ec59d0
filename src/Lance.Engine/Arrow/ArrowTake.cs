using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Arrow;

/// <summary>Builds new arrays from chosen rows of existing ones (Arrow's "take"), for every type the engine stores.</summary>
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
    public static IArrowArray Take(IArrowArray array, ReadOnlySpan<int> rows) => ArrowArrayFactory.BuildArray(TakeData(array.Data, rows));

    /// <summary>
    /// Takes <paramref name="rows"/> (in that order) from one column whose rows lie in consecutive
    /// <paramref name="pieces"/> (row i of the column is row i - (rows before it) of its piece).
    /// </summary>
    public static IArrowArray Take(IReadOnlyList<IArrowArray> pieces, ReadOnlySpan<int> rows)
    {
        if (pieces.Count == 1 || rows.IsEmpty)
        {
            return Take(pieces[0], rows);
        }

        var starts = new long[pieces.Count + 1];
        for (var i = 0; i < pieces.Count; i++)
        {
            starts[i + 1] = starts[i] + pieces[i].Length;
        }

        // Take each piece's rows in one go, then put them back in the order asked for.
        var pieceOf = new int[rows.Length];
        var counts = new int[pieces.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var found = System.Array.BinarySearch(starts, (long)rows[i]);
            var piece = found >= 0 ? found : ~found - 1;
            if (piece < 0 || piece >= pieces.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), rows[i], $"Row {rows[i]} is outside a column of {starts[^1]} rows.");
            }

            pieceOf[i] = piece;
            counts[piece]++;
        }

        var taken = new List<IArrowArray>();
        var firstOut = new int[pieces.Count];
        var position = 0;
        for (var piece = 0; piece < pieces.Count; piece++)
        {
            if (counts[piece] == 0)
            {
                continue;
            }

            var local = new int[counts[piece]];
            var n = 0;
            for (var i = 0; i < rows.Length; i++)
            {
                if (pieceOf[i] == piece)
                {
                    local[n++] = (int)(rows[i] - starts[piece]);
                }
            }

            taken.Add(Take(pieces[piece], local));
            firstOut[piece] = position;
            position += n;
        }

        var order = new int[rows.Length];
        var next = (int[])firstOut.Clone();
        for (var i = 0; i < rows.Length; i++)
        {
            order[i] = next[pieceOf[i]]++;
        }

        return Take(taken.Count == 1 ? taken[0] : ArrowConcat.Concatenate(taken), order);
    }

    /// <summary>Takes rows (logical indices of <paramref name="data"/>) into new buffers.</summary>
    public static ArrayData TakeData(ArrayData data, ReadOnlySpan<int> rows)
    {
        if (data.DataType is NullType)
        {
            // Arrow's Null type has no buffers: every row is null.
            return new NullArray(rows.Length).Data;
        }

        var (validity, nulls) = TakeValidity(data, rows);
        switch (data.DataType)
        {
            case BooleanType:
            {
                var bits = new byte[(rows.Length + 7) / 8];
                var source = data.Buffers[1].Span;
                for (int i = 0; i < rows.Length; i++)
                {
                    int bit = data.Offset + rows[i];
                    if ((source[bit >> 3] & (1 << (bit & 7))) != 0)
                    {
                        bits[i >> 3] |= (byte)(1 << (i & 7));
                    }
                }

                return new ArrayData(data.DataType, rows.Length, nulls, 0, [validity, new ArrowBuffer(bits)]);
            }

            case StringType or BinaryType:
                return TakeVariable<int>(data, rows, validity, nulls);
            case LargeStringType or LargeBinaryType:
                return TakeVariable<long>(data, rows, validity, nulls);
            case FixedSizeListType list when data.Children[0] is { DataType: FixedWidthType { BitWidth: var bits } } child
                && bits % 8 == 0 && (child.NullCount == 0 || child.Buffers[0].IsEmpty):
            {
                // Vectors: each row's values are one contiguous run of bytes, copied whole (runs of
                // consecutive rows in one copy) instead of value by value.
                int valueBytes = bits / 8;
                int rowBytes = list.ListSize * valueBytes;
                long start = ((long)child.Offset * valueBytes) + ((long)data.Offset * rowBytes);
                var values = new ArrayData(child.DataType, rows.Length * list.ListSize, 0, 0, [ArrowBuffer.Empty, TakeRows(child.Buffers[1].Span, start, rows, rowBytes)]);
                return new ArrayData(data.DataType, rows.Length, nulls, 0, [validity], [values]);
            }

            case FixedSizeListType list:
            {
                int size = list.ListSize;
                var childRows = new int[rows.Length * size];
                for (int i = 0; i < rows.Length; i++)
                {
                    int start = (data.Offset + rows[i]) * size;
                    for (int j = 0; j < size; j++)
                    {
                        childRows[(i * size) + j] = start + j;
                    }
                }

                return new ArrayData(data.DataType, rows.Length, nulls, 0, [validity], [TakeData(data.Children[0], childRows)]);
            }

            case ListType:
                return TakeList<int>(data, rows, validity, nulls);
            case LargeListType:
                return TakeList<long>(data, rows, validity, nulls);
            case StructType:
            {
                var childRows = new int[rows.Length];
                for (int i = 0; i < rows.Length; i++)
                {
                    childRows[i] = data.Offset + rows[i];
                }

                return new ArrayData(data.DataType, rows.Length, nulls, 0, [validity], [.. data.Children.Select(c => TakeData(c, childRows))]);
            }

            case DictionaryType dictionary:
            {
                var indices = TakeFixed(data, rows, ((FixedWidthType)dictionary.IndexType).BitWidth / 8);
                return new ArrayData(data.DataType, rows.Length, nulls, 0, [validity, indices], [], data.Dictionary);
            }

            case FixedSizeBinaryType binary:
                return new ArrayData(data.DataType, rows.Length, nulls, 0, [validity, TakeFixed(data, rows, binary.ByteWidth)]);
            case FixedWidthType fixedWidth:
                return new ArrayData(data.DataType, rows.Length, nulls, 0, [validity, TakeFixed(data, rows, fixedWidth.BitWidth / 8)]);
            default:
                throw new NotSupportedException($"Taking rows of Arrow type '{data.DataType.Name}' is not supported.");
        }
    }

    private static ArrowBuffer TakeFixed(ArrayData data, ReadOnlySpan<int> rows, int width) =>
        TakeRows(data.Buffers[1].Span, (long)data.Offset * width, rows, width);

    /// <summary>
    /// Copies the <paramref name="rowBytes"/>-byte rows <paramref name="rows"/> of
    /// <paramref name="source"/> (row r starting at byte <paramref name="start"/> + r × rowBytes) into a
    /// new buffer, one copy per run of consecutive rows.
    /// </summary>
    private static ArrowBuffer TakeRows(ReadOnlySpan<byte> source, long start, ReadOnlySpan<int> rows, int rowBytes)
    {
        var values = GC.AllocateUninitializedArray<byte>(checked(rows.Length * rowBytes));
        var i = 0;
        while (i < rows.Length)
        {
            var first = rows[i];
            var run = 1;
            while (i + run < rows.Length && rows[i + run] == first + run)
            {
                run++;
            }

            source.Slice(checked((int)(start + ((long)first * rowBytes))), run * rowBytes).CopyTo(values.AsSpan(i * rowBytes));
            i += run;
        }

        return new ArrowBuffer(values);
    }

    private static ArrayData TakeVariable<T>(ArrayData data, ReadOnlySpan<int> rows, ArrowBuffer validity, int nulls)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        var offsets = MemoryMarshal.Cast<byte, T>(data.Buffers[1].Span);
        var bytes = data.Buffers[2].Span;
        var newOffsets = new T[rows.Length + 1];
        long total = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            int p = data.Offset + rows[i];
            total += long.CreateChecked(offsets[p + 1] - offsets[p]);
            newOffsets[i + 1] = T.CreateChecked(total);
        }

        var newBytes = new byte[total];
        for (int i = 0; i < rows.Length; i++)
        {
            int p = data.Offset + rows[i];
            int start = int.CreateChecked(offsets[p]);
            int length = int.CreateChecked(offsets[p + 1] - offsets[p]);
            bytes.Slice(start, length).CopyTo(newBytes.AsSpan(int.CreateChecked(newOffsets[i])));
        }

        return new ArrayData(data.DataType, rows.Length, nulls, 0, [validity, new ArrowBuffer(MemoryMarshal.AsBytes(newOffsets.AsSpan()).ToArray()), new ArrowBuffer(newBytes)]);
    }

    private static ArrayData TakeList<T>(ArrayData data, ReadOnlySpan<int> rows, ArrowBuffer validity, int nulls)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        var offsets = MemoryMarshal.Cast<byte, T>(data.Buffers[1].Span);
        var newOffsets = new T[rows.Length + 1];
        var childRows = new List<int>();
        for (int i = 0; i < rows.Length; i++)
        {
            int p = data.Offset + rows[i];
            int start = int.CreateChecked(offsets[p]);
            int end = int.CreateChecked(offsets[p + 1]);
            for (int c = start; c < end; c++)
            {
                childRows.Add(c);
            }

            newOffsets[i + 1] = T.CreateChecked(childRows.Count);
        }

        var child = TakeData(data.Children[0], CollectionsMarshal.AsSpan(childRows));
        return new ArrayData(data.DataType, rows.Length, nulls, 0, [validity, new ArrowBuffer(MemoryMarshal.AsBytes(newOffsets.AsSpan()).ToArray())], [child]);
    }

    private static (ArrowBuffer Validity, int NullCount) TakeValidity(ArrayData data, ReadOnlySpan<int> rows)
    {
        if (data.NullCount == 0 || data.Buffers[0].IsEmpty)
        {
            return (ArrowBuffer.Empty, 0);
        }

        var source = data.Buffers[0].Span;
        var bits = new byte[(rows.Length + 7) / 8];
        var nulls = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            int bit = data.Offset + rows[i];
            if ((source[bit >> 3] & (1 << (bit & 7))) != 0)
            {
                bits[i >> 3] |= (byte)(1 << (i & 7));
            }
            else
            {
                nulls++;
            }
        }

        return nulls == 0 ? (ArrowBuffer.Empty, 0) : (new ArrowBuffer(bits), nulls);
    }

    /// <summary>The values of a fixed-size list of float32, flattened, as a span over the Arrow buffer.</summary>
    public static ReadOnlySpan<float> FlatValues(FixedSizeListArray array)
    {
        var values = (FloatArray)array.Values;
        var size = ((FixedSizeListType)array.Data.DataType).ListSize;
        return values.Values.Slice(array.Offset * size, array.Length * size);
    }
}
