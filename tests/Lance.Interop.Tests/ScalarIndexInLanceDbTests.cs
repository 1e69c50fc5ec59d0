using Apache.Arrow;
using Lance.Engine;
using static Lance.Engine.Tests.Support.ScannedIds;

namespace Lance.Interop.Tests;

/// <summary>BTREE, BITMAP and LABEL_LIST indexes built here, used by LanceDB (its plan names them) with the same rows as ours, also after LanceDB appends and deletes.</summary>
public sealed class ScalarIndexInLanceDbTests : IAsyncLifetime
{
    private static readonly string[] Filters =
    [
        "age = 5", "age < 0", "age >= 89", "age BETWEEN 10 AND 20", "age IN (1, 2, 3)", "age IS NULL", "name = 'n3'",
        "name IN ('n1', 'n5')", "name IS NULL", "flag", "flag = false", "score > 100.25", "day >= date '2024-02-01'",
        "ts < timestamp '2024-01-10 00:00:00'", "id < 100", "age > 50 AND name = 'n3'", "age < 20 OR flag", "NOT (age < 20)",
        "array_has_any(tags, ['t1', 't3'])", "array_has_all(tags, ['t2', 't5'])",
        // A tenth of the lists are null: LanceDB leaves them out of a NOT only when our LABEL_LIST records them (version 1).
        "NOT array_has_any(tags, ['t1'])", "NOT array_has(tags, 't2')",
    ];

    private static readonly (string Column, ScalarIndexKind Kind, string Shown)[] Indexes =
    [
        ("id", ScalarIndexKind.BTree, "BTree"), ("age", ScalarIndexKind.BTree, "BTree"), ("name", ScalarIndexKind.Bitmap, "Bitmap"),
        ("flag", ScalarIndexKind.Bitmap, "Bitmap"), ("score", ScalarIndexKind.BTree, "BTree"), ("day", ScalarIndexKind.BTree, "BTree"),
        ("ts", ScalarIndexKind.BTree, "BTree"), ("tags", ScalarIndexKind.LabelList, "LabelList"),
    ];

    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    private string Dataset => Path.Combine(_db.Path, "t.lance");

    public async Task InitializeAsync()
    {
        using var made = await _peer.RunAsync("scalar-index", new { op = "make", db = _db.Path, table = "t", rows = 3000, seed = 23, indexes = System.Array.Empty<object>(), append = 400, deleteWhere = "id % 9 = 4" });
        await using var dataset = await LanceDataset.OpenAsync(Dataset);
        foreach (var (column, kind, _) in Indexes)
        {
            await dataset.CreateScalarIndexAsync(column, kind);
        }
    }

    public Task DisposeAsync()
    {
        _db.Dispose();
        return Task.CompletedTask;
    }

    private async Task AssertSameAsLanceDbAsync(bool expectIndexInPlan)
    {
        await using var dataset = await LanceDataset.OpenAsync(Dataset);
        using var peer = await _peer.RunAsync("scalar-index", new { op = "query", db = _db.Path, table = "t", filters = Filters, explain = true });
        var theirs = peer.RootElement.GetProperty("results").EnumerateArray().ToList();
        for (var f = 0; f < Filters.Length; f++)
        {
            var ours = await IdsAsync(dataset, Filters[f], useIndex: true);
            Assert.Equal(await IdsAsync(dataset, Filters[f], useIndex: false), ours);
            Assert.False(theirs[f].TryGetProperty("error", out var error), $"LanceDB failed on {Filters[f]}: {error}");
            var lance = theirs[f].GetProperty("ids").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            Assert.True(lance.SequenceEqual(ours), $"{Filters[f]}: {ours.Length} rows here, {lance.Length} in LanceDB");
            if (expectIndexInPlan)
            {
                var plan = theirs[f].GetProperty("plan").GetString()!;
                Assert.Contains("ScalarIndexQuery", plan, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task LanceDB_lists_our_indexes_with_their_kinds()
    {
        using var stats = await _peer.RunAsync("scalar-index", new { op = "stats", db = _db.Path, table = "t" });

        var listed = stats.RootElement.GetProperty("indices").EnumerateArray()
            .Select(i => (i.GetProperty("name").GetString(), i.GetProperty("indexType").GetString())).OrderBy(i => i.Item1).ToList();
        Assert.Equal(Indexes.Select(i => ((string?)(i.Column + "_idx"), (string?)i.Shown)).OrderBy(i => i.Item1), listed);
    }

    [Fact]
    public async Task LanceDB_answers_filters_from_our_indexes_with_our_rows() => await AssertSameAsLanceDbAsync(expectIndexInPlan: true);

    [Fact]
    public async Task After_LanceDB_appends_and_deletes_both_still_agree()
    {
        using (await _peer.RunAsync("scalar-index", new { op = "append", db = _db.Path, table = "t", rows = 300, start = 5000, deleteWhere = "id % 11 = 2" }))
        {
        }

        await AssertSameAsLanceDbAsync(expectIndexInPlan: true);
    }

    [Fact]
    public async Task After_our_compaction_LanceDB_still_answers_from_our_remapped_indexes_with_our_rows()
    {
        // The compaction rewrites the fragments and remaps every index, the LABEL_LIST's null lists included.
        await using (var dataset = await LanceDataset.OpenAsync(Dataset))
        {
            var result = await dataset.CompactAsync();
            Assert.True(result.FragmentsRemoved > 0, "nothing was compacted");
        }

        await AssertSameAsLanceDbAsync(expectIndexInPlan: true);
    }

    [Fact]
    public async Task Our_explain_plan_names_the_index_and_the_fragments_it_answers()
    {
        await using var dataset = await LanceDataset.OpenAsync(Dataset);

        var plan = await dataset.ExplainPlanAsync(new ScanRequest { Filter = "age > 50 AND name = 'n3'" });
        var search = await dataset.ExplainPlanAsync(new VectorSearchRequest("vec", new float[4], 5) { Filter = "array_has_any(tags, ['t1'])" });

        Assert.Equal(["age_idx", "name_idx"], plan.ScalarIndexes.Order());
        Assert.Equal(plan.Fragments, plan.FragmentsFromIndex);
        Assert.Equal(0, plan.RowsScanned);
        Assert.Contains("ScalarIndexQuery: AND([(age > 50)]@age_idx(BTree),[(name = 'n3')]@name_idx(Bitmap))", plan.ToString(), StringComparison.Ordinal);
        Assert.Equal(FilterPlacement.Prefilter, search.Placement);
        Assert.Equal(["tags_idx"], search.ScalarIndexes);
        Assert.Equal(search.Fragments, search.FragmentsNarrowed);
    }
}
