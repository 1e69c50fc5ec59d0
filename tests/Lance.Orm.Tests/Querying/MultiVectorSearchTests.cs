using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;

namespace Lance.Orm.Tests.Querying;

public sealed class MultiVectorSearchTests : IDisposable
{
    private static readonly float[] First = [0.2f, 0.9f, 0.5f, 1f];
    private static readonly float[] Second = [-0.8f, 0.1f, 0.3f, 1f];
    private static readonly float[] Third = [0.6f, -0.7f, 0.9f, 0.5f];

    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    private async Task<Table<Item>> CreateAsync(int rows = 300)
    {
        var db = await _db.ConnectAsync();
        return await db.CreateTableAsync<Item>("items", Item.Sample(rows));
    }

    private static List<(int? Query, long Id, float Distance)> Hits(List<SearchResult<Item>> results)
        => results.Select(r => (r.QueryIndex, r.Row.Id, r.Distance)).ToList();

    /// <summary>
    /// The same rows in the same order with the same query indexes; distances equal within 1e-5 relative (the shared
    /// exact pass computes them from dot products, a single search directly).
    /// </summary>
    private static void AssertSame(List<(int? Query, long Id, float Distance)> expected, List<(int? Query, long Id, float Distance)> actual)
    {
        Assert.Equal(expected.Select(e => (e.Query, e.Id)), actual.Select(a => (a.Query, a.Id)));
        Assert.All(expected.Zip(actual), p => Assert.True(
            Math.Abs(p.First.Distance - p.Second.Distance) <= 1e-5f * Math.Max(1f, Math.Abs(p.First.Distance)),
            $"row {p.First.Id}: {p.First.Distance} vs {p.Second.Distance}"));
    }

    /// <summary>What one search per vector gives, each row tagged with its vector's position.</summary>
    private static async Task<List<(int? Query, long Id, float Distance)>> OneByOneAsync(
        IReadOnlyList<float[]> vectors, Func<float[], VectorQuery<Item>> search)
    {
        var all = new List<(int? Query, long Id, float Distance)>();
        for (var q = 0; q < vectors.Count; q++)
        {
            all.AddRange((await search(vectors[q]).ToSearchResultsAsync()).Select(r => ((int?)q, r.Row.Id, r.Distance)));
        }

        return all;
    }

    [Fact]
    public async Task An_empty_list_of_vectors_is_refused_when_the_search_is_made()
    {
        var table = await CreateAsync(10);

        var error = Assert.Throws<ArgumentException>(() => table.Search(System.Array.Empty<float[]>()));
        var untyped = Assert.Throws<ArgumentException>(() => ((Table)table).Search(new List<ReadOnlyMemory<float>>()));

        Assert.Contains("at least one vector", error.Message, StringComparison.Ordinal);
        Assert.Equal("vectors", untyped.ParamName);
    }

    [Fact]
    public async Task A_vector_of_the_wrong_dimension_names_the_column_and_its_query_index()
    {
        var table = await CreateAsync(10);

        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => table.Search([First, [1f, 2f, 3f]]).ToListAsync());

        Assert.Contains("Query vector 1 has 3 dimensions", error.Message, StringComparison.Ordinal);
        Assert.Contains("column 'vector'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, null)]
    [InlineData(true, 0.5f)]
    public async Task A_filter_that_fails_on_a_row_throws_the_filter_error_a_single_search_throws(bool prefilter, float? upper)
    {
        // The shared pass and the one-search-per-vector path (postfilter, distance range) both run on several threads;
        // either must fail as one search does, with LanceFilterException, not the parallel loop's AggregateException.
        var table = await CreateAsync(40);
        VectorQuery<Item> Search(VectorQuery<Item> query) => (upper is null ? query : query.DistanceRange(upper: upper)).Where("CAST(name AS int) = 1", prefilter);

        var single = await Assert.ThrowsAsync<LanceFilterException>(() => Search(table.Search(First)).ToListAsync());
        var many = await Assert.ThrowsAsync<LanceFilterException>(() => Search(table.Search([First, Second, Third])).ToListAsync());

        Assert.Contains("cannot cast the string", many.Message, StringComparison.Ordinal);
        Assert.Equal(single.Message.Split('\n')[0].Split(':')[0], many.Message.Split('\n')[0].Split(':')[0]);
    }

    [Fact]
    public async Task One_vector_in_a_list_gives_the_single_vector_search_with_query_index_zero()
    {
        var table = await CreateAsync();

        var many = await table.Search([First]).Limit(7).ToSearchResultsAsync();
        var single = await table.Search(First).Limit(7).ToSearchResultsAsync();

        Assert.Equal(single.Select(r => ((int?)0, r.Row.Id, r.Distance)), Hits(many));
        Assert.Null(single[0].QueryIndex);
    }

    [Fact]
    public async Task Each_vector_gets_its_own_limit_and_the_rows_come_grouped_by_query_in_order()
    {
        var table = await CreateAsync();
        float[][] vectors = [First, Second, Third];

        var many = await table.Search(vectors).Limit(5).ToSearchResultsAsync();

        Assert.Equal(15, many.Count);
        AssertSame(await OneByOneAsync(vectors, v => table.Search(v).Limit(5)), Hits(many));
    }

    [Fact]
    public async Task A_prefilter_and_an_offset_apply_to_every_vector()
    {
        var table = await CreateAsync();
        float[][] vectors = [First, Second, Third];

        var many = await table.Search(vectors).Where(x => x.Active).Where("id > 20").Offset(2).Limit(4).ToSearchResultsAsync();

        AssertSame(await OneByOneAsync(vectors, v => table.Search(v).Where(x => x.Active).Where("id > 20").Offset(2).Limit(4)), Hits(many));
        Assert.All(many, r => Assert.True(r.Row.Active && r.Row.Id > 20));
    }

    [Fact]
    public async Task A_postfilter_and_a_distance_range_apply_to_every_vector()
    {
        var table = await CreateAsync();
        float[][] vectors = [First, Second];

        var many = await table.Search(vectors).Where("cat = 'red'", prefilter: false).DistanceRange(0.05f, 2f).Limit(10).ToSearchResultsAsync();

        Assert.Equal(
            await OneByOneAsync(vectors, v => table.Search(v).Where("cat = 'red'", prefilter: false).DistanceRange(0.05f, 2f).Limit(10)),
            Hits(many));
    }

    [Fact]
    public async Task Cosine_and_dot_searches_with_several_vectors_equal_single_searches()
    {
        var table = await CreateAsync();
        float[][] vectors = [First, Third];

        foreach (var metric in new[] { DistanceMetric.Cosine, DistanceMetric.Dot })
        {
            var many = await table.Search(vectors).DistanceType(metric).Limit(6).ToSearchResultsAsync();
            var expected = await OneByOneAsync(vectors, v => table.Search(v).DistanceType(metric).Limit(6));

            AssertSame(expected, Hits(many));
        }
    }

    [Fact]
    public async Task An_indexed_search_with_several_vectors_equals_the_indexed_searches_one_by_one()
    {
        var table = await CreateAsync();
        await table.CreateIndexAsync(x => x.Vector, new IvfPqOptions { NumPartitions = 4, NumSubVectors = 2 });
        float[][] vectors = [First, Second, Third];

        var many = await table.Search(vectors).Nprobes(2).RefineFactor(3).Where(x => x.Id % 2 == 0).Limit(5).ToSearchResultsAsync();
        var plan = await table.Search(vectors).Nprobes(2).ExplainPlanAsync();

        Assert.Equal(await OneByOneAsync(vectors, v => table.Search(v).Nprobes(2).RefineFactor(3).Where(x => x.Id % 2 == 0).Limit(5)), Hits(many));
        Assert.Equal("vector_idx", plan.VectorIndex);
    }

    [Fact]
    public async Task The_arrow_batch_starts_with_an_int32_query_index_column_as_in_lancedb()
    {
        var table = await CreateAsync();

        var batch = await table.Search([First, Second]).Select("id").WithRowId().Limit(3).ToBatchAsync();

        Assert.Equal(["query_index", "id", "_distance", "_rowid"], batch.Schema.FieldsList.Select(f => f.Name));
        Assert.IsType<Int32Type>(batch.Schema.GetFieldByName("query_index").DataType);
        Assert.Equal([0, 0, 0, 1, 1, 1], ((Int32Array)batch.Column(0)).Values.ToArray());
    }

    [Fact]
    public async Task An_untyped_table_searches_with_several_vectors_and_reads_any_model()
    {
        await CreateAsync();
        var db = await _db.ConnectAsync();
        var table = await db.OpenTableAsync("items");

        var rows = await table.Search(new List<ReadOnlyMemory<float>> { First, Second }).Limit(2).ToSearchResultsAsync<Item>();
        var single = await table.Search(Second).Limit(2).ToListAsync<Item>();

        Assert.Equal([0, 0, 1, 1], rows.Select(r => r.QueryIndex!.Value));
        Assert.Equal(single.Select(r => r.Id), rows.Skip(2).Select(r => r.Row.Id));
    }

    [Fact]
    public async Task A_reranked_search_with_several_vectors_is_not_supported()
    {
        var table = await CreateAsync(10);

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => table.Search([First, Second]).Rerank(new RrfReranker()).ToListAsync());

        Assert.Contains("2 query vectors", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_query_index_member_is_filled_by_a_search_with_several_vectors_and_is_not_a_column()
    {
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync<MultiHit>("hits", Enumerable.Range(0, 6).Select(i => new MultiHit { Id = i, Vector = [i, 0] }));

        var hits = await table.Search([[0f, 0f], [5f, 0f]]).Limit(2).ToListAsync();
        var single = await table.Search([5f, 0f]).Limit(1).ToListAsync();

        Assert.Equal(["id", "vector"], table.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal([(0, 0L, 0f), (0, 1L, 1f), (1, 5L, 0f), (1, 4L, 1f)], hits.Select(h => (h.Query, h.Id, h.Distance)));
        Assert.Equal(-1, single[0].Query);
    }

    [Fact]
    public async Task A_nullable_query_index_member_is_null_outside_a_search_with_several_vectors()
    {
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync<MultiHitNullable>("hits", Enumerable.Range(0, 4).Select(i => new MultiHitNullable { Id = i, Vector = [i, i] }));

        var many = await table.Search([[3f, 3f], [0f, 0f]]).Limit(1).ToListAsync();
        var plain = await table.Query().FirstOrDefaultAsync();

        Assert.Equal([(3L, (int?)0), (0L, (int?)1)], many.Select(h => (h.Id, h.Query)));
        Assert.Null(plain!.Query);
    }
}
