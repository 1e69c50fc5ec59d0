using Apache.Arrow;
using Lance.Engine;
using static Lance.Orm.Tests.Reranking.ResultBatches;

namespace Lance.Orm.Tests.Reranking;

public sealed class HybridFusionTests
{
    [Fact]
    public async Task The_reranker_sees_normalised_values_and_the_output_keeps_the_originals()
    {
        var spy = new SpyReranker(new LinearCombinationReranker());

        var fused = await HybridFusion.FuseAsync("q", Vector((1, 2f), (2, 4f), (3, 6f)), FullText((3, 12f), (4, 2f)), spy, offset: 0, limit: 10, withRowId: true, CancellationToken.None);

        Assert.Equal([0f, 0.5f, 1f], Floats(spy.Vector!, "_distance"));
        Assert.Equal([1f, 0f], Floats(spy.FullText!, "_score"));
        Assert.Equal("q", spy.Query);
        // 1: 0.7; 2: 0.35; 3: 0.7·0 + 0.3·1 = 0.3; 4: 0.3·0 = 0.
        Assert.Equal([1UL, 2, 3, 4], Ids(fused));
        Assert.Equal([2f, 4f, 6f, null], Floats(fused, "_distance"));
        Assert.Equal([null, null, 12f, 2f], Floats(fused, "_score"));
    }

    [Fact]
    public async Task Equal_values_normalise_to_zero_as_in_LanceDB()
    {
        var spy = new SpyReranker(new RrfReranker());

        await HybridFusion.FuseAsync("q", Vector((1, 3f), (2, 3f)), FullText((5, 0f)), spy, 0, 10, false, CancellationToken.None);

        Assert.Equal([0f, 0f], Floats(spy.Vector!, "_distance"));
        Assert.Equal([0f], Floats(spy.FullText!, "_score"));
    }

    [Fact]
    public async Task Offset_and_limit_apply_after_fusion_and_row_ids_go_unless_asked_for()
    {
        var vector = Vector((1, 0f), (2, 1f), (3, 2f));
        var text = FullText((3, 5f), (4, 4f));

        var page = await HybridFusion.FuseAsync("q", vector, text, new RrfReranker(), offset: 1, limit: 2, withRowId: false, CancellationToken.None);

        // RRF order: 3 (1/62 + 1/60), 1 (1/60), then 2 and 4 (1/61 each) in merged order.
        Assert.Equal(["row 1", "row 2"], Names(page));
        Assert.DoesNotContain(page.Schema.FieldsList, f => f.Name == "_rowid");
    }

    [Fact]
    public async Task Two_empty_lists_give_no_rows_without_calling_the_reranker()
    {
        var spy = new SpyReranker(new RrfReranker());

        var fused = await HybridFusion.FuseAsync("q", RerankResults.EmptyVectorResults(), RerankResults.EmptyFullTextResults(), spy, 0, 10, false, CancellationToken.None);

        Assert.Equal(0, fused.Length);
        Assert.Null(spy.Query);
        Assert.Contains(fused.Schema.FieldsList, f => f.Name == "_relevance_score");
    }

    [Fact]
    public async Task A_reranker_that_returns_no_relevance_column_is_named_in_the_error()
    {
        var error = await Assert.ThrowsAsync<LanceSchemaException>(() =>
            HybridFusion.FuseAsync("q", Vector((1, 0f)), FullText((2, 1f)), new NoRelevanceReranker(), 0, 10, false, CancellationToken.None));

        Assert.Contains(nameof(NoRelevanceReranker), error.Message, StringComparison.Ordinal);
        Assert.Contains("_relevance_score", error.Message, StringComparison.Ordinal);
    }

    private sealed class SpyReranker(IReranker inner) : IReranker
    {
        public string? Query { get; private set; }

        public RecordBatch? Vector { get; private set; }

        public RecordBatch? FullText { get; private set; }

        public Task<RecordBatch> RerankHybridAsync(string query, RecordBatch vectorResults, RecordBatch fullTextResults, CancellationToken cancellationToken = default)
        {
            (Query, Vector, FullText) = (query, vectorResults, fullTextResults);
            return inner.RerankHybridAsync(query, vectorResults, fullTextResults, cancellationToken);
        }
    }

    private sealed class NoRelevanceReranker : IReranker
    {
        public Task<RecordBatch> RerankHybridAsync(string query, RecordBatch vectorResults, RecordBatch fullTextResults, CancellationToken cancellationToken = default)
            => Task.FromResult(vectorResults);

        public override string ToString() => nameof(NoRelevanceReranker);
    }
}
