using Lance.Engine;
using static Lance.Orm.Tests.Reranking.ResultBatches;

namespace Lance.Orm.Tests.Reranking;

public sealed class LinearCombinationRerankerTests
{
    [Fact]
    public async Task Combines_inverted_distance_and_score_with_weight_0_7_and_penalises_rows_one_search_missed()
    {
        var vector = Vector((1, 0f), (2, 0.5f), (3, 1f));
        var text = FullText((2, 1f), (4, 0.2f));

        var fused = await new LinearCombinationReranker().RerankHybridAsync("q", vector, text);

        // 1: 0.7·(1−0) + 0.3·(1−1) (missing score = 1 − fill); 2: 0.7·0.5 + 0.3·1; 4: 0.7·(1−1) (missing distance = fill) + 0.3·0.2; 3: 0.
        Assert.Equal([1UL, 2, 4, 3], Ids(fused));
        Assert.Equal([(float)(0.7 * 1.0), (float)((0.7 * 0.5) + (0.3 * 1.0)), (float)(0.3 * (double)0.2f), 0f], Relevance(fused));
        Assert.Equal([0f, 0.5f, null, 1f], Floats(fused, "_distance"));
        Assert.Equal([null, 1f, 0.2f, null], Floats(fused, "_score"));
    }

    [Fact]
    public async Task Weight_and_fill_change_the_combination()
    {
        var reranker = new LinearCombinationReranker(weight: 0.25, fill: 0.5);

        var fused = await reranker.RerankHybridAsync("q", Vector((1, 0.2f)), FullText((2, 0.9f)));

        // 1: 0.25·(1−0.2) + 0.75·(1−0.5); 2: 0.25·(1−0.5) + 0.75·0.9.
        Assert.Equal([2UL, 1], Ids(fused));
        Assert.Equal([(float)((0.25 * 0.5) + (0.75 * (double)0.9f)), (float)((0.25 * (1 - (double)0.2f)) + (0.75 * 0.5))], Relevance(fused));
    }

    [Fact]
    public async Task With_no_full_text_rows_the_vector_rows_keep_their_order_with_one_minus_distance()
    {
        var reranker = new LinearCombinationReranker();

        var hybrid = await reranker.RerankHybridAsync("q", Vector((3, 0.25f), (1, 2f)), RerankResults.EmptyFullTextResults());
        var plain = await reranker.RerankVectorAsync(null, Vector((3, 0.25f), (1, 2f)));

        Assert.Equal([3UL, 1], Ids(hybrid));
        Assert.Equal([0.75f, -1f], Relevance(hybrid));
        Assert.Equal(Relevance(hybrid), Relevance(plain));
    }

    [Fact]
    public async Task With_no_vector_rows_the_full_text_rows_keep_their_order_with_their_score()
    {
        var fused = await new LinearCombinationReranker().RerankHybridAsync("q", RerankResults.EmptyVectorResults(), FullText((9, 3f), (8, 5f)));

        Assert.Equal([9UL, 8], Ids(fused));
        Assert.Equal([3f, 5f], Relevance(fused));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    public void The_weight_must_lie_between_0_and_1(double weight)
        => Assert.Throws<ArgumentOutOfRangeException>(() => new LinearCombinationReranker(weight));

    [Fact]
    public async Task Results_without_a_distance_column_are_refused_by_name()
    {
        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => new LinearCombinationReranker().RerankVectorAsync(null, FullText((1, 1f))));

        Assert.Contains("_distance", error.Message, StringComparison.Ordinal);
    }
}
