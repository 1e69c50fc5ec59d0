using Apache.Arrow;
using Lance.Engine;
using Lance.Interop.Tests.VectorIndexes;
using static Lance.Engine.Tests.Support.ScannedIds;

namespace Lance.Interop.Tests.IndexManagement;

/// <summary>
/// When we delete every row of a fragment (the fragment leaves the manifest), every index stays, ours and LanceDB's,
/// as Lance keeps them: LanceDB lists them with the live rows they cover, its plans use them, and both libraries
/// answer through them without the deleted rows: scalar filters exactly as a scan does, vector searches with the
/// same top-10.
/// </summary>
public sealed class IndexesAfterFragmentDeleteTests : IDisposable
{
    private const string DeleteMiddle = "id >= 1500 AND id < 2100";

    private static readonly string[] Filters =
    [
        "age = 5", "age < 0", "age BETWEEN 10 AND 20", "name = 'n3'", "name IN ('n1', 'n5')", "name IS NULL",
        "array_has_any(tags, ['t1', 't3'])", "id >= 1400 AND id < 2200", "id > 2050", "age > 50 AND name = 'n3'",
    ];

    private static readonly (string Column, ScalarIndexKind Kind, string PeerKind, string Stats)[] ScalarIndexes =
    [
        ("id", ScalarIndexKind.BTree, "btree", "BTREE"), ("age", ScalarIndexKind.BTree, "btree", "BTREE"),
        ("name", ScalarIndexKind.Bitmap, "bitmap", "BITMAP"), ("tags", ScalarIndexKind.LabelList, "labelList", "LABEL_LIST"),
    ];

    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    private string Dataset => Path.Combine(_db.Path, "t.lance");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Both_libraries_filter_through_every_scalar_index_after_we_delete_a_whole_fragment(bool builtByLanceDb)
    {
        // Three fragments: ids 0–1499, 1500–2099, 2100–2499; the indexes cover all three.
        (await _peer.RunAsync("scalar-index", new { op = "make", db = _db.Path, table = "t", rows = 1500, seed = 31, indexes = System.Array.Empty<object>() })).Dispose();
        (await _peer.RunAsync("scalar-index", new { op = "append", db = _db.Path, table = "t", rows = 600, start = 1500, seed = 32 })).Dispose();
        (await _peer.RunAsync("scalar-index", new { op = "append", db = _db.Path, table = "t", rows = 400, start = 2100, seed = 33 })).Dispose();
        if (builtByLanceDb)
        {
            (await _peer.RunAsync("scalar-index", new { op = "index", db = _db.Path, table = "t", indexes = ScalarIndexes.Select(i => new { column = i.Column, kind = i.PeerKind }).ToArray() })).Dispose();
        }

        await using (var dataset = await LanceDataset.OpenAsync(Dataset))
        {
            if (!builtByLanceDb)
            {
                foreach (var (column, kind, _, _) in ScalarIndexes)
                {
                    await dataset.CreateScalarIndexAsync(column, kind);
                }
            }

            Assert.Equal(600L, await dataset.DeleteAsync(DeleteMiddle));
            Assert.Equal(ScalarIndexes.Select(i => i.Column + "_idx").Order(), (await dataset.ListIndicesAsync()).Select(i => i.Name).Order());
            foreach (var (column, _, _, stats) in ScalarIndexes)
            {
                Assert.Equal(new IndexStatistics(1900, 0, stats, null, 1), await dataset.IndexStatsAsync(column + "_idx"));
            }
        }

        using (var stats = await _peer.RunAsync("scalar-index", new { op = "stats", db = _db.Path, table = "t" }))
        {
            var listed = stats.RootElement.GetProperty("indices").EnumerateArray()
                .Select(i => (i.GetProperty("name").GetString(), i.GetProperty("numIndexedRows").GetInt32(), i.GetProperty("numUnindexedRows").GetInt32())).OrderBy(i => i.Item1);
            Assert.Equal(ScalarIndexes.Select(i => ((string?)(i.Column + "_idx"), 1900, 0)).OrderBy(i => i.Item1), listed);
        }

        await using var reopened = await LanceDataset.OpenAsync(Dataset);
        using var peer = await _peer.RunAsync("scalar-index", new { op = "query", db = _db.Path, table = "t", filters = Filters, explain = true });
        var theirs = peer.RootElement.GetProperty("results").EnumerateArray().ToList();
        for (var f = 0; f < Filters.Length; f++)
        {
            Assert.False(theirs[f].TryGetProperty("error", out var error), $"LanceDB failed on {Filters[f]}: {error}");
            Assert.Contains("ScalarIndexQuery", theirs[f].GetProperty("plan").GetString()!, StringComparison.Ordinal);
            var ours = await IdsAsync(reopened, Filters[f], useIndex: true);
            Assert.Equal(await IdsAsync(reopened, Filters[f], useIndex: false), ours);
            Assert.Equal(theirs[f].GetProperty("ids").EnumerateArray().Select(e => e.GetInt64()), ours);
            Assert.DoesNotContain(ours, id => id is >= 1500 and < 2100);
        }

        var plan = await reopened.ExplainPlanAsync(new ScanRequest { Filter = "age > 50 AND name = 'n3'" });
        Assert.Equal(["age_idx", "name_idx"], plan.ScalarIndexes.Order());
        Assert.Equal(plan.Fragments, plan.FragmentsFromIndex);
    }

    [Theory]
    [InlineData("ivf_flat", false)]
    [InlineData("ivf_flat", true)]
    [InlineData("ivf_pq", false)]
    [InlineData("ivf_pq", true)]
    [InlineData("ivf_hnsw_sq", false)]
    [InlineData("ivf_hnsw_sq", true)]
    public async Task Both_libraries_search_through_the_vector_index_after_we_delete_a_whole_fragment(string kind, bool builtByLanceDb)
    {
        const int dim = 16;
        const int partitions = 8;
        var peer = new VectorIndexPeer(_db.Path, "v");
        await peer.CreateAsync(rows: 1500, dim: dim);
        await peer.AppendAsync(rows: 600, dim: dim, firstId: 1500, seed: 8);
        await peer.AppendAsync(rows: 400, dim: dim, firstId: 2100, seed: 9);
        if (builtByLanceDb)
        {
            await peer.IndexAsync(kind, "l2", partitions, subVectors: kind == "ivf_pq" ? 4 : null);
        }

        var statsName = kind.ToUpperInvariant();
        await using (var dataset = await LanceDataset.OpenAsync(peer.DatasetPath))
        {
            if (!builtByLanceDb)
            {
                await dataset.CreateIndexAsync("vector", kind switch
                {
                    "ivf_flat" => IndexConfig.IvfFlat(partitions),
                    "ivf_pq" => IndexConfig.IvfPq(partitions, 4),
                    _ => IndexConfig.IvfHnswSq(partitions),
                });
            }

            Assert.Equal(600L, await dataset.DeleteAsync(DeleteMiddle));
            Assert.Equal(new IndexStatistics(1900, 0, statsName, "l2", 1), await dataset.IndexStatsAsync("vector_idx"));
            Assert.Equal("vector_idx", Assert.Single(dataset.ListIndices()).Name);
        }

        var stats = await peer.StatsAsync("vector_idx");
        Assert.Equal(
            (statsName, 1900, 0),
            (stats.GetProperty("indexType").GetString(), stats.GetProperty("numIndexedRows").GetInt32(), stats.GetProperty("numUnindexedRows").GetInt32()));

        await using var reopened = await LanceDataset.OpenAsync(peer.DatasetPath);
        var queries = await VectorIndexPeer.QueriesAsync(reopened, 12, seed: 5);
        var plan = await peer.ExplainAsync(queries[0], "l2", nprobes: 2);
        Assert.Contains("vector_idx", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("KNNVectorDistance", plan, StringComparison.Ordinal);
        Assert.Equal("vector_idx", (await reopened.ExplainPlanAsync(new VectorSearchRequest("vector", queries[0], 10))).VectorIndex);

        // IVF_FLAT measures exactly: at a few probes the same ids. The quantised kinds, probing every partition and
        // refining (PQ) or with a wide beam (HNSW), both find the exact top-10 of the rows left.
        var (nprobes, refine, ef) = kind switch
        {
            "ivf_flat" => (2, (int?)null, (int?)null),
            "ivf_pq" => (partitions, 20, null),
            _ => (partitions, null, 200),
        };
        var theirs = await peer.SearchAsync(queries, "l2", 10, nprobes, refine, ef: ef);
        var ours = await VectorIndexPeer.OurSearchAsync(reopened, queries, DistanceMetric.L2, 10, nprobes, refine, ef: ef);
        Assert.All(theirs.Concat(ours), ids => Assert.DoesNotContain(ids, id => id is >= 1500 and < 2100));
        Assert.All(theirs.Concat(ours), ids => Assert.Equal(10, ids.Length));
        Assert.True(VectorIndexPeer.Recall(theirs, ours) >= 0.99, $"{kind}: LanceDB returned {VectorIndexPeer.Recall(theirs, ours):0.000} of our ids");
        if (kind != "ivf_flat")
        {
            // A quantised index is not exact, and LanceDB builds a different HNSW graph each time: on one of its builds
            // our recall came out at 0.983 while our ids agreed with LanceDB's (above). Ours must be high, and no lower
            // than LanceDB's own recall on the same index.
            var exact = await VectorIndexPeer.OurSearchAsync(reopened, queries, DistanceMetric.L2, 10, 1, null, exact: true);
            var (ourRecall, theirRecall) = (VectorIndexPeer.Recall(ours, exact), VectorIndexPeer.Recall(theirs, exact));
            Assert.True(ourRecall >= 0.95 && ourRecall >= theirRecall - 0.01, $"{kind}: recall {ourRecall:0.000}, LanceDB's {theirRecall:0.000}");
        }
    }
}
