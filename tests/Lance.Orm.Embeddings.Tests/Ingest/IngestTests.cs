using Apache.Arrow;
using Microsoft.Extensions.Time.Testing;

namespace Lance.Orm.Embeddings.Tests;

public sealed class IngestTests : IDisposable
{
    private const int Dim = 4;
    private readonly TempDb _db = new();
    private readonly RecordingFunction _function = new(maxBatchSize: 3);

    public IngestTests() => _db.Registry.Register("recording", _ => _function);

    public void Dispose() => _db.Dispose();

    private static readonly IReadOnlyList<EmbeddingFunctionConfig> Definition = [new("recording", null, "text", "vector")];

    private async Task<Table> CreateAsync(Database? db = null)
    {
        db ??= await _db.ConnectAsync();
        return await db.CreateTableAsync("docs", Batches.Schema(Dim), Definition);
    }

    [Fact]
    public async Task Only_rows_whose_vector_is_missing_are_embedded()
    {
        var table = await CreateAsync();
        var own = new float[] { 9, 9, 9, 9 };

        await table.AddAsync(Batches.Rows(Dim, (1, "needs one", null), (2, "has one", own), (3, "needs two", null)));

        Assert.Equal(["needs one", "needs two"], _function.Calls.SelectMany(c => c));
        var rows = await Batches.ReadAllAsync(table);
        Assert.Equal(own, rows[1].Vector);
        Assert.Equal(_function.Embed("needs two"), rows[2].Vector);
    }

    [Fact]
    public async Task Rows_are_embedded_in_batches_sized_for_the_function()
    {
        var table = await CreateAsync();

        await table.AddAsync(Batches.TextOnly(Enumerable.Range(0, 10).Select(i => ((long)i, $"text {i}")).ToArray()));

        Assert.Equal([3, 3, 3, 1], _function.Calls.Select(c => c.Count));
    }

    [Fact]
    public async Task Bad_vectors_raise_by_default_naming_column_and_row_and_nothing_is_written()
    {
        var table = await CreateAsync();

        var ex = await Assert.ThrowsAsync<LanceSchemaException>(() => table.AddAsync(Batches.Rows(Dim, (1, "ok", [1, 2, 3, 4]), (2, "bad", [1, float.NaN, 3, 4]))));

        Assert.Contains("'vector'", ex.Message);
        Assert.Contains("row 1", ex.Message);
        Assert.Contains("NaN", ex.Message);
        Assert.Equal(0, await table.CountRowsAsync());
    }

    [Fact]
    public async Task Drop_leaves_bad_rows_out()
    {
        var table = await CreateAsync();

        await table.AddAsync([Batches.RowsWithListVectors((1, "ok", [1, 2, 3, 4]), (2, "short", [1, 2]), (3, "nan", [float.NaN, 0, 0, 0]))], new AddOptions { OnBadVectors = BadVectorHandling.Drop });

        Assert.Equal([1L], (await Batches.ReadAllAsync(table)).Select(r => r.Id));
    }

    [Fact]
    public async Task Fill_replaces_bad_vectors_with_the_fill_value()
    {
        var table = await CreateAsync();

        await table.AddAsync([Batches.RowsWithListVectors((1, "ok", [1, 2, 3, 4]), (2, "long", [1, 2, 3, 4, 5]))], new AddOptions { OnBadVectors = BadVectorHandling.Fill, FillValue = 0.5f });

        var rows = await Batches.ReadAllAsync(table);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, rows[0].Vector);
        Assert.Equal(new[] { 0.5f, 0.5f, 0.5f, 0.5f }, rows[1].Vector);
        Assert.Empty(_function.Calls);
    }

    [Fact]
    public async Task Null_clears_bad_vectors_and_the_function_then_embeds_them()
    {
        var table = await CreateAsync();

        await table.AddAsync([Batches.Rows(Dim, (1, "nan row", [float.NaN, 1, 1, 1]))], new AddOptions { OnBadVectors = BadVectorHandling.Null });

        Assert.Equal(["nan row"], _function.Calls.Single());
        Assert.Equal(_function.Embed("nan row"), (await Batches.ReadAllAsync(table)).Single().Vector);
    }

    [Fact]
    public async Task Null_stores_a_null_vector_where_no_function_fills_the_column()
    {
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync("plain", Batches.Schema(Dim));

        await table.AddAsync([Batches.Rows(Dim, (1, "nan row", [float.NaN, 1, 1, 1]))], new AddOptions { OnBadVectors = BadVectorHandling.Null });

        Assert.Null((await Batches.ReadAllAsync(table)).Single().Vector);
    }

    [Fact]
    public async Task Progress_is_reported_after_each_batch()
    {
        var table = await CreateAsync();
        var reports = new List<EmbeddingProgress>();

        await table.AddAsync([Batches.TextOnly(Enumerable.Range(0, 7).Select(i => ((long)i, $"t{i}")).ToArray())], new AddOptions { Progress = new SyncProgress(reports.Add) });

        Assert.Equal([new("vector", 3, 7), new("vector", 6, 7), new("vector", 7, 7)], reports);
    }

    [Fact]
    public async Task Cancelling_mid_ingest_commits_nothing()
    {
        var table = await CreateAsync();
        await table.AddAsync(Batches.TextOnly((100, "already there")));
        var version = table.Version;
        using var cts = new CancellationTokenSource();
        _function.BeforeCall = async (call, ct) =>
        {
            if (call == 3)
            {
                await cts.CancelAsync();
            }
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            table.AddAsync([Batches.TextOnly(Enumerable.Range(0, 9).Select(i => ((long)i, $"t{i}")).ToArray())], AddOptions.Default, cts.Token));

        var reopened = await (await _db.ConnectAsync()).OpenTableAsync("docs");
        Assert.Equal((version, 1L), (reopened.Version, await reopened.CountRowsAsync()));
    }

    [Fact]
    public async Task Transient_failures_of_a_function_are_retried_by_the_table()
    {
        var time = new FakeTimeProvider();
        var table = await CreateAsync(await _db.ConnectAsync(new EmbeddingRetryOptions { TimeProvider = time }));
        _function.BeforeCall = (call, _) => call <= 2 ? throw new EmbeddingRequestException("busy", 503) : Task.CompletedTask;

        await FakeClock.RunAsync(time, () => table.AddAsync(Batches.TextOnly((1, "eventually"))));

        Assert.Equal(3, _function.Calls.Count);
        Assert.Equal(1, await table.CountRowsAsync());
    }

    [Fact]
    public async Task A_function_that_keeps_failing_fails_the_add_with_EmbeddingException_and_writes_nothing()
    {
        var table = await CreateAsync(await _db.ConnectAsync(new EmbeddingRetryOptions { MaxRetries = 0 }));
        _function.BeforeCall = (_, _) => throw new EmbeddingRequestException("down", 500);

        var ex = await Assert.ThrowsAsync<EmbeddingException>(() => table.AddAsync(Batches.TextOnly((1, "x"))));

        Assert.Contains("table 'docs'", ex.Message);
        Assert.Equal(0, await table.CountRowsAsync());
    }

    [Fact]
    public async Task Text_queries_go_through_the_retry_pipeline()
    {
        var time = new FakeTimeProvider();
        var calls = 0;
        var flaky = new FlakyQueryFunction(() => ++calls <= 2);
        _db.Registry.Register("flaky", _ => flaky);
        var db = await _db.ConnectAsync(new EmbeddingRetryOptions { TimeProvider = time });
        var table = await db.CreateTableAsync("q", Batches.Schema(Dim), [new EmbeddingFunctionConfig("flaky", null, "text", "vector")]);
        await table.AddAsync(Batches.TextOnly((1, "abc")));

        var hits = await FakeClock.RunAsync(time, () => table.Search("abc").ToBatchAsync());

        Assert.Equal(1, hits.Length);
        Assert.Equal(3, calls); // two refused query attempts, then one that works
    }

    private sealed class SyncProgress(Action<EmbeddingProgress> report) : IProgress<EmbeddingProgress>
    {
        public void Report(EmbeddingProgress value) => report(value);
    }

    private sealed class FlakyQueryFunction(Func<bool> fail) : RecordingFunction("flaky")
    {
        public override Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default)
            => fail() ? throw new EmbeddingRequestException("busy", 429) : base.ComputeQueryEmbeddingAsync(query, cancellationToken);
    }
}
