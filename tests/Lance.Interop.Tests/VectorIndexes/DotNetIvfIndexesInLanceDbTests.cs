using Lance.Engine;

namespace Lance.Interop.Tests.VectorIndexes;

/// <summary>
/// An IVF_FLAT, IVF_SQ or IVF_HNSW_SQ index we build (in Lance's format) is used by LanceDB (Node):
/// its explain plan names the index, and its top-10 at fixed nprobes, refine factor and ef has our
/// recall (±0.02) and mostly our ids (IVF_FLAT: the same ids), for l2, cosine and dot, also after
/// LanceDB appends and deletes rows and after we fold them in. For dot, SQ kinds are
/// held to "at least LanceDB's recall": LanceDB ranks SQ codes for dot by their raw byte product.
/// </summary>
public sealed class DotNetIvfIndexesInLanceDbTests : IDisposable
{
    private const int Dim = 32;
    private const int K = 10;
    private const int Partitions = 32;
    private readonly TempCopy _db = TempCopy.Empty();

    public void Dispose() => _db.Dispose();

    [Theory]
    [InlineData("ivf_hnsw_sq", "l2", DistanceMetric.L2)]
    [InlineData("ivf_hnsw_sq", "cosine", DistanceMetric.Cosine)]
    [InlineData("ivf_hnsw_sq", "dot", DistanceMetric.Dot)]
    [InlineData("ivf_flat", "l2", DistanceMetric.L2)]
    [InlineData("ivf_flat", "cosine", DistanceMetric.Cosine)]
    [InlineData("ivf_flat", "dot", DistanceMetric.Dot)]
    [InlineData("ivf_sq", "l2", DistanceMetric.L2)]
    [InlineData("ivf_sq", "cosine", DistanceMetric.Cosine)]
    public async Task LanceDB_uses_our_index_and_matches_our_results(string kind, string metricName, DistanceMetric metric)
    {
        var peer = new VectorIndexPeer(_db.Path, "t");
        await peer.CreateAsync(rows: 4000, dim: Dim);
        await using (var dataset = await LanceDataset.OpenAsync(peer.DatasetPath))
        {
            var config = kind switch
            {
                "ivf_flat" => IndexConfig.IvfFlat(Partitions, metric),
                "ivf_sq" => IndexConfig.IvfSq(Partitions, metric),
                _ => IndexConfig.IvfHnswSq(Partitions, metric),
            };
            var built = await dataset.CreateIndexAsync("vector", config);
            Assert.Equal("vector_idx", built.Name);
            Assert.Empty(dataset.IgnoredIndices);
            var plan = await peer.ExplainAsync((await VectorIndexPeer.QueriesAsync(dataset, 1, seed: 1))[0], metricName, nprobes: 4);
            Assert.Contains("vector_idx", plan, StringComparison.Ordinal);
            Assert.DoesNotContain("KNNVectorDistance", plan, StringComparison.Ordinal);
            await CompareAsync(peer, dataset, kind, metricName, metric);
        }

        await peer.AppendAsync(rows: 500, dim: Dim, firstId: 4000, seed: 99);
        await peer.DeleteAsync("id % 5 = 0");
        await using (var dataset = await LanceDataset.OpenAsync(peer.DatasetPath))
        {
            await CompareAsync(peer, dataset, kind, metricName, metric);

            // Folding the new rows in: the index then covers every row, for LanceDB too.
            await dataset.OptimizeIndexAsync();
            var index = Assert.Single(dataset.ListIndices());
            Assert.Equal(0L, index.UnindexedRows);
            await CompareAsync(peer, dataset, kind, metricName, metric);
        }
    }

    internal static async Task CompareAsync(VectorIndexPeer peer, LanceDataset dataset, string kind, string metricName, DistanceMetric metric)
    {
        var queries = await VectorIndexPeer.QueriesAsync(dataset, 24, seed: 5);
        var truth = await VectorIndexPeer.OurSearchAsync(dataset, queries, metric, K, 1, null, exact: true);
        var settings = new List<(int Nprobes, int? Refine, int? Ef)> { (1, null, null), (4, null, null), (4, 5, null) };
        if (kind == "ivf_hnsw_sq")
        {
            settings.Add((4, null, 40));
        }

        foreach (var (nprobes, refine, ef) in settings)
        {
            var theirs = await peer.SearchAsync(queries, metricName, K, nprobes, refine, ef: ef);
            var ours = await VectorIndexPeer.OurSearchAsync(dataset, queries, metric, K, nprobes, refine, ef: ef);
            var theirRecall = VectorIndexPeer.Recall(theirs, truth);
            var ourRecall = VectorIndexPeer.Recall(ours, truth);
            var what = $"{kind} {metricName} nprobes {nprobes} refine {refine} ef {ef}";
            if (kind == "ivf_flat")
            {
                // Exact distances within the same partitions: the same ids, whatever the recall.
                Assert.True(VectorIndexPeer.Recall(theirs, ours) >= 0.99, $"{what}: LanceDB returned only {VectorIndexPeer.Recall(theirs, ours):0.000} of our ids");
                continue;
            }

            if (metric == DistanceMetric.Dot)
            {
                // LanceDB ranks SQ codes for dot by their raw byte product, which ignores the offset of the
                // value range; we take the product of the values the codes stand for, so we find more.
                Assert.True(ourRecall >= theirRecall - 0.02, $"{what}: recall {ourRecall:0.000} here, {theirRecall:0.000} in LanceDB");
                continue;
            }

            Assert.True(Math.Abs(theirRecall - ourRecall) <= 0.02, $"{what}: recall {ourRecall:0.000} here, {theirRecall:0.000} in LanceDB");
            Assert.True(VectorIndexPeer.Recall(theirs, ours) >= 0.9, $"{what}: LanceDB returned only {VectorIndexPeer.Recall(theirs, ours):0.000} of our ids");
            if (nprobes == 1)
            {
                Assert.True(theirRecall < 0.99 && ourRecall < 0.99, $"{what}: recall {ourRecall:0.000} here, {theirRecall:0.000} in LanceDB at one probe: an index was not used");
            }
        }
    }
}
