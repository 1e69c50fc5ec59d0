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

    private static Task CompareAsync(VectorIndexPeer peer, LanceDataset dataset, string metricName, DistanceMetric metric)
        => RecallComparison.AssertSameRecallAsync(peer, dataset, metricName, metric, seed: 3);
}
