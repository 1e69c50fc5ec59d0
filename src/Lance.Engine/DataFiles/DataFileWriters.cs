using Apache.Arrow;

namespace Lance.Engine.DataFiles;

/// <summary>Helpers shared by the streaming writers of every file format.</summary>
internal static class DataFileWriters
{
    /// <summary>Adds every batch to <paramref name="writer"/>, finishes the file and disposes the writer.</summary>
    public static DataFileInfo WriteAll(IDataFileWriter writer, IReadOnlyList<RecordBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        using (writer)
        {
            foreach (var batch in batches)
            {
                writer.Append(batch);
            }

            return writer.Finish();
        }
    }

    /// <summary>
    /// The bytes of <paramref name="array"/>'s rows as a page would hold them, to decide when a
    /// column has a page's worth: exact for fixed-width and variable-width values, the size of its
    /// buffers (all of them, even for a slice) otherwise.
    /// </summary>
    public static long EstimateBytes(IArrowArray array) => EstimateBytes(array.Data);

    /// <inheritdoc cref="EstimateBytes(IArrowArray)"/>
    public static long EstimateBytes(ArrayData data)
    {
        int bits = Format.LanceLogicalTypes.FixedWidthBits(data.DataType);
        if (bits > 0)
        {
            return ((long)data.Length * bits + 7) / 8;
        }

        if (Format.LanceLogicalTypes.IsVariableWidth(data.DataType) && data.Buffers.Length > 2)
        {
            var offsets = data.Buffers[1].Span;
            if (offsets.IsEmpty || data.Length == 0)
            {
                return 0;
            }

            return Format.LanceLogicalTypes.HasLargeOffsets(data.DataType)
                ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(offsets)[data.Offset + data.Length] - System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(offsets)[data.Offset]
                : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(offsets)[data.Offset + data.Length] - System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(offsets)[data.Offset];
        }

        return BufferBytes(data);
    }

    /// <summary>The arrays' rows from <paramref name="skip"/> on (the leading ones dropped, the first kept one sliced).</summary>
    public static List<IArrowArray> DropRows(List<IArrowArray> arrays, long skip)
    {
        var kept = new List<IArrowArray>(arrays.Count);
        foreach (var array in arrays)
        {
            if (skip >= array.Length)
            {
                skip -= array.Length;
                continue;
            }

            kept.Add(skip == 0 ? array : ArrowArrayFactory.Slice(array, (int)skip, array.Length - (int)skip));
            skip = 0;
        }

        return kept;
    }

    /// <summary>The arrays' rows from <paramref name="skip"/> on (the leading ones dropped, the first kept one sliced).</summary>
    public static List<ArrayData> DropRows(List<ArrayData> arrays, long skip)
    {
        var kept = new List<ArrayData>(arrays.Count);
        foreach (var data in arrays)
        {
            if (skip >= data.Length)
            {
                skip -= data.Length;
                continue;
            }

            kept.Add(skip == 0 ? data : data.Slice((int)skip, data.Length - (int)skip));
            skip = 0;
        }

        return kept;
    }

    private static long BufferBytes(ArrayData data)
    {
        long bytes = 0;
        foreach (var buffer in data.Buffers)
        {
            bytes += buffer.Length;
        }

        foreach (var child in data.Children ?? [])
        {
            bytes += BufferBytes(child);
        }

        return bytes;
    }
}
