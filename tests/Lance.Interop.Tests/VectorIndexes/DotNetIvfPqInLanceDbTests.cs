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

    private static Task CompareAsync(VectorIndexPeer peer, LanceDataset dataset, string metricName, DistanceMetric metric)
        => RecallComparison.AssertSameRecallAsync(peer, dataset, metricName, metric, seed: 5);
}
