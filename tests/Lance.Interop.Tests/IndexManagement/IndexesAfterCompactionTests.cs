using Apache.Arrow;
using Lance.Engine;
using Lance.Engine.Format;
using Lance.Interop.Tests.VectorIndexes;
using PbTable = Lance.Engine.Format.Protos.Table;
using static Lance.Engine.Tests.Support.ScannedIds;

namespace Lance.Interop.Tests.IndexManagement;

/// <summary>
/// Indexes survive compaction both ways, as Lance keeps them: whoever built the index and whoever compacts (our
/// <c>CompactAsync</c> or LanceDB's <c>optimize</c>), the rewritten fragments' rows are remapped into the index, both
/// libraries list it covering them, LanceDB's plans and ours use it, and both answer as before the compaction: scalar
/// filters exactly, vector searches with the same top-10 (recall within 0.02). Deleted rows never come back. When
/// LanceDB compacts, we also read the version of its compaction itself (its optimize then rebuilds the indexes again).
/// </summary>
public sealed class IndexesAfterCompactionTests : IDisposable
{
    private const string Deletes = "id % 5 = 1 OR (id >= 1600 AND id < 1700)";

    private static readonly string[] Filters =
    [
        "age = 5", "age BETWEEN 10 AND 20", "name = 'n3'", "name IN ('n1', 'n5')", "name IS NULL",
        "array_has_any(tags, ['t1', 't3'])", "id >= 1400 AND id < 2200", "id > 2050", "age > 50 AND name = 'n3'",
    ];

    private static readonly (string Column, ScalarIndexKind Kind, string PeerKind)[] ScalarIndexes =
    [
        ("id", ScalarIndexKind.BTree, "btree"), ("age", ScalarIndexKind.BTree, "btree"),
        ("name", ScalarIndexKind.Bitmap, "bitmap"), ("tags", ScalarIndexKind.LabelList, "labelList"),
    ];

    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    private string Dataset => Path.Combine(_db.Path, "t.lance");

    private static bool IsDeleted(long id) => id % 5 == 1 || id is >= 1600 and < 1700;

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task Scalar_indexes_survive_compaction_by_either_library_with_the_same_answers(bool builtByLanceDb, bool compactedByLanceDb)
    {
        // Three indexed fragments (ids 0–2499), then 100 rows no index covers, then deletes in every fragment.
        (await _peer.RunAsync("scalar-index", new { op = "make", db = _db.Path, table = "t", rows = 1500, seed = 41, indexes = System.Array.Empty<object>() })).Dispose();
        (await _peer.RunAsync("scalar-index", new { op = "append", db = _db.Path, table = "t", rows = 600, start = 1500, seed = 42 })).Dispose();
        (await _peer.RunAsync("scalar-index", new { op = "append", db = _db.Path, table = "t", rows = 400, start = 2100, seed = 43 })).Dispose();
        if (builtByLanceDb)
        {
            (await _peer.RunAsync("scalar-index", new { op = "index", db = _db.Path, table = "t", indexes = ScalarIndexes.Select(i => new { column = i.Column, kind = i.PeerKind }).ToArray() })).Dispose();
        }
        else
        {
            await using var builder = await LanceDataset.OpenAsync(Dataset);
            foreach (var (column, kind, _) in ScalarIndexes)
            {
                await builder.CreateScalarIndexAsync(column, kind);
            }
        }

        (await _peer.RunAsync("scalar-index", new { op = "append", db = _db.Path, table = "t", rows = 100, start = 2500, seed = 44, deleteWhere = Deletes })).Dispose();
        var expected = new List<long[]>();
        await using (var before = await LanceDataset.OpenAsync(Dataset))
        {
            foreach (var filter in Filters)
            {
                expected.Add(await IdsAsync(before, filter, useIndex: false));
            }

            if (!compactedByLanceDb)
            {
                var result = await before.CompactAsync();
                Assert.True(result.FragmentsRemoved >= 4, $"compaction rewrote {result.FragmentsRemoved} fragments");

                // The indexed fragments were merged apart from the unindexed one; every index covers the merged rows.
                var indexed = Enumerable.Range(0, 2500).Count(id => !IsDeleted(id));
                foreach (var (column, _, _) in ScalarIndexes)
                {
                    var stats = await before.IndexStatsAsync(column + "_idx");
                    Assert.Equal((indexed, 80L), (stats!.NumIndexedRows, stats.NumUnindexedRows));
                }
            }
        }

        if (compactedByLanceDb)
        {
            (await _peer.RunAsync("index-admin", new { op = "optimize", db = _db.Path, table = "t" })).Dispose();

            // LanceDB's optimize compacts, then rebuilds its indexes; the compaction's own version holds its remapped indexes.
            await using var compaction = await LanceDataset.OpenAsync(Dataset, RewriteVersion(Dataset));
            Assert.Equal(ScalarIndexes.Select(i => i.Column + "_idx").Order(), (await compaction.ListIndicesAsync()).Select(i => i.Name).Order());
            await AssertFiltersAsync(compaction, expected);
        }

        using (var stats = await _peer.RunAsync("scalar-index", new { op = "stats", db = _db.Path, table = "t" }))
        {
            var listed = stats.RootElement.GetProperty("indices").EnumerateArray().Select(i => i.GetProperty("name").GetString()).Order();
            Assert.Equal(ScalarIndexes.Select(i => (string?)(i.Column + "_idx")).Order(), listed);
        }

        using var peer = await _peer.RunAsync("scalar-index", new { op = "query", db = _db.Path, table = "t", filters = Filters, explain = true });
        var theirs = peer.RootElement.GetProperty("results").EnumerateArray().ToList();
        for (var f = 0; f < Filters.Length; f++)
        {
            Assert.False(theirs[f].TryGetProperty("error", out var error), $"LanceDB failed on {Filters[f]}: {error}");
            Assert.Contains("ScalarIndexQuery", theirs[f].GetProperty("plan").GetString()!, StringComparison.Ordinal);
            Assert.Equal(expected[f], theirs[f].GetProperty("ids").EnumerateArray().Select(e => e.GetInt64()));
        }

        await using var reopened = await LanceDataset.OpenAsync(Dataset);
        await AssertFiltersAsync(reopened, expected);
        var plan = await reopened.ExplainPlanAsync(new ScanRequest { Filter = "age > 50 AND name = 'n3'" });
        Assert.Equal(["age_idx", "name_idx"], plan.ScalarIndexes.Order());
    }

    [Theory]
    [InlineData("ivf_flat", false, false)]
    [InlineData("ivf_flat", true, false)]
    [InlineData("ivf_flat", false, true)]
    [InlineData("ivf_flat", true, true)]
    [InlineData("ivf_sq", false, false)]
    [InlineData("ivf_sq", false, true)]
    [InlineData("ivf_pq", false, false)]
    [InlineData("ivf_pq", true, false)]
    [InlineData("ivf_pq", false, true)]
    [InlineData("ivf_pq", true, true)]
    [InlineData("ivf_hnsw_sq", false, false)]
    [InlineData("ivf_hnsw_sq", true, false)]
    [InlineData("ivf_hnsw_sq", false, true)]
    [InlineData("ivf_hnsw_sq", true, true)]
    public async Task A_vector_index_survives_compaction_by_either_library_with_the_same_top_10(string kind, bool builtByLanceDb, bool compactedByLanceDb)
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
        else
        {
            await using var builder = await LanceDataset.OpenAsync(peer.DatasetPath);
            await builder.CreateIndexAsync("vector", kind switch
            {
                "ivf_flat" => IndexConfig.IvfFlat(partitions),
                "ivf_sq" => IndexConfig.IvfSq(partitions),
                "ivf_pq" => IndexConfig.IvfPq(partitions, 4),
                _ => IndexConfig.IvfHnswSq(partitions),
            });
        }

        await peer.DeleteAsync(Deletes);
        long live = Enumerable.Range(0, 2500).Count(id => !IsDeleted(id));

        // Every partition probed; PQ refined, HNSW with a wide beam: each library's own answers before and after.
        var (nprobes, refine, ef) = kind switch
        {
            "ivf_pq" => (partitions, (int?)20, (int?)null),
            "ivf_hnsw_sq" => (partitions, null, 200),
            _ => (partitions, null, null),
        };
        float[][] queries;
        long[][] oursBefore;
        await using (var before = await LanceDataset.OpenAsync(peer.DatasetPath))
        {
            queries = await VectorIndexPeer.QueriesAsync(before, 12, seed: 5);
            oursBefore = await VectorIndexPeer.OurSearchAsync(before, queries, DistanceMetric.L2, 10, nprobes, refine, ef: ef);
        }

        var theirsBefore = await peer.SearchAsync(queries, "l2", 10, nprobes, refine, ef: ef);
        if (compactedByLanceDb)
        {
            await peer.OptimizeAsync();
            await using var compaction = await LanceDataset.OpenAsync(peer.DatasetPath, RewriteVersion(peer.DatasetPath));
            var entry = Assert.Single(await compaction.ListIndicesAsync());
            Assert.Equal("vector_idx", entry.Name);
            Assert.Equal((live, 0L), await compaction.IndexStatsAsync("vector_idx") is { } s ? (s.NumIndexedRows, s.NumUnindexedRows) : default);
            Assert.Equal("vector_idx", (await compaction.ExplainPlanAsync(new VectorSearchRequest("vector", queries[0], 10))).VectorIndex);
            var oursOnTheirs = await VectorIndexPeer.OurSearchAsync(compaction, queries, DistanceMetric.L2, 10, nprobes, refine, ef: ef);
            AssertSameTop10(kind, "we, on LanceDB's compaction,", oursBefore, oursOnTheirs);
        }
        else
        {
            await using var dataset = await LanceDataset.OpenAsync(peer.DatasetPath);
            await dataset.CompactAsync();
            Assert.Equal(new IndexStatistics(live, 0, kind.ToUpperInvariant(), "l2", 1), await dataset.IndexStatsAsync("vector_idx"));
        }

        var stats = await peer.StatsAsync("vector_idx");
        Assert.Equal(
            (kind.ToUpperInvariant(), (int)live, 0),
            (stats.GetProperty("indexType").GetString(), stats.GetProperty("numIndexedRows").GetInt32(), stats.GetProperty("numUnindexedRows").GetInt32()));
        var plan = await peer.ExplainAsync(queries[0], "l2", nprobes: 2);
        Assert.Contains("vector_idx", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("KNNVectorDistance", plan, StringComparison.Ordinal);

        await using var reopened = await LanceDataset.OpenAsync(peer.DatasetPath);
        Assert.Equal("vector_idx", (await reopened.ExplainPlanAsync(new VectorSearchRequest("vector", queries[0], 10))).VectorIndex);
        var theirsAfter = await peer.SearchAsync(queries, "l2", 10, nprobes, refine, ef: ef);
        var oursAfter = await VectorIndexPeer.OurSearchAsync(reopened, queries, DistanceMetric.L2, 10, nprobes, refine, ef: ef);
        AssertSameTop10(kind, "LanceDB", theirsBefore, theirsAfter);
        AssertSameTop10(kind, "we", oursBefore, oursAfter);
    }

    private static void AssertSameTop10(string kind, string who, long[][] before, long[][] after)
    {
        Assert.All(after, ids => Assert.Equal(10, ids.Length));
        Assert.All(after, ids => Assert.DoesNotContain(ids, IsDeleted));
        var recall = VectorIndexPeer.Recall(after, before);
        Assert.True(recall >= 0.98, $"{kind}: {who} found {recall:0.000} of the top-10 found before the compaction");
    }

    private async Task AssertFiltersAsync(LanceDataset dataset, List<long[]> expected)
    {
        for (var f = 0; f < Filters.Length; f++)
        {
            var ours = await IdsAsync(dataset, Filters[f], useIndex: true);
            Assert.Equal(expected[f], ours);
            Assert.DoesNotContain(ours, IsDeleted);
        }

        var plan = await dataset.ExplainPlanAsync(new ScanRequest { Filter = "id >= 1400 AND id < 2200" });
        Assert.Equal(["id_idx"], plan.ScalarIndexes);
    }

    /// <summary>The version LanceDB's compaction made (its transaction is a Rewrite).</summary>
    internal static ulong RewriteVersion(string dataset)
    {
        foreach (var file in Directory.GetFiles(Path.Combine(dataset, "_versions"), "*.manifest"))
        {
            var manifest = ManifestCodec.Decode(File.ReadAllBytes(file));
            var transaction = Path.Combine(dataset, "_transactions", manifest.TransactionFile);
            if (manifest.TransactionFile.Length > 0 && File.Exists(transaction)
                && PbTable.Transaction.Parser.ParseFrom(File.ReadAllBytes(transaction)).OperationCase == PbTable.Transaction.OperationOneofCase.Rewrite)
            {
                return manifest.Version;
            }
        }

        throw new InvalidOperationException($"LanceDB's optimize made no Rewrite version of '{dataset}'.");
    }
}
