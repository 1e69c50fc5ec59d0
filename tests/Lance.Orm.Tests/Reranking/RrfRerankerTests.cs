using Apache.Arrow;
using Lance.Engine;
using static Lance.Orm.Tests.Reranking.ResultBatches;

namespace Lance.Orm.Tests.Reranking;

public sealed class RrfRerankerTests
{
    [Fact]
    public async Task Fuses_by_rank_as_LanceDB_does_in_its_own_example()
    {
        // LanceDB's Rust test: k = 1, ranks from 0, so a first place is worth 1/1.
        var vector = Vector((1, 0.1f), (4, 0.2f), (2, 0.3f), (5, 0.4f), (3, 0.5f));
        var text = FullText((4, 3f), (5, 2f), (3, 1f));

        var fused = await new RrfReranker(k: 1).RerankHybridAsync("q", vector, text);

        Assert.Equal([4UL, 1, 5, 3, 2], Ids(fused));
        Assert.Equal([1.5f, 1f, 0.75f, (1f / 5f) + (1f / 3f), 1f / 3f], Relevance(fused));
        Assert.Equal(["row 4", "row 1", "row 5", "row 3", "row 2"], Names(fused));
    }

    [Fact]
    public async Task The_default_k_is_60_and_ranks_count_from_zero()
    {
        var fused = await new RrfReranker().RerankHybridAsync("q", Vector((7, 0f), (8, 1f)), FullText((8, 5f)));

        Assert.Equal(60f, new RrfReranker().K);
        Assert.Equal([8UL, 7], Ids(fused));
        Assert.Equal([(1f / 61f) + (1f / 60f), 1f / 60f], Relevance(fused));
    }

    [Fact]
    public async Task Ties_keep_the_merged_order_vector_rows_first()
    {
        var vector = Vector(Enumerable.Range(0, 8).Select(i => ((ulong)i, i / 10f)).ToArray());
        var text = FullText(Enumerable.Range(0, 8).Select(i => ((ulong)(100 + i), 30f - i)).ToArray());

        var fused = await new RrfReranker().RerankHybridAsync("q", vector, text);

        Assert.Equal(Enumerable.Range(0, 8).SelectMany(i => new[] { (ulong)i, (ulong)(100 + i) }), Ids(fused));
    }

    [Fact]
    public async Task A_row_found_by_both_searches_appears_once_with_its_distance_and_score()
    {
        var fused = await new RrfReranker().RerankHybridAsync("q", Vector((1, 0.25f), (2, 0.5f)), FullText((2, 9f), (3, 4f)));

        Assert.Equal([2UL, 1, 3], Ids(fused));
        Assert.Equal([0.5f, 0.25f, null], Floats(fused, "_distance"));
        Assert.Equal([9f, null, 4f], Floats(fused, "_score"));
        Assert.Equal(["name", "_distance", "_rowid", "_score", "_relevance_score"], fused.Schema.FieldsList.Select(f => f.Name));
    }

    [Fact]
    public async Task A_row_listed_twice_in_one_list_counts_twice_and_appears_once()
    {
        var fused = await new RrfReranker().RerankHybridAsync("q", Vector((7, 0.1f), (7, 0.2f)), RerankResults.EmptyFullTextResults());

        Assert.Equal([7UL], Ids(fused));
        Assert.Equal([(1f / 60f) + (1f / 61f)], Relevance(fused));
        Assert.Equal([0.1f], Floats(fused, "_distance"));
    }

    [Fact]
    public async Task Reranking_one_list_keeps_its_order_and_scores_each_rank()
    {
        var reranker = new RrfReranker(k: 10);

        var vector = await reranker.RerankVectorAsync(null, Vector((5, 0.9f), (3, 0.1f)));
        var text = await reranker.RerankFullTextAsync("q", FullText((4, 1f), (6, 2f)));

        Assert.Equal([5UL, 3], Ids(vector));
        Assert.Equal([1f / 10f, 1f / 11f], Relevance(vector));
        Assert.DoesNotContain(vector.Schema.FieldsList, f => f.Name == "_score");
        Assert.Equal([4UL, 6], Ids(text));
        Assert.Equal([1f / 10f, 1f / 11f], Relevance(text));
    }

    [Fact]
    public async Task Two_empty_lists_give_an_empty_result_with_a_relevance_column()
    {
        var fused = await new RrfReranker().RerankHybridAsync("q", RerankResults.EmptyVectorResults(), RerankResults.EmptyFullTextResults());

        Assert.Equal(0, fused.Length);
        Assert.Contains(fused.Schema.FieldsList, f => f.Name == "_relevance_score");
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void K_must_be_positive_and_finite(float k)
        => Assert.Throws<ArgumentOutOfRangeException>(() => new RrfReranker(k));

    [Fact]
    public async Task Results_without_row_ids_are_refused_with_the_columns_found()
    {
        var noIds = new RecordBatch(new Schema([new Field("name", Apache.Arrow.Types.StringType.Default, true)], null), [new StringArray.Builder().Append("a").Build()], 1);

        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => new RrfReranker().RerankHybridAsync("q", noIds, FullText((1, 1f))));

        Assert.Contains("_rowid", error.Message, StringComparison.Ordinal);
        Assert.Contains("name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_token_stops_it()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new RrfReranker().RerankHybridAsync("q", Vector((1, 0f)), FullText((1, 1f)), cts.Token));
    }
}
