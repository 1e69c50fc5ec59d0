using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace Lance.Orm.VectorData.Tests;

public sealed class SearchTests : IAsyncLifetime
{
    private readonly TestStore _store = new();
    private VectorStoreCollection<string, StringKeyed> _points = null!;

    public async Task InitializeAsync()
    {
        _points = await _store.CollectionAsync<string, StringKeyed>("points");
        await _points.UpsertAsync(Enumerable.Range(0, 10).Select(i => new StringKeyed { Id = "p" + i, Text = i % 2 == 0 ? "even" : "odd", Vector = [i, 0] }));
    }

    public Task DisposeAsync()
    {
        _store.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Search_returns_top_nearest_first_with_scores()
    {
        var results = await _points.SearchAsync(new float[] { 3.2f, 0 }, top: 3).ToListAsync();

        Assert.Equal(["p3", "p4", "p2"], results.Select(r => r.Record.Id));
        Assert.Equal(0.04, results[0].Score!.Value, 3);
        Assert.Equal(0.64, results[1].Score!.Value, 3);
    }

    [Fact]
    public async Task Skip_pages_through_the_nearest()
    {
        var results = await _points.SearchAsync(new float[] { 0, 0 }, top: 2, new VectorSearchOptions<StringKeyed> { Skip = 3 }).ToListAsync();

        Assert.Equal(["p3", "p4"], results.Select(r => r.Record.Id));
    }

    [Fact]
    public async Task Vectors_come_back_only_with_IncludeVectors()
    {
        var without = await _points.SearchAsync(new float[] { 0, 0 }, top: 1).SingleAsync();
        var with = await _points.SearchAsync(new float[] { 0, 0 }, top: 1, new VectorSearchOptions<StringKeyed> { IncludeVectors = true }).SingleAsync();

        Assert.Null(without.Record.Vector);
        Assert.Equal([0f, 0f], with.Record.Vector!);
        Assert.Equal("even", without.Record.Text);
    }

    [Fact]
    public async Task Filter_is_applied_before_top()
    {
        var results = await _points.SearchAsync(new float[] { 0, 0 }, top: 3, new VectorSearchOptions<StringKeyed> { Filter = p => p.Text == "odd" }).ToListAsync();

        Assert.Equal(["p1", "p3", "p5"], results.Select(r => r.Record.Id));
    }

    [Fact]
    public async Task Score_threshold_keeps_only_close_enough_results()
    {
        var results = await _points.SearchAsync(new float[] { 0, 0 }, top: 10, new VectorSearchOptions<StringKeyed> { ScoreThreshold = 4 }).ToListAsync();

        Assert.Equal(["p0", "p1", "p2"], results.Select(r => r.Record.Id));
    }

    [Fact]
    public async Task Search_accepts_float_arrays_memory_and_embeddings()
    {
        var a = await _points.SearchAsync(new float[] { 5, 0 }, 1).SingleAsync();
        var b = await _points.SearchAsync(new ReadOnlyMemory<float>([5, 0]), 1).SingleAsync();
        var c = await _points.SearchAsync(new Embedding<float>(new float[] { 5, 0 }), 1).SingleAsync();

        Assert.Equal(["p5", "p5", "p5"], new[] { a, b, c }.Select(r => r.Record.Id));
    }

    [Fact]
    public async Task Search_with_a_string_and_no_generator_is_NotSupported()
    {
        await Assert.ThrowsAsync<NotSupportedException>(() => _points.SearchAsync("text", 1).ToListAsync().AsTask());
    }

    [Fact]
    public async Task Search_with_a_vector_of_wrong_dimensions_fails_clearly()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => _points.SearchAsync(new float[] { 1, 2, 3 }, 1).ToListAsync().AsTask());
    }

    [Fact]
    public async Task Top_must_be_positive()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _points.SearchAsync(new float[] { 1, 2 }, 0).ToListAsync().AsTask());
    }

    [Fact]
    public async Task VectorProperty_chooses_which_vector_is_searched()
    {
        var items = await _store.CollectionAsync<long, TwoVectors>("two");
        await items.UpsertAsync([
            new TwoVectors { Id = 1, First = new float[] { 0, 0 }, Second = new float[] { 9, 9 } },
            new TwoVectors { Id = 2, First = new float[] { 9, 9 }, Second = new float[] { 0, 0 } },
        ]);

        var byFirst = await items.SearchAsync(new float[] { 0, 0 }, 1, new VectorSearchOptions<TwoVectors> { VectorProperty = r => r.First }).SingleAsync();
        var bySecond = await items.SearchAsync(new float[] { 0, 0 }, 1, new VectorSearchOptions<TwoVectors> { VectorProperty = r => r.Second }).SingleAsync();

        Assert.Equal(1, byFirst.Record.Id);
        Assert.Equal(2, bySecond.Record.Id);
        Assert.Equal(0, byFirst.Score);
    }

    [Fact]
    public async Task Search_without_VectorProperty_on_two_vectors_is_an_error()
    {
        var items = await _store.CollectionAsync<long, TwoVectors>("two-unnamed");

        await Assert.ThrowsAsync<InvalidOperationException>(() => items.SearchAsync(new float[] { 0, 0 }, 1).ToListAsync().AsTask());
    }
}
