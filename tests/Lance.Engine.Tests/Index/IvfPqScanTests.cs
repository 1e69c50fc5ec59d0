using Lance.Engine.Index;
using Lance.Engine.Query;

namespace Lance.Engine.Tests.Index;

/// <summary>
/// The IVF-PQ search (byte screen, gathers, partitions split among cores) against a plain scalar
/// reference written out here: the same probes, the same distance tables, each row's entries added in
/// sub-vector order, one heap.
/// </summary>
public sealed class IvfPqScanTests
{
    private const int Dim = 48;

    private static IvfPqIndex RandomIndex(DistanceMetric metric, int partitions, int subVectors, int seed, bool wholeNumbers)
    {
        var random = new Random(seed);
        float Next() => wholeNumbers ? random.Next(-2, 3) : ((float)random.NextDouble() * 2) - 1;
        var sizes = Enumerable.Range(0, partitions).Select(p => p % 7 == 3 ? 0 : random.Next(1, 3000)).ToArray();
        var next = 0;
        var rowIds = sizes.Select(n => Enumerable.Range(0, n).Select(_ => { var r = next++; return ((long)(r % 4) << 32) | (uint)(r / 4); }).ToArray()).ToArray();
        var codes = sizes.Select(n => { var c = new byte[n * subVectors]; random.NextBytes(c); return c; }).ToArray();
        return new IvfPqIndex
        {
            Metric = metric,
            Dimension = Dim,
            Partitions = partitions,
            SubVectors = subVectors,
            Residual = metric != DistanceMetric.Dot,
            Centroids = Enumerable.Range(0, partitions * Dim).Select(_ => Next()).ToArray(),
            Codebook = Enumerable.Range(0, IvfPqIndex.CodebookSize * Dim).Select(_ => Next()).ToArray(),
            RowIds = rowIds,
            Codes = codes,
            Fragments = [0, 1, 2, 3],
        };
    }

    private static (float Distance, long Row)[] Reference(IvfPqIndex index, float[] query, int nprobes, RowMask mask, int k)
    {
        var q = query.ToArray();
        if (index.Metric == DistanceMetric.Cosine)
        {
            IvfPqIndex.Normalize(q);
        }

        var table = new float[index.SubVectors * IvfPqIndex.CodebookSize];
        var found = new List<(float Distance, long Row)>();
        foreach (var partition in index.NearestPartitions(q, Math.Min(nprobes, index.Partitions)))
        {
            var centroid = index.Centroids.AsSpan(partition * Dim, Dim).ToArray();
            var bias = index.Metric == DistanceMetric.Dot ? 1 - (index.Residual ? Lance.Engine.Search.Kernels.VectorSums.Dot(q, centroid) : 0) : 0f;
            var fromQuery = !index.Residual || index.Metric == DistanceMetric.Dot;
            index.BuildTable(fromQuery ? q : q.Select((x, d) => x - centroid[d]).ToArray(), table);
            var scale = index.Metric == DistanceMetric.Cosine ? 0.5f : 1f;
            var rows = index.RowIds[partition];
            var codes = index.Codes[partition];
            for (var i = 0; i < rows.Length; i++)
            {
                var sum = 0f;
                for (var s = 0; s < index.SubVectors; s++)
                {
                    sum += table[(s * IvfPqIndex.CodebookSize) + codes[(s * rows.Length) + i]];
                }

                if (mask.Allows(rows[i]))
                {
                    found.Add((MathF.FusedMultiplyAdd(sum, scale, bias), rows[i]));
                }
            }
        }

        return found.Where(x => !float.IsNaN(x.Distance)).OrderBy(x => x.Distance).ThenBy(x => x.Row).Take(k).ToArray();
    }

    [Theory]
    [InlineData(DistanceMetric.L2, false, true)]
    [InlineData(DistanceMetric.L2, true, true)]
    [InlineData(DistanceMetric.L2, false, false)]
    [InlineData(DistanceMetric.Cosine, false, true)]
    [InlineData(DistanceMetric.Dot, false, false)]
    [InlineData(DistanceMetric.Dot, true, false)]
    public void Sequential_and_parallel_searches_return_the_rows_and_bits_of_a_scalar_reference(DistanceMetric metric, bool wholeNumbers, bool residual)
    {
        var index = RandomIndex(metric, partitions: 40, subVectors: 12, seed: (int)metric + (wholeNumbers ? 10 : 0), wholeNumbers) with { Residual = residual };
        var live = new RowMask(3);
        live.Allow(0, null);
        live.Allow(1, Enumerable.Range(0, 20_000).Select(r => r % 3 != 0).ToArray()); // deleted rows
        live.Allow(2, Enumerable.Range(0, 20_000).Select(r => r % 11 == 0).ToArray()); // a narrow prefilter
        // fragment 3 excluded (rows of a fragment no longer in the version)
        var random = new Random(7);
        foreach (var (nprobes, k) in new[] { (1, 10), (5, 10), (20, 100), (40, 10), (40, 500) })
        {
            for (var trial = 0; trial < 3; trial++)
            {
                var query = Enumerable.Range(0, Dim).Select(_ => wholeNumbers ? random.Next(-2, 3) : ((float)random.NextDouble() * 2) - 1).ToArray();
                var expected = Reference(index, query, nprobes, live, k);
                foreach (var parallelFrom in new[] { int.MaxValue, 0 })
                {
                    var topK = new TopK(k);
                    index.Search(query, nprobes, live, topK, parallelFrom);
                    var ranked = topK.ToSortedArray();
                    var what = $"{metric}, nprobes {nprobes}, k {k}, {(parallelFrom == 0 ? "parallel" : "sequential")}";
                    Assert.True(expected.Select(x => x.Row).SequenceEqual(ranked.Select(x => x.Row)), what);
                    Assert.True(expected.Select(x => BitConverter.SingleToInt32Bits(x.Distance)).SequenceEqual(ranked.Select(x => BitConverter.SingleToInt32Bits(x.Distance))), what);
                }
            }
        }
    }

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Dot)]
    public void The_distance_table_is_the_element_by_element_formula_bit_for_bit(DistanceMetric metric)
    {
        var index = RandomIndex(metric, partitions: 4, subVectors: 6, seed: 5, wholeNumbers: false);
        var random = new Random(3);
        var sub = Dim / 6;
        foreach (var scaleOfQuery in new[] { 0f, 1e-20f, 1f, 1e18f })
        {
            var query = Enumerable.Range(0, Dim).Select(_ => ((float)random.NextDouble() - 0.5f) * scaleOfQuery).ToArray();
            if (scaleOfQuery == 1e18f)
            {
                query[3] = float.NaN;
            }

            var table = new float[6 * IvfPqIndex.CodebookSize];
            index.BuildTable(query, table);
            for (var m = 0; m < 6; m++)
            {
                var part = query.AsSpan(m * sub, sub);
                var book = index.Codebook.AsSpan(m * IvfPqIndex.CodebookSize * sub, IvfPqIndex.CodebookSize * sub);
                var dots = new float[IvfPqIndex.CodebookSize];
                BlockDot.Compute(part, 1, sub, sub, BlockDot.Transpose(book, IvfPqIndex.CodebookSize, sub), IvfPqIndex.CodebookSize, dots);
                var norms = BlockDot.SquaredNorms(book, IvfPqIndex.CodebookSize, sub);
                var queryNorm = Lance.Engine.Search.Kernels.VectorSums.Dot(part, part);
                for (var j = 0; j < IvfPqIndex.CodebookSize; j++)
                {
                    var expected = metric == DistanceMetric.Dot ? -dots[j] : Math.Max(0, queryNorm + norms[j] - (2 * dots[j]));
                    var actual = table[(m * IvfPqIndex.CodebookSize) + j];
                    Assert.True((float.IsNaN(expected) && float.IsNaN(actual)) || BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual), $"sub-vector {m}, codeword {j}: {expected:R} vs {actual:R}");
                }
            }
        }
    }
}
