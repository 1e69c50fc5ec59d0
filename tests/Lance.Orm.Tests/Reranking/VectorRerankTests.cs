using Apache.Arrow;
using Lance.Engine;

namespace Lance.Orm.Tests.Reranking;

public sealed class VectorRerankTests : IDisposable
{
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    private static IEnumerable<Passage> Rows() => Enumerable.Range(0, 6).Select(i => new Passage { Id = i, Text = $"passage {i}", Vector = [i, 0] });

    [Fact]
    public async Task Rrf_over_a_vector_search_keeps_the_nearest_first_and_fills_the_relevance_member()
    {
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync<Passage>("passages", Rows());

        var hits = await table.Search([2.1f, 0f]).Limit(3).Rerank(new RrfReranker()).ToListAsync();

        Assert.Equal([2L, 3, 1], hits.Select(h => h.Id));
        Assert.Equal([1f / 60f, 1f / 61f, 1f / 62f], hits.Select(h => h.Relevance));
        Assert.Equal(0.01f, hits[0].Distance!.Value, 4); // squared L2, as LanceDB
    }

    [Fact]
    public async Task Linear_combination_over_a_vector_search_gives_one_minus_distance()
    {
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync<Passage>("passages", Rows());

        var hits = await table.Search([0f, 0f]).Limit(2).Rerank(new LinearCombinationReranker()).ToListAsync();

        Assert.Equal([0L, 1], hits.Select(h => h.Id));
        Assert.Equal([1f, 0f], hits.Select(h => h.Relevance));
    }

    [Fact]
    public async Task A_custom_reranker_reorders_the_rows_and_gets_the_search_text_or_the_given_one()
    {
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync<Passage>("passages", Rows());
        var reranker = new FarthestFirst();

        var hits = await table.Search([0f, 0f]).Limit(3).Rerank(reranker, "what is far").ToListAsync();

        Assert.Equal([2L, 1, 0], hits.Select(h => h.Id));
        Assert.Equal([4f, 1f, 0f], hits.Select(h => h.Relevance));
        Assert.Equal("what is far", reranker.Query);
        Assert.Contains("text", reranker.Columns);
    }

    [Fact]
    public async Task An_untyped_search_returns_the_relevance_column_and_row_ids_only_when_asked()
    {
        var db = await _db.ConnectAsync();
        await db.CreateTableAsync<Passage>("passages", Rows());
        var table = await db.OpenTableAsync("passages");

        var plain = await table.Search([0f, 0f]).Limit(2).Rerank(new RrfReranker()).ToBatchAsync();
        var withIds = await table.Search([0f, 0f]).Limit(2).Select("id").WithRowId().Rerank(new RrfReranker()).ToBatchAsync();

        Assert.Equal(["id", "text", "vector", "_distance", "_relevance_score"], plain.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(["id", "_distance", "_rowid", "_relevance_score"], withIds.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(2, withIds.Length);
    }

    [Fact]
    public async Task A_double_relevance_member_is_filled_and_left_null_without_a_reranker()
    {
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync<PassageDoubleRelevance>("p", Enumerable.Range(0, 3).Select(i => new PassageDoubleRelevance { Id = i, Vector = [i, i] }));

        var reranked = await table.Search([0f, 0f]).Rerank(new RrfReranker()).FirstOrDefaultAsync();
        var plain = await table.Search([0f, 0f]).FirstOrDefaultAsync();

        Assert.Equal((double)(1f / 60f), reranked!.Relevance);
        Assert.Null(plain!.Relevance);
    }

    [Fact]
    public async Task A_relevance_member_is_not_a_column()
    {
        Assert.Equal(["id", "text", "vector"], Passage.ArrowSchema.FieldsList.Select(f => f.Name));
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync<Passage>("passages", Rows());

        Assert.Equal(["id", "text", "vector"], table.Schema.FieldsList.Select(f => f.Name));
        Assert.All(await table.Query().ToListAsync(), r => Assert.Equal(-1f, r.Relevance));
    }

    [Fact]
    public async Task A_reranker_returning_no_relevance_fails_naming_it()
    {
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync<Passage>("passages", Rows());

        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => table.Search([0f, 0f]).Rerank(new Forgetful()).ToListAsync());

        Assert.Contains(nameof(Forgetful), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cancellation_token_reaches_the_reranker()
    {
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync<Passage>("passages", Rows());
        using var cts = new CancellationTokenSource();
        var reranker = new Cancelling(cts);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => table.Search([0f, 0f]).Rerank(reranker).ToListAsync(cts.Token));
    }

    /// <summary>Ranks the farthest row first (relevance = distance), to show the order is the reranker's.</summary>
    private sealed class FarthestFirst : IReranker
    {
        public string? Query { get; private set; }

        public IReadOnlyList<string> Columns { get; private set; } = [];

        public Task<RecordBatch> RerankHybridAsync(string query, RecordBatch vectorResults, RecordBatch fullTextResults, CancellationToken cancellationToken = default)
            => throw new InvalidOperationException("not a hybrid search");

        public Task<RecordBatch> RerankVectorAsync(string? query, RecordBatch vectorResults, CancellationToken cancellationToken = default)
        {
            Query = query;
            Columns = vectorResults.Schema.FieldsList.Select(f => f.Name).ToList();
            var distances = (FloatArray)vectorResults.Column("_distance");
            return Task.FromResult(RerankResults.WithRelevance(vectorResults, distances.Values.ToArray()));
        }
    }

    private sealed class Forgetful : IReranker
    {
        public Task<RecordBatch> RerankHybridAsync(string query, RecordBatch vectorResults, RecordBatch fullTextResults, CancellationToken cancellationToken = default)
            => Task.FromResult(vectorResults);

        public override string ToString() => nameof(Forgetful);
    }

    private sealed class Cancelling(CancellationTokenSource source) : IReranker
    {
        public async Task<RecordBatch> RerankHybridAsync(string query, RecordBatch vectorResults, RecordBatch fullTextResults, CancellationToken cancellationToken = default)
        {
            await source.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
            return vectorResults;
        }
    }
}
