using Lance.Engine;

namespace Lance.Interop.Tests.VectorIndexes;

/// <summary>
/// An IVF_PQ index we build (in Lance's format) is used by LanceDB (Node): its explain plan names
/// the index, and its top-10 at fixed nprobes and refine factor has our recall (±0.02) and mostly our
/// ids, for l2, cosine and dot, also after LanceDB appends and deletes rows and after we fold them in.
/// </summary>
public sealed class DotNetIvfPqInLanceDbTests : IDisposable
{
    private const int Dim = 32;
    private const int K = 10;
    private readonly TempCopy _db = TempCopy.Empty();

    public void Dispose() => _db.Dispose();

    [Theory]
    [InlineData("l2", DistanceMetric.L2)]
    [InlineData("cosine", DistanceMetric.Cosine)]
    [InlineData("dot", DistanceMetric.Dot)]
    public async Task LanceDB_uses_our_IVF_PQ_index_and_matches_our_results(string metricName, DistanceMetric metric)
    {
        var peer = new VectorIndexPeer(_db.Path, "t");
        await peer.CreateAsync(rows: 4000, dim: Dim);
        await using (var dataset = await LanceDataset.OpenAsync(peer.DatasetPath))
        {
            var built = await dataset.CreateIndexAsync("vector", new IvfPqOptions { NumPartitions = 16, NumSubVectors = 8, Metric = metric });
            Assert.Equal("vector_idx", built.Name);
            Assert.Empty(dataset.IgnoredIndices);
            var plan = await peer.ExplainAsync((await VectorIndexPeer.QueriesAsync(dataset, 1, seed: 1))[0], metricName, nprobes: 4);
            Assert.Contains("vector_idx", plan, StringComparison.Ordinal);
            Assert.DoesNotContain("KNNVectorDistance", plan, StringComparison.Ordinal);
            await CompareAsync(peer, dataset, metricName, metric);
        }

        await peer.AppendAsync(rows: 500, dim: Dim, firstId: 4000, seed: 99);
        await peer.DeleteAsync("id % 5 = 0");
        await using (var dataset = await LanceDataset.OpenAsync(peer.DatasetPath))
        {
            await CompareAsync(peer, dataset, metricName, metric);

            // Folding the new rows in: the index then covers every row, for LanceDB too.
            await dataset.OptimizeIndexAsync();
            var index = Assert.Single(dataset.ListIndices());
            Assert.Equal(0L, index.UnindexedRows);
            await CompareAsync(peer, dataset, metricName, metric);
        }
    }

    private static async Task CompareAsync(VectorIndexPeer peer, LanceDataset dataset, string metricName, DistanceMetric metric)
    {
        var queries = await VectorIndexPeer.QueriesAsync(dataset, 24, seed: 5);
        var truth = await VectorIndexPeer.OurSearchAsync(dataset, queries, metric, K, 1, null, exact: true);
        foreach (var (nprobes, refine) in new (int, int?)[] { (1, null), (4, null), (4, 5) })
        {
            var theirs = await peer.SearchAsync(queries, metricName, K, nprobes, refine);
            var ours = await VectorIndexPeer.OurSearchAsync(dataset, queries, metric, K, nprobes, refine);
            var theirRecall = VectorIndexPeer.Recall(theirs, truth);
            var ourRecall = VectorIndexPeer.Recall(ours, truth);
            Assert.True(Math.Abs(theirRecall - ourRecall) <= 0.02, $"{metricName} nprobes {nprobes} refine {refine}: recall {ourRecall:0.000} here, {theirRecall:0.000} in LanceDB");
            Assert.True(VectorIndexPeer.Recall(theirs, ours) >= 0.9, $"{metricName} nprobes {nprobes} refine {refine}: LanceDB returned only {VectorIndexPeer.Recall(theirs, ours):0.000} of our ids");
            if (nprobes == 1)
            {
                Assert.True(theirRecall < 0.99, $"{metricName}: LanceDB's recall {theirRecall:0.000} at one probe: it did not use our index");
            }
        }
    }
}
