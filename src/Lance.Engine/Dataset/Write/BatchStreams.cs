using System.Runtime.CompilerServices;
using Apache.Arrow;

namespace Lance.Engine.Dataset;

/// <summary>Helpers for batch sequences and their sizes.</summary>
internal static class BatchStreams
{
    /// <summary>A synchronous sequence as an asynchronous one.</summary>
    public static async IAsyncEnumerable<RecordBatch> From(IEnumerable<RecordBatch> batches, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var batch in batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return batch;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>The bytes of Arrow buffers a batch holds (children included), as a size estimate.</summary>
    public static long SizeOf(RecordBatch batch)
    {
        long total = 0;
        for (var c = 0; c < batch.ColumnCount; c++)
        {
            total += SizeOf(batch.Column(c).Data);
        }

        return total;
    }

    // Slices share their parent's buffers, so sizes come from the slice's own range.
    private static long SizeOf(ArrayData data)
    {
        long validity = data.NullCount > 0 ? (data.Length + 7) / 8 : 0;
        switch (data.DataType)
        {
            case Apache.Arrow.Types.FixedSizeListType list:
                var child = data.Children[0];
                return validity + SizeOf(child.Slice(data.Offset * list.ListSize, data.Length * list.ListSize));
            case Apache.Arrow.Types.StringType or Apache.Arrow.Types.BinaryType:
                var offsets = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span);
                return data.Length == 0 ? 0 : validity + (4L * data.Length) + offsets[data.Offset + data.Length] - offsets[data.Offset];
            case Apache.Arrow.Types.LargeStringType or Apache.Arrow.Types.LargeBinaryType:
                var large = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(data.Buffers[1].Span);
                return data.Length == 0 ? 0 : validity + (8L * data.Length) + large[data.Offset + data.Length] - large[data.Offset];
            case Apache.Arrow.Types.FixedWidthType fixedWidth:
                return validity + (((long)data.Length * fixedWidth.BitWidth) + 7) / 8;
        }

        long total = 0;
        foreach (var buffer in data.Buffers)
        {
            total += buffer.Length;
        }

        foreach (var child in data.Children ?? [])
        {
            total += SizeOf(child);
        }

        if (data.Dictionary is { } dictionary)
        {
            total += SizeOf(dictionary);
        }

        return total;
    }
}
