using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;

namespace Lance.Orm.Tests;

public sealed class TableOperationsTests : IDisposable
{
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    private static IEnumerable<Point> Points(int start, int count)
        => Enumerable.Range(start, count).Select(i => new Point { Id = i, Vector = [i, 0, 0, 1], Label = $"p{i}" });

    [Fact]
    public async Task An_update_that_sets_an_embedded_source_recomputes_those_rows_vectors_in_the_same_version()
    {
        var db = await _db.ConnectAsync();
        var notes = await db.CreateTableAsync("notes", Enumerable.Range(0, 5).Select(i => new Note { Id = i, Text = $"note {i}", Rank = i }));
        var table = await db.OpenTableAsync("notes");
        float[] Embedding(string text) => HashEmbedding.Embed(text);
        async Task<Dictionary<long, Note>> Rows() => (await notes.AsAsyncEnumerable().ToListAsync()).ToDictionary(r => r.Id);
        var version = notes.Version;

        // A constant, a value computed per row, the untyped dictionary form and LanceDB's values_sql.
        Assert.Equal(1, await notes.UpdateAsync(x => x.Id == 1, x => new Note { Text = "a red kite" }));
        Assert.Equal(2, await notes.UpdateAsync(x => x.Id >= 3, x => new Note { Text = x.Text + " (edited)" }));
        await table.RefreshAsync();
        Assert.Equal(1, await table.UpdateAsync("id = 0", new Dictionary<string, object?> { ["text"] = "green tea" }));
        Assert.Equal(1, await table.UpdateWithSqlAsync("id = 2", new Dictionary<string, string> { ["text"] = "upper(text)" }));
        await notes.RefreshAsync();

        var rows = await Rows();
        Assert.Equal(version + 4, notes.Version);
        Assert.Equal(Embedding("a red kite"), rows[1].Vector);
        Assert.Equal(Embedding("note 3 (edited)"), rows[3].Vector);
        Assert.Equal(Embedding("note 4 (edited)"), rows[4].Vector);
        Assert.Equal(Embedding("green tea"), rows[0].Vector);
        Assert.Equal(Embedding("NOTE 2"), rows[2].Vector);
        Assert.Equal(1, (await notes.Search("a red kite").Limit(1).ToListAsync())[0].Id);

        // An update of other members leaves the vectors; one that sets the vector too keeps the vector it gives.
        float[] given = [.. Enumerable.Range(0, 16).Select(i => i == 5 ? 1f : 0f)];
        await notes.UpdateAsync(x => x.Id == 1, x => new Note { Rank = 42 });
        await notes.UpdateAsync(x => x.Id == 0, x => new Note { Text = "ignored by the vector", Vector = given });
        rows = await Rows();
        Assert.Equal(Embedding("a red kite"), rows[1].Vector);
        Assert.Equal(given, rows[0].Vector);
    }

    [Fact]
    public async Task A_typed_upsert_replaces_rows_by_key_and_computes_missing_vectors()
    {
        var db = await _db.ConnectAsync();
        var notes = await db.CreateTableAsync("notes", Enumerable.Range(0, 5).Select(i => new Note { Id = i, Text = $"note {i}" }));

        var result = await notes.MergeInsertAsync([new Note { Id = 2, Text = "changed", Rank = 9 }, new Note { Id = 7, Text = "new" }], ["id"], MergeInsertOptions.Upsert);

        Assert.Equal(new MergeInsertResult(1, 1, 0), result);
        var rows = await notes.AsAsyncEnumerable().ToListAsync();
        Assert.Equal([0L, 1, 2, 3, 4, 7], rows.Select(r => r.Id).Order());
        var changed = rows.Single(r => r.Id == 2);
        Assert.Equal(("changed", (int?)9), (changed.Text, changed.Rank));
        Assert.Equal(16, changed.Vector!.Length);
        Assert.Equal((await new HashEmbedding().ComputeSourceEmbeddingsAsync(["changed"]))[0].ToArray(), changed.Vector);
    }

    [Fact]
    public async Task A_typed_checkout_reads_rows_as_they_were_and_restore_brings_them_back()
    {
        var db = await _db.ConnectAsync();
        var points = await db.CreateTableAsync("points", Points(0, 10));
        await points.AddAsync(Points(10, 5));

        var first = await points.CheckoutAsync(1);
        Assert.True(first.IsReadOnly);
        Assert.Equal(10, (await first.AsAsyncEnumerable().ToListAsync()).Count);
        await Assert.ThrowsAsync<InvalidOperationException>(() => first.AddAsync(Points(20, 1)));

        await points.RestoreAsync(1);

        Assert.Equal(3UL, points.Version);
        Assert.Equal(10, await points.CountRowsAsync());
        Assert.Equal([1UL, 2UL, 3UL], (await points.ListVersionsAsync()).Select(v => v.Version));
    }

    [Fact]
    public async Task Tags_compaction_and_cleanup_work_through_the_table()
    {
        var db = await _db.ConnectAsync();
        var points = await db.CreateTableAsync("points", Points(0, 3));
        for (var i = 1; i < 5; i++)
        {
            await points.AddAsync(Points(i * 3, 3));
        }

        await points.CreateTagAsync("start", 1);
        var compaction = await points.CompactAsync();
        var cleanup = await points.CleanupOldVersionsAsync(TimeSpan.Zero);

        Assert.Equal(new CompactionResult(5, 1), compaction);
        Assert.Equal(4, cleanup.VersionsRemoved);
        Assert.Equal(15, await points.CountRowsAsync());
        Assert.Equal(3, (await (await points.CheckoutAsync("start")).AsAsyncEnumerable().ToListAsync()).Count);
    }

    [Fact]
    public async Task Columns_can_be_added_renamed_and_dropped_and_the_model_check_then_names_the_change()
    {
        var db = await _db.ConnectAsync();
        var points = await db.CreateTableAsync("points", Points(0, 3));

        await points.AddColumnAsync(new Field("weight", DoubleType.Default, nullable: true), 0.5);
        await points.RenameColumnAsync("label", "name");
        await points.DropColumnsAsync(["weight"]);

        var untyped = await db.OpenTableAsync("points");
        Assert.Equal(["id", "vector", "name"], untyped.Schema.FieldsList.Select(f => f.Name));
        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => db.OpenTableAsync<Point>("points"));
        Assert.Contains("label", error.Message);
    }

    [Fact]
    public async Task A_search_through_an_index_takes_nprobes_and_refine_and_can_bypass_the_index()
    {
        var db = await _db.ConnectAsync();
        var random = new Random(5);
        var rows = Enumerable.Range(0, 400).Select(i => new Point { Id = i, Vector = [.. Enumerable.Range(0, 4).Select(_ => (float)random.NextDouble())] }).ToList();
        var points = await db.CreateTableAsync("points", rows);
        await points.CreateIndexAsync(x => x.Vector, new IvfPqOptions { NumPartitions = 8, NumSubVectors = 2 });
        float[] query = [0.5f, 0.5f, 0.5f, 0.5f];

        var exact = await points.Search(query).Limit(5).BypassVectorIndex().ToSearchResultsAsync();
        var refined = await points.Search(query).Limit(5).Nprobes(8).RefineFactor(20).ToSearchResultsAsync();

        // Probing every partition and re-ranking 100 candidates with exact vectors finds the exact answer.
        Assert.Equal(exact.Select(r => r.Row.Id), refined.Select(r => r.Row.Id));
        Assert.Equal(exact.Select(r => r.Distance), refined.Select(r => r.Distance));
        Assert.Throws<ArgumentOutOfRangeException>(() => points.Search(query).Nprobes(0));
    }

    [Fact]
    public async Task An_HNSW_index_from_a_typed_config_serves_searches_with_ef_and_the_untyped_table_builds_one_too()
    {
        var db = await _db.ConnectAsync();
        var random = new Random(7);
        var rows = Enumerable.Range(0, 400).Select(i => new Point { Id = i, Vector = [.. Enumerable.Range(0, 4).Select(_ => (float)random.NextDouble())] }).ToList();
        var points = await db.CreateTableAsync("points", rows);
        var info = await points.CreateIndexAsync(x => x.Vector, IndexConfig.IvfHnswSq(numPartitions: 4, m: 8, efConstruction: 64));
        Assert.Equal((VectorIndexKind.IvfHnswSq, 4, 400L), (info.Kind, info.NumPartitions, info.IndexedRows));
        float[] query = [0.5f, 0.5f, 0.5f, 0.5f];

        var exact = await points.Search(query).Limit(5).BypassVectorIndex().ToSearchResultsAsync();
        var indexed = await points.Search(query).Limit(5).Nprobes(4).Ef(200).RefineFactor(10).ToSearchResultsAsync();
        Assert.Equal(exact.Select(r => r.Row.Id), indexed.Select(r => r.Row.Id));
        Assert.Throws<ArgumentOutOfRangeException>(() => points.Search(query).Ef(0));

        var untyped = await db.OpenTableAsync("points");
        var flat = await untyped.CreateIndexAsync("vector", IndexConfig.IvfFlat(numPartitions: 2) with { Name = "flat_idx" });
        Assert.Equal((VectorIndexKind.IvfFlat, "vector"), (flat.Kind, flat.Column));
    }
}
