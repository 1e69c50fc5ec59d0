using Apache.Arrow.Types;
using Lance.Engine.DataFiles;
using Lance.Engine.Format;

namespace Lance.Engine.Dataset;

/// <summary>
/// Reads the vectors of a few rows of a fragment (the candidates an indexed search re-ranks) by positioned reads of
/// the data file, one per row, where the column lies in the file as flat pages: no column is decoded, mapped or cached
/// for them, so re-ranking 50 rows costs 50 small reads (concurrent requests on a remote store) instead of the first
/// touches of a mapped column's pages or a read of the whole column. Where the column lies is found once per file and kept.
/// </summary>
internal static class RowVectors
{
    /// <summary>
    /// The float32 vectors of <paramref name="rows"/> (offsets in a fragment of <paramref name="physicalRows"/> rows),
    /// <paramref name="dimension"/> values each, back to back in the order of <paramref name="rows"/>; null when the
    /// column is not stored as flat pages of that many float32 values per row.
    /// </summary>
    public static byte[]? TryRead(FragmentCache cache, ColumnKey key, DataFile file, LanceField field, long physicalRows, int dimension, ReadOnlySpan<int> rows, CancellationToken cancellationToken)
    {
        var layout = cache.FlatLayouts.GetOrAdd(key, k =>
        {
            using var reader = cache.Files.OpenData(k.File, (long)file.FileSizeBytes, cancellationToken);
            return reader.TryFlatColumnLayout(field);
        });
        var rowBytes = dimension * sizeof(float);
        if (layout is not { Type: FixedSizeListType { ValueDataType: FloatType } } || layout.RowBytes != rowBytes || layout.Rows != physicalRows)
        {
            return null;
        }

        var bytes = GC.AllocateUninitializedArray<byte>(checked(rows.Length * rowBytes));
        using var source = cache.Files.OpenBytes(key.File, (long)file.FileSizeBytes, cancellationToken);
        if (!cache.Files.Store.IsRemote)
        {
            for (var i = 0; i < rows.Length; i++)
            {
                source.Read(layout.PositionOf(rows[i]), bytes.AsSpan(i * rowBytes, rowBytes));
            }

            return bytes;
        }

        var reads = new Task[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            reads[i] = source.ReadAsync(layout.PositionOf(rows[i]), bytes.AsMemory(i * rowBytes, rowBytes), cancellationToken).AsTask();
        }

        Task.WhenAll(reads).GetAwaiter().GetResult();
        return bytes;
    }
}
