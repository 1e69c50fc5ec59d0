using Apache.Arrow;
using Lance.Engine.Dataset;

namespace Lance.Engine.Index.Vector;

/// <summary>
/// Builds a hamming IVF_FLAT index over uint8 vectors the way Lance does: k-modes instead of k-means
/// (a row joins the centroid it differs from in the fewest bits; a centroid takes each bit that most
/// of its rows have set), trained on a sample, then every live row assigned to its nearest centroid
/// and kept whole (its bytes) in that partition. Centroids are bytes too (stored as 0–255 values).
/// </summary>
internal static class HammingIvfBuilder
{
    /// <summary>Builds the index over the live, non-null rows of <paramref name="sources"/>.</summary>
    public static LanceIvfIndex Build(IReadOnlyList<IndexSource> sources, int dimension, int partitions, IndexConfig config, CancellationToken cancellationToken)
    {
        var progress = config.Progress;
        var rowIds = IvfPqBuilder.CollectRows(sources);
        var total = rowIds.Length;
        progress?.Report(new IndexBuildProgress(IndexBuildStage.Sampling, 0));
        var data = Gather(sources, rowIds, dimension);
        var random = new Random(config.Seed);
        var sampleSize = (int)Math.Min(total, (long)config.SampleRate * partitions);
        var sampleRows = KMeans.Sample(total, sampleSize, random);
        var sample = new byte[(long)sampleSize * dimension];
        for (var i = 0; i < sampleSize; i++)
        {
            data.AsSpan(sampleRows[i] * dimension, dimension).CopyTo(sample.AsSpan(i * dimension, dimension));
        }

        progress?.Report(new IndexBuildProgress(IndexBuildStage.TrainingPartitions, 0));
        var centroids = Train(sample, sampleSize, dimension, partitions, config.MaxIterations, random, progress, cancellationToken);

        progress?.Report(new IndexBuildProgress(IndexBuildStage.Encoding, 0));
        var labels = new int[total];
        ParallelLoops.For(0, total, new ParallelOptions { CancellationToken = cancellationToken }, i => labels[i] = Nearest(data.AsSpan(i * dimension, dimension), centroids, partitions, dimension).Label);
        var members = new List<int>[partitions];
        for (var p = 0; p < partitions; p++)
        {
            members[p] = [];
        }

        for (var i = 0; i < total; i++)
        {
            members[labels[i]].Add(i);
        }

        var bits = members.Select(m =>
        {
            var block = new byte[m.Count * dimension];
            for (var j = 0; j < m.Count; j++)
            {
                data.AsSpan(m[j] * dimension, dimension).CopyTo(block.AsSpan(j * dimension, dimension));
            }

            return block;
        }).ToArray();
        progress?.Report(new IndexBuildProgress(IndexBuildStage.Encoding, 1));

        return new LanceIvfIndex
        {
            Kind = LanceIvfKind.Flat,
            Metric = DistanceMetric.Hamming,
            Dimension = dimension,
            Centroids = centroids.Select(b => (float)b).ToArray(),
            RowIds = members.Select(m => m.Select(i => rowIds[i]).ToArray()).ToArray(),
            Bits = bits,
            Fragments = sources.Select(s => s.FragmentId).ToArray(),
        };
    }

    /// <summary>
    /// k-modes over <paramref name="count"/> row-major byte vectors: seeded k-means++-like (each next seed drawn with
    /// weight of its squared bit distance to the nearest seed so far), then assignment and per-bit majority until no
    /// row moves or <paramref name="maxIterations"/> is reached. A cluster left empty (two seeds in one group of rows
    /// end up alike) takes the row served worst, so every partition is used.
    /// </summary>
    public static byte[] Train(byte[] data, int count, int dimension, int k, int maxIterations, Random random, IProgress<IndexBuildProgress>? progress, CancellationToken cancellationToken)
    {
        var centroids = Seed(data, count, dimension, k, random);
        var labels = new int[count];
        System.Array.Fill(labels, -1);
        var distances = new int[count];
        var bits = dimension * 8;
        var ones = new int[k * bits];
        var sizes = new int[k];
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var changed = 0;
            var current = centroids;
            ParallelLoops.For(0, count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
            {
                var (label, distance) = Nearest(data.AsSpan(i * dimension, dimension), current, k, dimension);
                distances[i] = distance;
                if (label != labels[i])
                {
                    labels[i] = label;
                    Interlocked.Increment(ref changed);
                }
            });
            progress?.Report(new IndexBuildProgress(IndexBuildStage.TrainingPartitions, (iteration + 1) / (double)maxIterations));

            System.Array.Clear(sizes);
            foreach (var label in labels)
            {
                sizes[label]++;
            }

            var next = (byte[])centroids.Clone();
            var reseeded = false;
            for (var c = 0; c < k && count > k; c++)
            {
                if (sizes[c] > 0)
                {
                    continue;
                }

                var worst = 0;
                for (var i = 1; i < count; i++)
                {
                    if (distances[i] > distances[worst])
                    {
                        worst = i;
                    }
                }

                if (distances[worst] <= 0)
                {
                    break;
                }

                data.AsSpan(worst * dimension, dimension).CopyTo(next.AsSpan(c * dimension, dimension));
                sizes[labels[worst]]--;
                labels[worst] = c;
                sizes[c] = -1;
                distances[worst] = 0;
                reseeded = true;
            }

            if (changed == 0 && !reseeded)
            {
                break;
            }

            // Each bit of a centroid is the majority of its rows' bits (ties unset).
            System.Array.Clear(ones);
            for (var i = 0; i < count; i++)
            {
                var row = data.AsSpan(i * dimension, dimension);
                var counts = ones.AsSpan(labels[i] * bits, bits);
                for (var b = 0; b < bits; b++)
                {
                    counts[b] += (row[b >> 3] >> (b & 7)) & 1;
                }
            }

            for (var c = 0; c < k; c++)
            {
                if (sizes[c] <= 0)
                {
                    continue;
                }

                var centroid = next.AsSpan(c * dimension, dimension);
                var counts = ones.AsSpan(c * bits, bits);
                centroid.Clear();
                for (var b = 0; b < bits; b++)
                {
                    if (counts[b] * 2 > sizes[c])
                    {
                        centroid[b >> 3] |= (byte)(1 << (b & 7));
                    }
                }
            }

            centroids = next;
        }

        return centroids;
    }

    private static byte[] Seed(byte[] data, int count, int dimension, int k, Random random)
    {
        var centroids = new byte[k * dimension];
        var nearest = new double[count];
        System.Array.Fill(nearest, double.PositiveInfinity);
        var pick = random.Next(count);
        for (var c = 0; c < k; c++)
        {
            data.AsSpan(pick * dimension, dimension).CopyTo(centroids.AsSpan(c * dimension, dimension));
            if (c == k - 1)
            {
                break;
            }

            var centroid = centroids.AsSpan(c * dimension, dimension);
            var sum = 0.0;
            for (var i = 0; i < count; i++)
            {
                var d = (double)HammingScan.Distance(data.AsSpan(i * dimension, dimension), centroid);
                nearest[i] = Math.Min(nearest[i], d * d);
                sum += nearest[i];
            }

            if (sum <= 0)
            {
                // Fewer distinct rows than centroids: the rest repeat a row.
                pick = random.Next(count);
                continue;
            }

            var target = random.NextDouble() * sum;
            pick = count - 1;
            for (var i = 0; i < count; i++)
            {
                target -= nearest[i];
                if (target < 0)
                {
                    pick = i;
                    break;
                }
            }
        }

        return centroids;
    }

    private static (int Label, int Distance) Nearest(ReadOnlySpan<byte> row, byte[] centroids, int k, int dimension)
    {
        var best = 0;
        var bestDistance = int.MaxValue;
        for (var c = 0; c < k; c++)
        {
            var distance = HammingScan.Distance(row, centroids.AsSpan(c * dimension, dimension));
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = c;
            }
        }

        return (best, bestDistance);
    }

    private static byte[] Gather(IReadOnlyList<IndexSource> sources, long[] rowIds, int dimension)
    {
        var byFragment = sources.ToDictionary(s => s.FragmentId);
        var result = new byte[(long)rowIds.Length * dimension];
        for (var i = 0; i < rowIds.Length; i++)
        {
            var id = rowIds[i];
            var vectors = byFragment[(ulong)id >> 32].Vectors;
            var items = ((UInt8Array)vectors.Values).Values[(vectors.Offset * dimension)..];
            items.Slice((int)(id & 0xFFFFFFFF) * dimension, dimension).CopyTo(result.AsSpan(i * dimension, dimension));
        }

        return result;
    }
}
