using System.Text.Json.Nodes;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Tests.Lifetime;

/// <summary>Databases own the embedding models their tables load; tables own their dataset.</summary>
public sealed class DisposalTests : IDisposable
{
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Disposing_a_database_disposes_the_models_it_made()
    {
        var model = new DisposableFunction();
        var registry = new EmbeddingFunctionRegistry().Register("disposable", _ => model);
        var db = await LanceDb.ConnectAsync(_db.Path, new DatabaseOptions { Registry = registry });
        var table = await db.CreateTableAsync("t", TextRows("a", "b"), [new EmbeddingFunctionConfig("disposable", null, "text", "vector")]);
        Assert.Equal(2, await table.CountRowsAsync());

        await db.DisposeAsync();

        Assert.Equal(1, model.Disposals);
    }

    [Fact]
    public async Task Disposing_a_database_twice_is_harmless()
    {
        var model = new DisposableFunction();
        var db = await LanceDb.ConnectAsync(_db.Path, new DatabaseOptions { Registry = new EmbeddingFunctionRegistry().Register("disposable", _ => model) });
        await db.CreateTableAsync("t", TextRows("a"), [new EmbeddingFunctionConfig("disposable", null, "text", "vector")]);

        await db.DisposeAsync();
        await db.DisposeAsync();

        Assert.Equal(1, model.Disposals);
    }

    [Fact]
    public void The_registry_keeps_no_model_it_created()
    {
        var registry = new EmbeddingFunctionRegistry().Register("disposable", _ => new DisposableFunction());

        var first = registry.Create("disposable");
        var second = registry.Create("disposable");

        Assert.NotSame(first, second);
    }

    [Fact]
    public async Task A_disposed_table_throws_naming_the_table()
    {
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync<Point>("points", [new Point { Id = 1, Vector = [1, 2, 3, 4] }]);

        await table.DisposeAsync();

        var ex = await Assert.ThrowsAsync<ObjectDisposedException>(() => table.CountRowsAsync());
        Assert.Contains("points", ex.Message);
    }

    [Fact]
    public async Task Disposing_a_table_twice_is_harmless()
    {
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync<Point>("points", [new Point { Id = 1, Vector = [1, 2, 3, 4] }]);

        await table.DisposeAsync();
        await table.DisposeAsync();

        var reopened = await db.OpenTableAsync<Point>("points");
        Assert.Equal(1, await reopened.CountRowsAsync());
    }

    [Fact]
    public async Task A_disposed_database_refuses_to_load_models()
    {
        var registry = new EmbeddingFunctionRegistry().Register("disposable", _ => new DisposableFunction());
        var db = await LanceDb.ConnectAsync(_db.Path, new DatabaseOptions { Registry = registry });
        var table = await db.CreateTableAsync("t", TextSchema, [new EmbeddingFunctionConfig("disposable", null, "text", "vector")]);

        await db.DisposeAsync();

        var ex = await Assert.ThrowsAsync<ObjectDisposedException>(() => table.AddAsync(TextRows("a")));
        Assert.Contains(_db.Path, ex.Message);
    }

    private static Schema TextSchema { get; } = new Schema.Builder().Field(new Field("text", StringType.Default, nullable: true)).Build();

    private static RecordBatch[] TextRows(params string[] texts)
        => [new RecordBatch(TextSchema, [new StringArray.Builder().AppendRange(texts).Build()], texts.Length)];

    private sealed class DisposableFunction : IEmbeddingFunction, IDisposable
    {
        public int Disposals { get; private set; }

        public string Name => "disposable";

        public int Dimensions => 2;

        public JsonObject GetConfiguration() => [];

        public Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default)
            => Task.FromResult(sources.Select(s => new float[] { s.Length, 1 }).ToArray());

        public Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default)
            => Task.FromResult(new float[] { query.Length, 1 });

        public void Dispose() => Disposals++;
    }
}
