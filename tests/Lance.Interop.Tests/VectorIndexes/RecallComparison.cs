using Lance.Engine;

namespace Lance.Interop.Tests.VectorIndexes;

/// <summary>
/// The check every two-way vector index test makes: on the same table and index, our top-k and
/// LanceDB's at the same nprobes and refine factor have the same recall against the exact answer
/// (±0.02) and mostly the same ids; at one probe neither is exact (so both used the index).
/// </summary>
internal static class RecallComparison
{
    private static readonly (int Nprobes, int? Refine)[] Settings = [(1, null), (4, null), (4, 5)];

    /// <summary>Runs the check on 24 queries near the data (<paramref name="seed"/> picks them).</summary>
    public static async Task AssertSameRecallAsync(VectorIndexPeer peer, LanceDataset dataset, string metricName, DistanceMetric metric, int seed, int k = 10)
    {
        var queries = await VectorIndexPeer.QueriesAsync(dataset, 24, seed);
        var truth = await VectorIndexPeer.OurSearchAsync(dataset, queries, metric, k, 1, null, exact: true);
        var lanceTruth = await peer.SearchAsync(queries, metricName, k, exact: true);
        Assert.True(VectorIndexPeer.Recall(truth, lanceTruth) >= 0.99, $"{metricName}: the exact searches disagree");
        foreach (var (nprobes, refine) in Settings)
        {
            var theirs = await peer.SearchAsync(queries, metricName, k, nprobes, refine);
            var ours = await VectorIndexPeer.OurSearchAsync(dataset, queries, metric, k, nprobes, refine);
            var theirRecall = VectorIndexPeer.Recall(theirs, truth);
            var ourRecall = VectorIndexPeer.Recall(ours, truth);
            var what = $"{metricName} nprobes {nprobes} refine {refine}";
            Assert.True(Math.Abs(theirRecall - ourRecall) <= 0.02, $"{what}: recall {ourRecall:0.000} here, {theirRecall:0.000} in LanceDB");
            Assert.True(VectorIndexPeer.Recall(ours, theirs) >= 0.9, $"{what}: only {VectorIndexPeer.Recall(ours, theirs):0.000} of LanceDB's ids here");
            if (nprobes == 1)
            {
                Assert.True(ourRecall < 0.99 && theirRecall < 0.99, $"{what}: recall {ourRecall:0.000} here, {theirRecall:0.000} in LanceDB at one probe: an index was not used");
            }
        }
    }
}
