using Lance.Engine.Search.Kernels;

namespace Lance.Engine.Index;

/// <summary>
/// Lloyd's k-means under squared L2, seeded with k-means++ on a subsample, with a bounded number
/// of iterations. Assignment runs through <see cref="BlockDot"/> as <c>‖c‖² − 2·x·c</c>.
/// </summary>
internal static class KMeans
{
    private const int ChunkRows = 64;

    /// <summary>
    /// Trains <paramref name="k"/> centroids (row-major, <c>k × dimension</c>) on
    /// <paramref name="count"/> row-major vectors.
    /// </summary>
    /// <remarks><c>parallel</c> is false when the caller already runs trainings in parallel; <c>progress</c> is told the fraction of iterations done.</remarks>
    public static float[] Train(
        float[] data, int count, int dimension, int k, int maxIterations, int seed, bool parallel,
        Action<double>? progress, CancellationToken cancellationToken)
    {
        if (count <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "k-means needs at least one vector.");
        }

        var random = new Random(seed);
        var centroids = Seed(data, count, dimension, k, random, parallel, cancellationToken);
        var labels = new int[count];
        Array.Fill(labels, -1);
        var distances = new float[count];
        var sums = new double[k * dimension];
        var sizes = new int[k];
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var changed = Assign(data, count, dimension, centroids, k, labels, distances, parallel, cancellationToken);

            Array.Clear(sums);
            Array.Clear(sizes);
            for (var i = 0; i < count; i++)
            {
                var label = labels[i];
                sizes[label]++;
                var row = data.AsSpan(i * dimension, dimension);
                var sum = sums.AsSpan(label * dimension, dimension);
                for (var d = 0; d < dimension; d++)
                {
                    sum[d] += row[d];
                }
            }

            for (var c = 0; c < k; c++)
            {
                var centroid = centroids.AsSpan(c * dimension, dimension);
                if (sizes[c] == 0)
                {
                    // An empty cluster takes the point that is currently worst served.
                    var worst = 0;
                    for (var i = 1; i < count; i++)
                    {
                        if (distances[i] > distances[worst])
                        {
                            worst = i;
                        }
                    }

                    data.AsSpan(worst * dimension, dimension).CopyTo(centroid);
                    distances[worst] = 0;
                    continue;
                }

                var sum = sums.AsSpan(c * dimension, dimension);
                var inverse = 1.0 / sizes[c];
                for (var d = 0; d < dimension; d++)
                {
                    centroid[d] = (float)(sum[d] * inverse);
                }
            }

            progress?.Invoke((iteration + 1) / (double)maxIterations);
            if (iteration > 0 && changed <= count / 1000)
            {
                break;
            }
        }

        progress?.Invoke(1);
        return centroids;
    }

    /// <summary>
    /// Labels every vector with its nearest centroid; writes the squared distance too when
    /// <paramref name="distances"/> is not null. Returns how many labels changed.
    /// </summary>
    public static int Assign(
        float[] data, int count, int dimension, float[] centroids, int k, int[] labels, float[]? distances,
        bool parallel, CancellationToken cancellationToken)
    {
        var padded = BlockDot.Pad(k);
        var transposed = BlockDot.Transpose(centroids, k, dimension);
        var norms = new float[padded];
        Array.Fill(norms, float.PositiveInfinity);
        BlockDot.SquaredNorms(centroids, k, dimension).CopyTo(norms, 0);
        var chunks = (count + ChunkRows - 1) / ChunkRows;
        var changed = 0;
        void Run(int chunk, float[] buffer)
        {
            var start = chunk * ChunkRows;
            var rows = Math.Min(ChunkRows, count - start);
            BlockDot.Compute(data.AsSpan(start * dimension), rows, dimension, dimension, transposed, padded, buffer);
            var local = 0;
            for (var r = 0; r < rows; r++)
            {
                var best = BlockDot.ArgMin(buffer.AsSpan(r * padded, k), norms, out var bestScore);
                var i = start + r;
                if (labels[i] != best)
                {
                    labels[i] = best;
                    local++;
                }

                if (distances is not null)
                {
                    var row = data.AsSpan(i * dimension, dimension);
                    distances[i] = Math.Max(0, VectorSums.Dot(row, row) + bestScore);
                }
            }

            Interlocked.Add(ref changed, local);
        }

        if (parallel && chunks > 1)
        {
            var options = new ParallelOptions { CancellationToken = cancellationToken };
            ParallelLoops.For(0, chunks, options, () => new float[ChunkRows * padded], (chunk, _, buffer) => { Run(chunk, buffer); return buffer; }, _ => { });
        }
        else
        {
            var buffer = new float[ChunkRows * padded];
            for (var chunk = 0; chunk < chunks; chunk++)
            {
                Run(chunk, buffer);
            }
        }

        return changed;
    }

    /// <summary>k-means++ seeding on a subsample of at most 32 points per centroid.</summary>
    private static float[] Seed(float[] data, int count, int dimension, int k, Random random, bool parallel, CancellationToken cancellationToken)
    {
        var centroids = new float[k * dimension];
        var sampleSize = Math.Min(count, Math.Max(k, 32 * k));
        var sample = sampleSize == count ? Enumerable.Range(0, count).ToArray() : Sample(count, sampleSize, random);
        var nearest = new float[sampleSize];
        Array.Fill(nearest, float.PositiveInfinity);
        var chosen = sample[random.Next(sampleSize)];
        for (var c = 0; c < k; c++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var centroid = centroids.AsSpan(c * dimension, dimension);
            data.AsSpan(chosen * dimension, dimension).CopyTo(centroid);
            if (c == k - 1)
            {
                break;
            }

            var center = centroids.AsMemory(c * dimension, dimension);
            void Update(int from, int to)
            {
                var span = center.Span;
                for (var i = from; i < to; i++)
                {
                    var d = VectorSums.SquaredDistance(data.AsSpan(sample[i] * dimension, dimension), span);
                    if (d < nearest[i])
                    {
                        nearest[i] = d;
                    }
                }
            }

            const int Block = 2048;
            if (parallel && sampleSize > Block)
            {
                ParallelLoops.For(0, (sampleSize + Block - 1) / Block, b => Update(b * Block, Math.Min(sampleSize, (b + 1) * Block)));
            }
            else
            {
                Update(0, sampleSize);
            }

            double total = 0;
            foreach (var d in nearest)
            {
                total += d;
            }

            if (total <= 0)
            {
                // Fewer distinct points than centroids: repeat a point (it simply stays empty).
                chosen = sample[random.Next(sampleSize)];
                continue;
            }

            var target = random.NextDouble() * total;
            var pick = sampleSize - 1;
            double running = 0;
            for (var i = 0; i < sampleSize; i++)
            {
                running += nearest[i];
                if (running >= target)
                {
                    pick = i;
                    break;
                }
            }

            chosen = sample[pick];
        }

        return centroids;
    }

    /// <summary><paramref name="size"/> distinct indices below <paramref name="count"/>, in increasing order.</summary>
    public static int[] Sample(int count, int size, Random random)
    {
        if (size >= count)
        {
            return Enumerable.Range(0, count).ToArray();
        }

        // Partial Fisher–Yates over an index array.
        var indices = Enumerable.Range(0, count).ToArray();
        for (var i = 0; i < size; i++)
        {
            var j = random.Next(i, count);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }

        var result = indices.AsSpan(0, size).ToArray();
        Array.Sort(result);
        return result;
    }
}
