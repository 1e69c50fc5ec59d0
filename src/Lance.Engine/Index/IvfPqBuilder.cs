using Apache.Arrow;
using Lance.Engine.Arrow;

namespace Lance.Engine.Index;

/// <summary>The vectors of one fragment given to the index builder.</summary>
/// <param name="FragmentId">The fragment's id.</param>
/// <param name="Vectors">The fragment's vector column.</param>
/// <param name="Deleted">Rows deleted in the fragment (left out of the index).</param>
internal readonly record struct IndexSource(ulong FragmentId, FixedSizeListArray Vectors, HashSet<int> Deleted);

/// <summary>
/// Trains and fills an <see cref="IvfPqIndex"/>: k-means over a sample for the partitions, one
/// k-means per sub-vector over (residual) sample vectors for the codebooks, then every row
/// assigned and encoded, in parallel blocks.
/// </summary>
internal static class IvfPqBuilder
{
    private const int EncodeChunk = 64;

    /// <summary>Builds the index over the live, non-null rows of <paramref name="sources"/>.</summary>
    public static IvfPqIndex Build(
        IReadOnlyList<IndexSource> sources, int dimension, int partitions, int subVectors, IvfPqOptions options,
        IProgress<IndexBuildProgress>? progress, CancellationToken cancellationToken)
    {
        var rowIds = CollectRows(sources);
        var total = rowIds.Length;
        var random = new Random(options.Seed);
        var cosine = options.Metric == DistanceMetric.Cosine;

        // Partitions: k-means on at most SampleRate rows per partition.
        progress?.Report(new IndexBuildProgress(IndexBuildStage.Sampling, 0));
        var ivfSampleSize = (int)Math.Min(total, (long)options.SampleRate * partitions);
        var pqSampleSize = (int)Math.Min(total, (long)options.SampleRate * IvfPqIndex.CodebookSize);
        var sampleSize = Math.Max(ivfSampleSize, pqSampleSize);
        var sampleRows = KMeans.Sample(total, sampleSize, random);
        var sample = Gather(sources, rowIds, sampleRows, dimension, cosine);
        cancellationToken.ThrowIfCancellationRequested();

        var ivfSample = sampleSize == ivfSampleSize ? sample : Subsample(sample, sampleSize, ivfSampleSize, dimension, random);
        progress?.Report(new IndexBuildProgress(IndexBuildStage.TrainingPartitions, 0));
        var centroids = KMeans.Train(
            ivfSample, ivfSampleSize, dimension, partitions, options.MaxIterations, options.Seed, parallel: true,
            f => progress?.Report(new IndexBuildProgress(IndexBuildStage.TrainingPartitions, f)), cancellationToken);

        // Codebooks: k-means per sub-vector on the residuals of a sample.
        var pqSample = sampleSize == pqSampleSize ? sample : Subsample(sample, sampleSize, pqSampleSize, dimension, random);
        if (options.Residual)
        {
            var labels = new int[pqSampleSize];
            System.Array.Fill(labels, -1);
            KMeans.Assign(pqSample, pqSampleSize, dimension, centroids, partitions, labels, null, parallel: true, cancellationToken);
            if (ReferenceEquals(pqSample, sample))
            {
                pqSample = (float[])sample.Clone();
            }

            for (var i = 0; i < pqSampleSize; i++)
            {
                var row = pqSample.AsSpan(i * dimension, dimension);
                var centroid = centroids.AsSpan(labels[i] * dimension, dimension);
                for (var d = 0; d < dimension; d++)
                {
                    row[d] -= centroid[d];
                }
            }
        }

        var sub = dimension / subVectors;
        var codebook = new float[subVectors * IvfPqIndex.CodebookSize * sub];
        var codeWords = Math.Min(IvfPqIndex.CodebookSize, pqSampleSize);
        var trained = 0;
        progress?.Report(new IndexBuildProgress(IndexBuildStage.TrainingCodebooks, 0));
        ParallelLoops.For(0, subVectors, new ParallelOptions { CancellationToken = cancellationToken }, m =>
        {
            var part = new float[pqSampleSize * sub];
            for (var i = 0; i < pqSampleSize; i++)
            {
                pqSample.AsSpan((i * dimension) + (m * sub), sub).CopyTo(part.AsSpan(i * sub, sub));
            }

            var words = KMeans.Train(part, pqSampleSize, sub, codeWords, options.MaxIterations, options.Seed + m + 1, parallel: false, null, cancellationToken);
            var target = codebook.AsSpan(m * IvfPqIndex.CodebookSize * sub, IvfPqIndex.CodebookSize * sub);
            for (var j = 0; j < IvfPqIndex.CodebookSize; j++)
            {
                // Fewer samples than codewords: repeat the last word (never chosen over its twin).
                words.AsSpan(Math.Min(j, codeWords - 1) * sub, sub).CopyTo(target.Slice(j * sub, sub));
            }

            progress?.Report(new IndexBuildProgress(IndexBuildStage.TrainingCodebooks, Interlocked.Increment(ref trained) / (double)subVectors));
        });

        var index = new IvfPqIndex
        {
            Metric = options.Metric,
            Dimension = dimension,
            Partitions = partitions,
            SubVectors = subVectors,
            Residual = options.Residual,
            Centroids = centroids,
            Codebook = codebook,
            RowIds = [],
            Codes = [],
            Fragments = sources.Select(s => s.FragmentId).ToArray(),
        };
        return Fill(index, sources, rowIds, progress, cancellationToken);
    }

    /// <summary>Assigns and encodes every row of <paramref name="sources"/> with the trained model of <paramref name="model"/>.</summary>
    public static IvfPqIndex Fill(IvfPqIndex model, IReadOnlyList<IndexSource> sources, long[]? rowIds, IProgress<IndexBuildProgress>? progress, CancellationToken cancellationToken)
    {
        rowIds ??= CollectRows(sources);
        var total = rowIds.Length;
        var dimension = model.Dimension;
        var subVectors = model.SubVectors;
        var sub = model.SubDimension;
        var cosine = model.Metric == DistanceMetric.Cosine;
        var labels = new int[total];
        if (total == 0)
        {
            return model with { RowIds = Enumerable.Range(0, model.Partitions).Select(_ => System.Array.Empty<long>()).ToArray(), Codes = Enumerable.Range(0, model.Partitions).Select(_ => System.Array.Empty<byte>()).ToArray(), Fragments = sources.Select(s => s.FragmentId).ToArray() };
        }

        var codes = new byte[(long)total * subVectors];
        var byFragment = sources.ToDictionary(s => s.FragmentId);

        var centroidPad = BlockDot.Pad(model.Partitions);
        var centroidsT = BlockDot.Transpose(model.Centroids, model.Partitions, dimension);
        var centroidNorms = BlockDot.SquaredNorms(model.Centroids, model.Partitions, dimension);
        var booksT = new float[subVectors][];
        var bookNorms = new float[subVectors][];
        for (var m = 0; m < subVectors; m++)
        {
            var book = model.Codebook.AsSpan(m * IvfPqIndex.CodebookSize * sub, IvfPqIndex.CodebookSize * sub);
            booksT[m] = BlockDot.Transpose(book, IvfPqIndex.CodebookSize, sub);
            bookNorms[m] = BlockDot.SquaredNorms(book, IvfPqIndex.CodebookSize, sub);
        }

        var chunks = (total + EncodeChunk - 1) / EncodeChunk;
        var done = 0;
        ParallelLoops.For(0, chunks, new ParallelOptions { CancellationToken = cancellationToken },
            () => (Rows: new float[EncodeChunk * dimension], Dots: new float[EncodeChunk * Math.Max(centroidPad, IvfPqIndex.CodebookSize)]),
            (chunk, _, buffers) =>
            {
                var start = chunk * EncodeChunk;
                var count = Math.Min(EncodeChunk, total - start);
                var rows = buffers.Rows;
                for (var r = 0; r < count; r++)
                {
                    var id = rowIds[start + r];
                    var source = byFragment[(ulong)id >> 32];
                    var target = rows.AsSpan(r * dimension, dimension);
                    ArrowTake.FlatValues(source.Vectors).Slice((int)(id & 0xFFFFFFFF) * dimension, dimension).CopyTo(target);
                    if (cosine)
                    {
                        IvfPqIndex.Normalize(target);
                    }
                }

                var dots = buffers.Dots;
                BlockDot.Compute(rows, count, dimension, dimension, centroidsT, centroidPad, dots);
                for (var r = 0; r < count; r++)
                {
                    var best = BlockDot.ArgMin(dots.AsSpan(r * centroidPad, model.Partitions), centroidNorms, out var partitionScore);
                    labels[start + r] = best;
                    if (model.Residual)
                    {
                        var row = rows.AsSpan(r * dimension, dimension);
                        var centroid = model.Centroids.AsSpan(best * dimension, dimension);
                        for (var d = 0; d < dimension; d++)
                        {
                            row[d] -= centroid[d];
                        }
                    }
                }

                for (var m = 0; m < subVectors; m++)
                {
                    BlockDot.Compute(rows.AsSpan(m * sub), count, dimension, sub, booksT[m], IvfPqIndex.CodebookSize, dots);
                    for (var r = 0; r < count; r++)
                    {
                        codes[((long)(start + r) * subVectors) + m] = (byte)BlockDot.ArgMin(dots.AsSpan(r * IvfPqIndex.CodebookSize, IvfPqIndex.CodebookSize), bookNorms[m], out var codeScore);
                    }
                }

                var finished = Interlocked.Add(ref done, count);
                if (progress is not null && (chunk & 255) == 0)
                {
                    progress.Report(new IndexBuildProgress(IndexBuildStage.Encoding, finished / (double)Math.Max(1, total)));
                }

                return buffers;
            },
            _ => { });
        progress?.Report(new IndexBuildProgress(IndexBuildStage.Encoding, 1));

        // Group by partition, codes sub-vector-major within each partition.
        var sizes = new int[model.Partitions];
        foreach (var label in labels)
        {
            sizes[label]++;
        }

        var partitionRows = sizes.Select(s => new long[s]).ToArray();
        var partitionCodes = sizes.Select(s => new byte[(long)s * subVectors]).ToArray();
        var fill = new int[model.Partitions];
        for (var i = 0; i < total; i++)
        {
            var p = labels[i];
            var slot = fill[p]++;
            partitionRows[p][slot] = rowIds[i];
            var target = partitionCodes[p];
            var n = sizes[p];
            for (var m = 0; m < subVectors; m++)
            {
                target[(m * n) + slot] = codes[((long)i * subVectors) + m];
            }
        }

        return new IvfPqIndex
        {
            Metric = model.Metric,
            Dimension = dimension,
            Partitions = model.Partitions,
            SubVectors = subVectors,
            Residual = model.Residual,
            Centroids = model.Centroids,
            Codebook = model.Codebook,
            RowIds = partitionRows,
            Codes = partitionCodes,
            Fragments = sources.Select(s => s.FragmentId).ToArray(),
        };
    }

    /// <summary>
    /// The rows of <paramref name="old"/> that <paramref name="keep"/> accepts plus every row of
    /// <paramref name="added"/> (encoded with the same model), partition by partition.
    /// </summary>
    public static IvfPqIndex Merge(IvfPqIndex old, IvfPqIndex added, Func<long, bool> keep, IEnumerable<ulong> fragments)
    {
        var m = old.SubVectors;
        var rowIds = new long[old.Partitions][];
        var codes = new byte[old.Partitions][];
        for (var p = 0; p < old.Partitions; p++)
        {
            var oldRows = old.RowIds[p];
            var kept = Enumerable.Range(0, oldRows.Length).Where(i => keep(oldRows[i])).ToArray();
            var newRows = added.RowIds[p];
            var n = kept.Length + newRows.Length;
            var ids = new long[n];
            var target = new byte[(long)n * m];
            for (var s = 0; s < m; s++)
            {
                for (var i = 0; i < kept.Length; i++)
                {
                    target[(s * n) + i] = old.Codes[p][(s * oldRows.Length) + kept[i]];
                }

                System.Array.Copy(added.Codes[p], s * newRows.Length, target, (s * n) + kept.Length, newRows.Length);
            }

            for (var i = 0; i < kept.Length; i++)
            {
                ids[i] = oldRows[kept[i]];
            }

            newRows.CopyTo(ids, kept.Length);
            rowIds[p] = ids;
            codes[p] = target;
        }

        return new IvfPqIndex
        {
            Metric = old.Metric,
            Dimension = old.Dimension,
            Partitions = old.Partitions,
            SubVectors = m,
            Residual = old.Residual,
            Centroids = old.Centroids,
            Codebook = old.Codebook,
            RowIds = rowIds,
            Codes = codes,
            Fragments = fragments.ToArray(),
        };
    }

    /// <summary>The row ids of the live, non-null rows, fragment by fragment.</summary>
    public static long[] CollectRows(IReadOnlyList<IndexSource> sources)
    {
        var ids = new List<long>();
        foreach (var source in sources)
        {
            var vectors = source.Vectors;
            var hasNulls = vectors.NullCount > 0;
            var baseId = (long)source.FragmentId << 32;
            for (var row = 0; row < vectors.Length; row++)
            {
                if ((hasNulls && vectors.IsNull(row)) || source.Deleted.Contains(row))
                {
                    continue;
                }

                ids.Add(baseId + row);
            }
        }

        return ids.ToArray();
    }

    /// <summary>The vectors of the picked rows, row-major (scaled to unit length when <paramref name="normalize"/> is set).</summary>
    internal static float[] Gather(IReadOnlyList<IndexSource> sources, long[] rowIds, int[] picks, int dimension, bool normalize)
    {
        var byFragment = sources.ToDictionary(s => s.FragmentId);
        var result = new float[(long)picks.Length * dimension];
        for (var i = 0; i < picks.Length; i++)
        {
            var id = rowIds[picks[i]];
            var target = result.AsSpan(i * dimension, dimension);
            ArrowTake.FlatValues(byFragment[(ulong)id >> 32].Vectors).Slice((int)(id & 0xFFFFFFFF) * dimension, dimension).CopyTo(target);
            if (normalize)
            {
                IvfPqIndex.Normalize(target);
            }
        }

        return result;
    }

    private static float[] Subsample(float[] sample, int sampleSize, int size, int dimension, Random random)
    {
        var picks = KMeans.Sample(sampleSize, size, random);
        var result = new float[(long)size * dimension];
        for (var i = 0; i < size; i++)
        {
            sample.AsSpan(picks[i] * dimension, dimension).CopyTo(result.AsSpan(i * dimension, dimension));
        }

        return result;
    }
}
