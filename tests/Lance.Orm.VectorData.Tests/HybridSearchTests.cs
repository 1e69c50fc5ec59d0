using Lance.Engine;
using Microsoft.Extensions.VectorData;

namespace Lance.Orm.VectorData.Tests;

public sealed class Snack
{
    [VectorStoreKey] public long Id { get; set; }
    [VectorStoreData(IsFullTextIndexed = true)] public string Text { get; set; } = "";
    [VectorStoreData(IsIndexed = true)] public int Code { get; set; }
    [VectorStoreVector(4)] public ReadOnlyMemory<float> Vector { get; set; }
}

public sealed class TwoTexts
{
    [VectorStoreKey] public long Id { get; set; }
    [VectorStoreData(IsFullTextIndexed = true)] public string Text1 { get; set; } = "";
    [VectorStoreData(IsFullTextIndexed = true)] public string Text2 { get; set; } = "";
    [VectorStoreData] public string Plain { get; set; } = "";
    [VectorStoreData] public int Code { get; set; }
    [VectorStoreVector(4)] public ReadOnlyMemory<float> Vector { get; set; }
}

public sealed class TwoVectorTexts
{
    [VectorStoreKey] public long Id { get; set; }
    [VectorStoreData(IsFullTextIndexed = true)] public string Text { get; set; } = "";
    [VectorStoreVector(2, DistanceFunction = DistanceFunction.EuclideanSquaredDistance)] public ReadOnlyMemory<float> First { get; set; }
    [VectorStoreVector(2, DistanceFunction = DistanceFunction.EuclideanSquaredDistance)] public ReadOnlyMemory<float> Second { get; set; }
}

/// <summary>
/// <see cref="IKeywordHybridSearchable{TRecord}"/>: the behaviours MEVD's hybrid search conformance tests check
/// (a keyword match wins among equal vectors, top, skip, filter, several keywords, the full-text property and the
/// vector property chosen by options, vectors only when asked), and this provider's own: fused scores, the index
/// built by the first hybrid search, and records written after it still found.
/// </summary>
public sealed class HybridSearchTests : IDisposable
{
    private static readonly ReadOnlyMemory<float> Same = new([1f, 0f, 0f, 0f]);

    private readonly TestStore _store = new();

    public void Dispose() => _store.Dispose();

    /// <summary>Three snacks with one vector, so only their words tell them apart.</summary>
    private async Task<LanceCollection<long, Snack>> SnacksAsync()
    {
        var snacks = (LanceCollection<long, Snack>)await _store.CollectionAsync<long, Snack>("snacks");
        await snacks.UpsertAsync([
            new Snack { Id = 1, Text = "Apples are a healthy and nourishing snack", Code = 1, Vector = Same },
            new Snack { Id = 2, Text = "Oranges are tangy and contain vitamin c", Code = 2, Vector = Same },
            new Snack { Id = 3, Text = "Grapes are healthy, sweet and juicy", Code = 3, Vector = Same },
        ]);
        return snacks;
    }

    private async Task<LanceCollection<long, TwoTexts>> TwoTextsAsync()
    {
        var pairs = (LanceCollection<long, TwoTexts>)await _store.CollectionAsync<long, TwoTexts>("pairs");
        await pairs.UpsertAsync([
            new TwoTexts { Id = 1, Text1 = "Apples", Text2 = "Oranges", Plain = "Apples", Code = 1, Vector = Same },
            new TwoTexts { Id = 2, Text1 = "Oranges", Text2 = "Apples", Plain = "Oranges", Code = 2, Vector = Same },
        ]);
        return pairs;
    }

    private static async Task<Table> TableAsync(VectorStoreCollection<long, Snack> collection, string name)
    {
        var database = (Database)collection.GetService(typeof(Database))!;
        return await database.OpenTableAsync(name);
    }

    [Fact]
    public async Task The_record_holding_the_keyword_comes_first_when_vectors_tie()
    {
        var snacks = await SnacksAsync();

        var results = await snacks.HybridSearchAsync(Same, ["Grapes"], top: 3).ToListAsync();

        Assert.Equal(3, results.Count);
        Assert.Equal(3, results[0].Record.Code);
    }

    [Fact]
    public async Task The_collection_is_an_IKeywordHybridSearchable_as_MEVD_apps_ask_for_it()
    {
        VectorStoreCollection<long, Snack> snacks = await SnacksAsync();

        var searchable = Assert.IsAssignableFrom<IKeywordHybridSearchable<Snack>>(snacks);
        var dynamic = _store.Store.GetDynamicCollection("dyn", new VectorStoreCollectionDefinition
        {
            Properties = [new VectorStoreKeyProperty("Key", typeof(string)), new VectorStoreVectorProperty("V", typeof(ReadOnlyMemory<float>), 2)],
        });

        Assert.Same(snacks, searchable.GetService(typeof(IKeywordHybridSearchable<Snack>)));
        Assert.IsAssignableFrom<IKeywordHybridSearchable<Dictionary<string, object?>>>(dynamic);
    }

    [Fact]
    public async Task The_filter_applies_to_both_the_vector_and_the_keyword_halves()
    {
        var snacks = await SnacksAsync();

        var results = await snacks.HybridSearchAsync(Same, ["Oranges"], top: 3, new HybridSearchOptions<Snack> { Filter = s => s.Code == 1 }).ToListAsync();

        Assert.Equal(1, Assert.Single(results).Record.Code);
    }

    [Fact]
    public async Task Top_cuts_the_fused_list()
    {
        var snacks = await SnacksAsync();

        var results = await snacks.HybridSearchAsync(Same, ["Oranges"], top: 1).ToListAsync();

        Assert.Equal(2, Assert.Single(results).Record.Code);
    }

    [Fact]
    public async Task Skip_pages_through_one_fused_ranking()
    {
        var snacks = await SnacksAsync();

        var all = await snacks.HybridSearchAsync(Same, ["healthy"], top: 3).ToListAsync();
        var skipped = await snacks.HybridSearchAsync(Same, ["healthy"], top: 3, new HybridSearchOptions<Snack> { Skip = 2 }).ToListAsync();
        var lastTwo = await snacks.HybridSearchAsync(Same, ["healthy"], top: 2, new HybridSearchOptions<Snack> { Skip = 1 }).ToListAsync();

        Assert.Equal(2, Assert.Single(skipped).Record.Code);
        Assert.Equal([1, 3], all.Take(2).Select(r => r.Record.Code).Order());
        Assert.Equal(all.Skip(1).Select(r => r.Record.Code), lastTwo.Select(r => r.Record.Code));
    }

    [Fact]
    public async Task Each_keyword_counts_so_records_matching_any_rank_above_records_matching_none()
    {
        var snacks = await SnacksAsync();

        var results = await snacks.HybridSearchAsync(Same, ["tangy", "nourishing"], top: 3).ToListAsync();

        Assert.Equal(3, results.Count);
        Assert.Equal([1, 2], results.Take(2).Select(r => r.Record.Code).Order());
        Assert.Equal(3, results[2].Record.Code);
    }

    [Fact]
    public async Task AdditionalProperty_chooses_which_full_text_property_the_keywords_search()
    {
        var pairs = await TwoTextsAsync();

        var apples = await pairs.HybridSearchAsync(Same, ["Apples"], top: 4, new HybridSearchOptions<TwoTexts> { AdditionalProperty = r => r.Text2 }).ToListAsync();
        var oranges = await pairs.HybridSearchAsync(Same, ["Oranges"], top: 4, new HybridSearchOptions<TwoTexts> { AdditionalProperty = r => r.Text2 }).ToListAsync();
        var applesInText1 = await pairs.HybridSearchAsync(Same, ["Apples"], top: 4, new HybridSearchOptions<TwoTexts> { AdditionalProperty = r => r.Text1 }).ToListAsync();

        Assert.Equal([2, 1], apples.Select(r => r.Record.Code));
        Assert.Equal([1, 2], oranges.Select(r => r.Record.Code));
        Assert.Equal([1, 2], applesInText1.Select(r => r.Record.Code));
    }

    [Fact]
    public async Task Several_full_text_properties_and_none_chosen_is_an_InvalidOperationException_naming_the_collection()
    {
        var pairs = await TwoTextsAsync();

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => pairs.HybridSearchAsync(Same, ["Apples"], top: 3).ToListAsync().AsTask());

        Assert.Contains("'pairs'", e.Message, StringComparison.Ordinal);
        Assert.Contains("AdditionalProperty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chosen_property_not_marked_IsFullTextIndexed_is_refused()
    {
        var pairs = await TwoTextsAsync();

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => pairs.HybridSearchAsync(
            Same, ["Apples"], top: 3, new HybridSearchOptions<TwoTexts> { AdditionalProperty = r => r.Plain }).ToListAsync().AsTask());

        Assert.Contains("'pairs'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Plain", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_collection_without_a_full_text_property_refuses_hybrid_search_naming_the_collection()
    {
        var points = (LanceCollection<string, StringKeyed>)await _store.CollectionAsync<string, StringKeyed>("points");
        await points.UpsertAsync(new StringKeyed { Id = "a", Text = "apples", Vector = [1, 0] });

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => points.HybridSearchAsync(new float[] { 1, 0 }, ["apples"], top: 3).ToListAsync().AsTask());

        Assert.Contains("'points'", e.Message, StringComparison.Ordinal);
        Assert.Contains("IsFullTextIndexed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VectorProperty_chooses_which_vector_the_search_value_is_compared_with()
    {
        var twins = (LanceCollection<long, TwoVectorTexts>)await _store.CollectionAsync<long, TwoVectorTexts>("twins");
        await twins.UpsertAsync([
            new TwoVectorTexts { Id = 1, Text = "red", First = new([0f, 0f]), Second = new([9f, 9f]) },
            new TwoVectorTexts { Id = 2, Text = "blue", First = new([9f, 9f]), Second = new([0f, 0f]) },
        ]);
        var origin = new ReadOnlyMemory<float>([0f, 0f]);

        var byFirst = await twins.HybridSearchAsync(origin, ["green"], top: 2, new HybridSearchOptions<TwoVectorTexts> { VectorProperty = r => r.First }).ToListAsync();
        var bySecond = await twins.HybridSearchAsync(origin, ["green"], top: 2, new HybridSearchOptions<TwoVectorTexts> { VectorProperty = r => r.Second }).ToListAsync();
        var unchosen = await Assert.ThrowsAsync<InvalidOperationException>(() => twins.HybridSearchAsync(origin, ["green"], top: 2).ToListAsync().AsTask());

        Assert.Equal([1L, 2L], byFirst.Select(r => r.Record.Id));
        Assert.Equal([2L, 1L], bySecond.Select(r => r.Record.Id));
        Assert.Contains("'twins'", unchosen.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vectors_come_back_only_with_IncludeVectors()
    {
        var snacks = await SnacksAsync();

        var without = await snacks.HybridSearchAsync(Same, ["Grapes"], top: 1).SingleAsync();
        var with = await snacks.HybridSearchAsync(Same, ["Grapes"], top: 1, new HybridSearchOptions<Snack> { IncludeVectors = true }).SingleAsync();

        Assert.True(without.Record.Vector.IsEmpty);
        Assert.Equal([1f, 0f, 0f, 0f], with.Record.Vector.ToArray());
        Assert.Equal("Grapes are healthy, sweet and juicy", without.Record.Text);
    }

    [Fact]
    public async Task Scores_are_the_reciprocal_rank_fusion_of_both_rankings_best_first()
    {
        var snacks = (LanceCollection<long, Snack>)await _store.CollectionAsync<long, Snack>("ranked");
        await snacks.UpsertAsync([
            new Snack { Id = 1, Text = "plain bread", Code = 1, Vector = new([1f, 0f, 0f, 0f]) },
            new Snack { Id = 2, Text = "bread with honey", Code = 2, Vector = new([1f, 1f, 0f, 0f]) },
            new Snack { Id = 3, Text = "honey", Code = 3, Vector = new([0f, 1f, 0f, 0f]) },
        ]);

        var results = await snacks.HybridSearchAsync(new ReadOnlyMemory<float>([1f, 0f, 0f, 0f]), ["honey"], top: 3).ToListAsync();

        // Vector ranking 1, 2, 3; keyword ranking 3 ("honey" alone is the stronger match), 2; each rank r adds 1 / (60 + r).
        Assert.Equal([3L, 2L, 1L], results.Select(r => r.Record.Id));
        Assert.Equal((1f / 62) + (1f / 60), results[0].Score!.Value, 6);
        Assert.Equal((1f / 61) + (1f / 61), results[1].Score!.Value, 6);
        Assert.Equal(1f / 60, results[2].Score!.Value, 6);
    }

    [Fact]
    public async Task ScoreThreshold_keeps_results_whose_fused_relevance_reaches_it()
    {
        var snacks = await SnacksAsync();

        var results = await snacks.HybridSearchAsync(Same, ["healthy"], top: 3, new HybridSearchOptions<Snack> { ScoreThreshold = 0.02 }).ToListAsync();

        Assert.Equal([1, 3], results.Select(r => r.Record.Code).Order());
        Assert.All(results, r => Assert.True(r.Score >= 0.02));
    }

    [Fact]
    public async Task The_first_hybrid_search_builds_the_full_text_index_once()
    {
        var snacks = await SnacksAsync();
        var before = await (await TableAsync(snacks, "snacks")).ListIndicesAsync();

        await snacks.HybridSearchAsync(Same, ["Grapes"], top: 1).ToListAsync();
        await snacks.HybridSearchAsync(Same, ["Apples"], top: 1).ToListAsync();
        var after = await (await TableAsync(snacks, "snacks")).ListIndicesAsync();

        Assert.DoesNotContain(before, i => i.IndexType == "FTS");
        var index = Assert.Single(after, i => i.IndexType == "FTS");
        Assert.Equal(["Text"], index.Columns);
    }

    [Fact]
    public async Task An_existing_scalar_index_on_the_property_is_kept_beside_the_full_text_index()
    {
        var snacks = await SnacksAsync();
        await (await TableAsync(snacks, "snacks")).CreateScalarIndexAsync("Text", ScalarIndexConfig.BTree());
        var scalar = Assert.Single(await (await TableAsync(snacks, "snacks")).ListIndicesAsync());

        var results = await snacks.HybridSearchAsync(Same, ["Grapes"], top: 3).ToListAsync();
        var after = await (await TableAsync(snacks, "snacks")).ListIndicesAsync();

        Assert.Equal(3, results[0].Record.Code);
        Assert.Contains(after, i => i.Name == scalar.Name && i.IndexType == scalar.IndexType);
        Assert.Contains(after, i => i.IndexType == "FTS");
    }

    [Fact]
    public async Task Records_upserted_after_the_index_was_built_are_found_and_replaced_or_deleted_ones_are_not()
    {
        var snacks = await SnacksAsync();
        await snacks.HybridSearchAsync(Same, ["Grapes"], top: 1).ToListAsync();

        await snacks.UpsertAsync([
            new Snack { Id = 4, Text = "Mangoes are ripe", Code = 4, Vector = Same },
            new Snack { Id = 3, Text = "Raisins are dried grapes no more", Code = 3, Vector = Same },
        ]);
        await snacks.DeleteAsync(2);
        var mangoes = await snacks.HybridSearchAsync(Same, ["Mangoes"], top: 1).SingleAsync();
        var apples = await snacks.HybridSearchAsync(Same, ["Apples"], top: 5).ToListAsync();
        var raisins = await snacks.HybridSearchAsync(Same, ["Raisins"], top: 1).SingleAsync();
        var oranges = await snacks.HybridSearchAsync(Same, ["Oranges"], top: 5).ToListAsync();
        var juicy = await snacks.HybridSearchAsync(Same, ["juicy"], top: 5, new HybridSearchOptions<Snack> { Filter = s => s.Code == 3 }).SingleAsync();

        Assert.Equal(4, mangoes.Record.Code);
        Assert.Equal(1, apples[0].Record.Code);
        Assert.Equal(3, raisins.Record.Code);
        Assert.Equal([1, 3, 4], oranges.Select(r => r.Record.Code).Order());

        // The replaced text no longer matches: the record comes only from the vector half.
        Assert.Equal(1f / 60, juicy.Score!.Value, 6);
    }

    [Fact]
    public async Task A_hybrid_search_is_one_search_span_tagged_hybrid_after_the_index_build_span()
    {
        var spans = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name == LanceTelemetry.Name,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var snacks = await SnacksAsync();

        await snacks.HybridSearchAsync(Same, ["Grapes"], top: 2).ToListAsync();

        var mine = spans.Where(s => Equals(s.GetTagItem("db.collection.name"), "snacks") && Equals(s.GetTagItem("db.namespace"), _store.Folder)).ToList();
        var search = Assert.Single(mine, s => Equals(s.GetTagItem("db.operation.name"), "search"));
        var build = Assert.Single(mine, s => Equals(s.GetTagItem("db.operation.name"), "create_fts_index"));
        Assert.Equal("hybrid", search.GetTagItem("lance.query.type"));
        Assert.Equal(4, search.GetTagItem("lance.query.limit"));
        Assert.True(build.StartTimeUtc <= search.StartTimeUtc);
    }

    [Fact]
    public async Task Upserting_a_key_again_and_again_keeps_the_index_and_finds_only_the_last_text()
    {
        var snacks = await SnacksAsync();
        await snacks.HybridSearchAsync(Same, ["Grapes"], top: 1).ToListAsync();
        var built = Assert.Single(await (await TableAsync(snacks, "snacks")).ListIndicesAsync(), i => i.IndexType == "FTS");

        // Each upsert after the first deletes the only row of the fragment the one before wrote, so that fragment goes.
        foreach (var word in new[] { "Kiwis", "Lemons", "Melons" })
        {
            await snacks.UpsertAsync(new Snack { Id = 4, Text = word + " are fresh", Code = 4, Vector = Same });
        }

        var melons = await snacks.HybridSearchAsync(Same, ["Melons"], top: 1).SingleAsync();
        var kiwis = await snacks.HybridSearchAsync(Same, ["Kiwis", "Lemons"], top: 4).ToListAsync();
        var after = Assert.Single(await (await TableAsync(snacks, "snacks")).ListIndicesAsync(), i => i.IndexType == "FTS");

        Assert.Equal(4, melons.Record.Code);
        Assert.Equal(built.Uuid, after.Uuid);
        Assert.Equal(4, kiwis.Count);
        Assert.All(kiwis, r => Assert.Equal(1f / (60 + kiwis.IndexOf(r)), r.Score!.Value, 6));
    }

    [Fact]
    public async Task Dynamic_collections_search_by_keywords_in_the_property_the_indexer_names()
    {
        var pairs = _store.Store.GetDynamicCollection("dynamic-pairs", new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty("Key", typeof(string)),
                new VectorStoreDataProperty("Text1", typeof(string)) { IsFullTextIndexed = true },
                new VectorStoreDataProperty("Text2", typeof(string)) { IsFullTextIndexed = true, StorageName = "text_two" },
                new VectorStoreVectorProperty("Vector", typeof(ReadOnlyMemory<float>), 4),
            ],
        });
        await pairs.EnsureCollectionExistsAsync();
        await pairs.UpsertAsync([
            new Dictionary<string, object?> { ["Key"] = "k1", ["Text1"] = "Apples", ["Text2"] = "Oranges", ["Vector"] = Same },
            new Dictionary<string, object?> { ["Key"] = "k2", ["Text1"] = "Oranges", ["Text2"] = "Apples", ["Vector"] = Same },
        ]);
        var searchable = (IKeywordHybridSearchable<Dictionary<string, object?>>)pairs;

        var results = await searchable.HybridSearchAsync(
            Same, ["Apples"], top: 2, new HybridSearchOptions<Dictionary<string, object?>> { AdditionalProperty = r => r["Text2"] }).ToListAsync();

        Assert.Equal(["k2", "k1"], results.Select(r => r.Record["Key"]));
    }

    [Fact]
    public async Task Text_search_values_are_embedded_by_the_collections_generator()
    {
        var generator = new FakeEmbeddingGenerator();
        using var store = new TestStore(generator);
        var notes = store.Store.GetCollection<long, Note>("notes");
        await notes.EnsureCollectionExistsAsync();
        await notes.UpsertAsync([
            new Note { Id = 1, Text = "aaaa", Embedding = "aaaa" },
            new Note { Id = 2, Text = "bbbb", Embedding = "bbbb" },
            new Note { Id = 3, Text = "cccc", Embedding = "cccc" },
        ]);

        // No record holds the keyword, so the order is the embedded search value's alone.
        var results = await ((IKeywordHybridSearchable<Note>)notes).HybridSearchAsync("bbb", ["zebra"], top: 3).ToListAsync();

        Assert.Equal("bbb", generator.Inputs[^1]);
        Assert.Equal(3, results.Count);
        Assert.Equal(2, results[0].Record.Id);
    }

    [Fact]
    public async Task Generated_model_records_search_by_keywords_in_their_generated_column()
    {
        var articles = (LanceCollection<long, Headline>)await _store.CollectionAsync<long, Headline>("headlines");
        await articles.UpsertAsync([
            new Headline { Id = 1, Title = "Lance ships hybrid search", Embedding = [0, 0, 0] },
            new Headline { Id = 2, Title = "Arrow ships a release", Embedding = [0, 0, 1] },
        ]);

        var results = await articles.HybridSearchAsync(new float[] { 0, 0, 1 }, ["hybrid"], top: 2).ToListAsync();

        Assert.Equal([1L, 2L], results.Select(r => r.Record.Id));
    }

    [Fact]
    public async Task No_keyword_is_an_ArgumentException()
    {
        var snacks = await SnacksAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => snacks.HybridSearchAsync(Same, [" ", ""], top: 1).ToListAsync().AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => snacks.HybridSearchAsync(Same, ["x"], top: 0).ToListAsync().AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => snacks.HybridSearchAsync(Same, ["x"], top: 1, new HybridSearchOptions<Snack> { Skip = -1 }).ToListAsync().AsTask());
    }
}

public sealed class Note
{
    [VectorStoreKey] public long Id { get; set; }
    [VectorStoreData(IsFullTextIndexed = true)] public string Text { get; set; } = "";
    [VectorStoreVector(4)] public string? Embedding { get; set; }
}

public partial record Headline : ILanceModel
{
    [VectorStoreKey] public long Id { get; init; }
    [VectorStoreData(IsFullTextIndexed = true)] public string Title { get; init; } = "";
    [Vector(3)]
    [VectorStoreVector(3, DistanceFunction = DistanceFunction.EuclideanSquaredDistance)]
    public float[] Embedding { get; init; } = [];
}
