using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using Lance.Engine.Dataset;
using Lance.Engine.Format;

namespace Lance.Engine.Tests.Index;

/// <summary>Deterministic vectors shaped like embeddings: a random low-rank mix plus noise.</summary>
public static class IndexData
{
    public static Schema Schema(int dimension) => new(
        [
            new Field("id", Int64Type.Default, nullable: false),
            new Field("label", StringType.Default, nullable: true),
            new Field("vector", new FixedSizeListType(new Field("item", FloatType.Default, true), dimension), nullable: true),
        ],
        null);

    public static float[][] Vectors(int count, int dimension, int seed, int rank = 8, float noise = 0.1f)
    {
        var basis = new Random(1234);
        var bases = Enumerable.Range(0, rank).Select(_ => Enumerable.Range(0, dimension).Select(_ => Gaussian(basis)).ToArray()).ToArray();
        var random = new Random(seed);
        var result = new float[count][];
        for (var i = 0; i < count; i++)
        {
            var v = new float[dimension];
            for (var r = 0; r < rank; r++)
            {
                var c = Gaussian(random);
                for (var d = 0; d < dimension; d++) v[d] += c * bases[r][d];
            }

            for (var d = 0; d < dimension; d++) v[d] += noise * Gaussian(random);
            result[i] = v;
        }

        return result;
    }

    public static RecordBatch Batch(float[][] vectors, long firstId)
    {
        var dimension = vectors[0].Length;
        var ids = new Int64Array.Builder();
        var labels = new StringArray.Builder();
        var builder = new FixedSizeListArray.Builder(FloatType.Default, dimension);
        var values = (FloatArray.Builder)builder.ValueBuilder;
        for (var i = 0; i < vectors.Length; i++)
        {
            ids.Append(firstId + i);
            labels.Append($"row {firstId + i}");
            builder.Append();
            values.AppendRange(vectors[i]);
        }

        return new RecordBatch(Schema(dimension), [ids.Build(), labels.Build(), builder.Build()], vectors.Length);
    }

    public static float Distance(float[] a, float[] b, DistanceMetric metric)
    {
        double dot = 0, na = 0, nb = 0, l2 = 0;
        for (var d = 0; d < a.Length; d++)
        {
            dot += a[d] * (double)b[d];
            na += a[d] * (double)a[d];
            nb += b[d] * (double)b[d];
            l2 += (a[d] - (double)b[d]) * (a[d] - (double)b[d]);
        }

        return metric switch
        {
            DistanceMetric.Cosine => (float)(1 - (dot / Math.Sqrt(na * nb))),
            DistanceMetric.Dot => (float)(1 - dot),
            _ => (float)l2,
        };
    }

    /// <summary>The ids of the k nearest rows by a double-precision scan.</summary>
    public static long[] Exact(float[][] vectors, float[] query, int k, DistanceMetric metric)
        => vectors.Select((v, i) => (Distance: Distance(query, v, metric), Id: (long)i)).OrderBy(x => x.Distance).ThenBy(x => x.Id).Take(k).Select(x => x.Id).ToArray();

    public static long[] Ids(RecordBatch hits)
    {
        var ids = (Int64Array)hits.Column("id");
        return Enumerable.Range(0, hits.Length).Select(i => ids.GetValue(i)!.Value).ToArray();
    }

    /// <summary>
    /// Deletes rows of fragment 0 the way Lance does: an Arrow IPC deletion file and a new
    /// manifest naming it (the engine has no delete API of its own yet).
    /// </summary>
    public static async Task DeleteFromFirstFragmentAsync(LanceDataset dataset, IReadOnlyList<int> rows)
    {
        var latest = VersionNames.List(dataset.Path)[0];
        var manifest = ManifestCodec.Decode(await File.ReadAllBytesAsync(latest.Path));
        var fragment = manifest.Fragments[0];
        var info = new DeletionFileInfo { FileType = DeletionFileType.ArrowArray, ReadVersion = manifest.Version, Id = 1, NumDeletedRows = (ulong)rows.Count };
        var folder = Path.Combine(dataset.Path, VersionNames.DeletionsFolder);
        Directory.CreateDirectory(folder);
        var schema = new Schema([new Field("row_id", UInt32Type.Default, false)], null);
        var column = new UInt32Array.Builder().AppendRange(rows.Select(r => (uint)r)).Build();
        await using (var stream = File.Create(Path.Combine(folder, info.FileName(fragment.Id))))
        {
            using var writer = new ArrowFileWriter(stream, schema);
            await writer.WriteRecordBatchAsync(new RecordBatch(schema, [column], rows.Count));
            await writer.WriteEndAsync();
        }

        fragment.DeletionFile = info;
        manifest.Version++;
        await File.WriteAllBytesAsync(Path.Combine(dataset.Path, VersionNames.VersionsFolder, VersionNames.ManifestFileName(manifest.Version)), ManifestCodec.Encode(manifest));
        await dataset.RefreshAsync();
    }

    private static float Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }
}
