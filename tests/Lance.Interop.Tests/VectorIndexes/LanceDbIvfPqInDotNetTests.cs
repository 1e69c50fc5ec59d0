using Lance.Engine;

namespace Lance.Interop.Tests.VectorIndexes;

/// <summary>
/// An IVF_PQ index LanceDB (Node) builds is searched by us: our top-10 at the same nprobes and
/// refine factor has LanceDB's recall (±0.02) and mostly LanceDB's ids, before and after appends and
/// deletes, for l2, cosine and dot. A search that ignored the index would have recall 1 at one probe.
/// </summary>
public sealed class LanceDbIvfPqInDotNetTests : IDisposable
{
    private const int Dim = 32;
    private const int K = 10;
    private readonly TempCopy _db = TempCopy.Empty();

    public void Dispose() => _db.Dispose();

    [Theory]
    [InlineData("l2", DistanceMetric.L2)]
    [InlineData("cosine", DistanceMetric.Cosine)]
    [InlineData("dot", DistanceMetric.Dot)]
    public async Task Our_search_of_a_LanceDB_IVF_PQ_index_matches_LanceDB(string metricName, DistanceMetric metric)
    {
        var peer = new VectorIndexPeer(_db.Path, "t");
        await peer.CreateAsync(rows: 4000, dim: Dim);
        Assert.Equal(["IvfPq"], await peer.IndexAsync("ivf_pq", metricName, partitions: 16, subVectors: 8));

        await using (var dataset = await LanceDataset.OpenAsync(peer.DatasetPath))
        {
            var index = Assert.Single(dataset.ListIndices());
            Assert.Equal(("vector", metric, 16, 8, 4000L, 0L), (index.Column, index.Metric, index.NumPartitions, index.NumSubVectors, index.IndexedRows, index.UnindexedRows));
            Assert.Empty(dataset.IgnoredIndices);
            await CompareAsync(peer, dataset, metricName, metric);
        }

        // Appended rows are not in the index (searched exactly by both); deleted rows are masked.
        await peer.AppendAsync(rows: 500, dim: Dim, firstId: 4000, seed: 99);
        await peer.DeleteAsync("id % 5 = 0");
        await using (var dataset = await LanceDataset.OpenAsync(peer.DatasetPath))
        {
            var index = Assert.Single(dataset.ListIndices());
            Assert.Equal(400L, index.UnindexedRows);
            await CompareAsync(peer, dataset, metricName, metric);
        }
    }

    private static async Task CompareAsync(VectorIndexPeer peer, LanceDataset dataset, string metricName, DistanceMetric metric)
    {
        var queries = await VectorIndexPeer.QueriesAsync(dataset, 24, seed: 3);
        var truth = await VectorIndexPeer.OurSearchAsync(dataset, queries, metric, K, 1, null, exact: true);
        var lanceTruth = await peer.SearchAsync(queries, metricName, K, exact: true);
        Assert.True(VectorIndexPeer.Recall(truth, lanceTruth) >= 0.99, "exact searches disagree");
        foreach (var (nprobes, refine) in new (int, int?)[] { (1, null), (4, null), (4, 5) })
        {
            var theirs = await peer.SearchAsync(queries, metricName, K, nprobes, refine);
            var ours = await VectorIndexPeer.OurSearchAsync(dataset, queries, metric, K, nprobes, refine);
            var theirRecall = VectorIndexPeer.Recall(theirs, truth);
            var ourRecall = VectorIndexPeer.Recall(ours, truth);
            Assert.True(Math.Abs(theirRecall - ourRecall) <= 0.02, $"{metricName} nprobes {nprobes} refine {refine}: recall {ourRecall:0.000} here, {theirRecall:0.000} in LanceDB");
            Assert.True(VectorIndexPeer.Recall(ours, theirs) >= 0.9, $"{metricName} nprobes {nprobes} refine {refine}: only {VectorIndexPeer.Recall(ours, theirs):0.000} of LanceDB's ids");
            if (nprobes == 1)
            {
                Assert.True(ourRecall < 0.99, $"{metricName}: recall {ourRecall:0.000} at one probe: the index was not used");
            }
        }
    }
}
