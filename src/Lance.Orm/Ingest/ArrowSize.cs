using Apache.Arrow;

namespace Lance.Orm.Ingest;

/// <summary>The bytes of Arrow buffers a batch holds, as the batcher's size estimate.</summary>
internal static class ArrowSize
{
    /// <summary>The length of every buffer of every column (children included) of <paramref name="batch"/>.</summary>
    public static long Of(RecordBatch batch)
    {
        long total = 0;
        for (var c = 0; c < batch.ColumnCount; c++)
        {
            total += Of(batch.Column(c).Data);
        }

        return total;
    }

    private static long Of(ArrayData data)
    {
        long total = 0;
        foreach (var buffer in data.Buffers)
        {
            total += buffer.Length;
        }

        foreach (var child in data.Children ?? [])
        {
            total += Of(child);
        }

        return total;
    }
}
