using Lance.Engine;

namespace Lance.Interop.Tests.VectorIndexes;

/// <summary>
/// An IVF_FLAT or IVF_HNSW_SQ index LanceDB (Node) builds is searched by us: we list it with its
/// kind, and our top-10 at the same nprobes, refine factor and ef has LanceDB's recall (±0.02) and
/// mostly LanceDB's ids, before and after appends and deletes, for l2, cosine and dot. (LanceDB 0.31
/// for Node offers no IVF_SQ builder.)
/// </summary>
public sealed class LanceDbIvfIndexesInDotNetTests : IDisposable
{
    private const int Dim = 32;
    private const int Partitions = 32;
    private readonly TempCopy _db = TempCopy.Empty();

    public void Dispose() => _db.Dispose();

    [Theory]
    [InlineData("ivf_hnsw_sq", "IvfHnswSq", "l2", DistanceMetric.L2)]
    [InlineData("ivf_hnsw_sq", "IvfHnswSq", "cosine", DistanceMetric.Cosine)]
    [InlineData("ivf_hnsw_sq", "IvfHnswSq", "dot", DistanceMetric.Dot)]
    [InlineData("ivf_flat", "IvfFlat", "l2", DistanceMetric.L2)]
    [InlineData("ivf_flat", "IvfFlat", "cosine", DistanceMetric.Cosine)]
    [InlineData("ivf_flat", "IvfFlat", "dot", DistanceMetric.Dot)]
    public async Task Our_search_of_a_LanceDB_index_matches_LanceDB(string kind, string lanceType, string metricName, DistanceMetric metric)
    {
        var peer = new VectorIndexPeer(_db.Path, "t");
        await peer.CreateAsync(rows: 4000, dim: Dim);
        Assert.Equal([lanceType], await peer.IndexAsync(kind, metricName, partitions: Partitions));
        var expectedKind = kind == "ivf_flat" ? VectorIndexKind.IvfFlat : VectorIndexKind.IvfHnswSq;

        await using (var dataset = await LanceDataset.OpenAsync(peer.DatasetPath))
        {
            var index = Assert.Single(dataset.ListIndices());
            Assert.Equal(("vector", metric, Partitions, expectedKind, 4000L, 0L), (index.Column, index.Metric, index.NumPartitions, index.Kind, index.IndexedRows, index.UnindexedRows));
            Assert.Empty(dataset.IgnoredIndices);
            await DotNetIvfIndexesInLanceDbTests.CompareAsync(peer, dataset, kind, metricName, metric);
        }

        // Appended rows are not in the index (searched exactly by both); deleted rows are masked.
        await peer.AppendAsync(rows: 500, dim: Dim, firstId: 4000, seed: 99);
        await peer.DeleteAsync("id % 5 = 0");
        await using (var dataset = await LanceDataset.OpenAsync(peer.DatasetPath))
        {
            Assert.Equal(400L, Assert.Single(dataset.ListIndices()).UnindexedRows);
            await DotNetIvfIndexesInLanceDbTests.CompareAsync(peer, dataset, kind, metricName, metric);
        }
    }
}
