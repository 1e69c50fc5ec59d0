using System.Numerics.Tensors;

namespace Lance.Engine.Index.Vector;

/// <summary>
/// Builds a <see cref="LanceIvfIndex"/> the way Lance does: k-means over a sample for the partitions
/// (on unit vectors for cosine), every live row assigned to its nearest centroid (by L2, or by dot
/// product for dot indexes), then per partition the vectors (IVF_FLAT) or their 8-bit codes under
/// one value range (IVF_SQ), and for IVF_HNSW_SQ an HNSW graph over the codes, partitions in parallel.
/// The range is trained as Lance trains it: on a sample of <c>SampleRate × 256</c> rows (all rows when
/// there are fewer), values outside it saturating.
/// </summary>
internal static class LanceIvfBuilder
{
    /// <summary>Builds the index over the live, non-null rows of <paramref name="sources"/>.</summary>
    public static LanceIvfIndex Build(
        IReadOnlyList<IndexSource> sources, int dimension, int partitions, LanceIvfKind kind, IndexConfig config, CancellationToken cancellationToken)
    {
        var progress = config.Progress;
        var rowIds = IvfPqBuilder.CollectRows(sources);
        var total = rowIds.Length;
        var metric = config.DistanceType;
        progress?.Report(new IndexBuildProgress(IndexBuildStage.Sampling, 0));
        var data = IvfPqBuilder.Gather(sources, rowIds, Enumerable.Range(0, total).ToArray(), dimension, metric == DistanceMetric.Cosine);
        var random = new Random(config.Seed);
        var sampleSize = (int)Math.Min(total, (long)config.SampleRate * partitions);
        var sampleRows = KMeans.Sample(total, sampleSize, random);
        var sample = new float[(long)sampleSize * dimension];
        for (var i = 0; i < sampleSize; i++)
        {
            data.AsSpan(sampleRows[i] * dimension, dimension).CopyTo(sample.AsSpan(i * dimension, dimension));
        }

        progress?.Report(new IndexBuildProgress(IndexBuildStage.TrainingPartitions, 0));
        var centroids = KMeans.Train(
            sample, sampleSize, dimension, partitions, config.MaxIterations, config.Seed, parallel: true,
            f => progress?.Report(new IndexBuildProgress(IndexBuildStage.TrainingPartitions, f)), cancellationToken);

        progress?.Report(new IndexBuildProgress(IndexBuildStage.Encoding, 0));
        var labels = new int[total];
        if (metric == DistanceMetric.Dot)
        {
            ParallelLoops.For(0, total, new ParallelOptions { CancellationToken = cancellationToken }, i =>
            {
                var row = data.AsSpan(i * dimension, dimension);
                var best = 0;
                var bestDot = float.NegativeInfinity;
                for (var p = 0; p < partitions; p++)
                {
                    var dot = TensorPrimitives.Dot(row, centroids.AsSpan(p * dimension, dimension));
                    if (dot > bestDot)
                    {
                        bestDot = dot;
                        best = p;
                    }
                }

                labels[i] = best;
            });
        }
        else
        {
            Array.Fill(labels, -1);
            KMeans.Assign(data, total, dimension, centroids, partitions, labels, null, parallel: true, cancellationToken);
        }

        var members = new List<int>[partitions];
        for (var p = 0; p < partitions; p++)
        {
            members[p] = [];
        }

        for (var i = 0; i < total; i++)
        {
            members[labels[i]].Add(i);
        }

        var partitionRows = members.Select(m => m.Select(i => rowIds[i]).ToArray()).ToArray();
        var quantizer = kind == LanceIvfKind.Flat ? default : TrainQuantizer(data, total, dimension, config);
        float[][]? vectors = null;
        byte[][]? codes = null;
        if (kind == LanceIvfKind.Flat)
        {
            vectors = members.Select(m =>
            {
                var block = new float[m.Count * dimension];
                for (var j = 0; j < m.Count; j++)
                {
                    data.AsSpan(m[j] * dimension, dimension).CopyTo(block.AsSpan(j * dimension, dimension));
                }

                return block;
            }).ToArray();
        }
        else
        {
            codes = members.Select(m =>
            {
                var block = new byte[m.Count * dimension];
                for (var j = 0; j < m.Count; j++)
                {
                    quantizer.Encode(data.AsSpan(m[j] * dimension, dimension), block.AsSpan(j * dimension, dimension));
                }

                return block;
            }).ToArray();
        }

        HnswGraph?[]? graphs = null;
        if (kind == LanceIvfKind.HnswSq)
        {
            graphs = new HnswGraph?[partitions];
            var built = 0;
            ParallelLoops.For(0, partitions, new ParallelOptions { CancellationToken = cancellationToken }, p =>
            {
                graphs[p] = BuildGraph(codes![p], partitionRows[p].Length, dimension, quantizer, metric, config.M, config.EfConstruction, HnswGraph.DefaultMaxLevel, config.Seed + p, cancellationToken);
                progress?.Report(new IndexBuildProgress(IndexBuildStage.Encoding, Interlocked.Increment(ref built) / (double)partitions));
            });
        }

        return new LanceIvfIndex
        {
            Kind = kind,
            Metric = metric,
            Dimension = dimension,
            Centroids = centroids,
            RowIds = partitionRows,
            Vectors = vectors,
            Codes = codes,
            Quantizer = quantizer,
            Graphs = graphs,
            Fragments = sources.Select(s => s.FragmentId).ToArray(),
        };
    }

    /// <summary>The SQ range of a sample of <c>SampleRate × 2⁸</c> rows of <paramref name="data"/> (all rows when there are no more).</summary>
    private static ScalarQuantizer TrainQuantizer(float[] data, int total, int dimension, IndexConfig config)
    {
        var size = (int)Math.Min(total, (long)config.SampleRate * 256);
        if (size >= total)
        {
            return ScalarQuantizer.Train(data.AsSpan(0, total * dimension));
        }

        var rows = KMeans.Sample(total, size, new Random(config.Seed + 1));
        var sample = new float[(long)size * dimension];
        for (var i = 0; i < size; i++)
        {
            data.AsSpan(rows[i] * dimension, dimension).CopyTo(sample.AsSpan(i * dimension, dimension));
        }

        return ScalarQuantizer.Train(sample);
    }

    /// <summary>The HNSW graph over one partition's SQ codes (<paramref name="count"/> rows of <paramref name="dimension"/> bytes), measured as searches measure them.</summary>
    public static HnswGraph BuildGraph(
        byte[] block, int count, int dimension, ScalarQuantizer quantizer, DistanceMetric metric, int m, int efConstruction, int maxLevel, int seed, CancellationToken cancellationToken)
        => HnswBuilder.Build(count, CodeDistance(block, dimension, quantizer, metric), m, efConstruction, maxLevel, seed, cancellationToken);

    /// <summary>The distance between two rows of one partition's SQ codes, as its graph is built with.</summary>
    public static Func<int, int, float> CodeDistance(byte[] block, int dimension, ScalarQuantizer quantizer, DistanceMetric metric)
    {
        var scale = quantizer.Scale * (metric == DistanceMetric.Cosine ? 0.5f : 1f);
        return metric == DistanceMetric.Dot
            ? (a, b) => quantizer.DotDistance(block.AsSpan(a * dimension, dimension), block.AsSpan(b * dimension, dimension))
            : (a, b) => ScalarQuantizer.SquaredDistance(block.AsSpan(a * dimension, dimension), block.AsSpan(b * dimension, dimension)) * scale;
    }
}
