using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Tests.Errors;

/// <summary>
/// Cancellation takes effect at the next batch boundary (never by timing: the token is cancelled
/// from inside the work, and the work done after it is counted), and a cancelled write commits nothing.
/// </summary>
public sealed class CancellationTests : IDisposable
{
    private const int RowsPerBatch = 8192; // Table<T>'s conversion batch
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    /// <summary>Cancels its token on call <see cref="CancelOnCall"/> and counts the calls made after that.</summary>
    private sealed class CancellingEmbedding(CancellationTokenSource source) : IEmbeddingFunction
    {
        public int CancelOnCall { get; init; } = 3;

        public int Calls { get; private set; }

        public int CallsAfterCancel { get; private set; }

        public string Name => "cancelling";

        public int Dimensions => 4;

        public int SourceBatchSize => 4;

        public JsonObject GetConfiguration() => [];

        public Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default)
        {
            if (source.IsCancellationRequested)
            {
                CallsAfterCancel++;
            }

            if (++Calls == CancelOnCall)
            {
                source.Cancel();
            }

            return Task.FromResult(sources.Select(_ => new float[] { 1, 2, 3, 4 }).ToArray());
        }

        public Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default) => Task.FromResult(new float[] { 1, 2, 3, 4 });
    }

    private static IEnumerable<Point> Points(int count, Action<int> before)
    {
        for (var i = 0; i < count; i++)
        {
            before(i);
            yield return new Point { Id = i, Vector = [i, 1, 2, 3] };
        }
    }

    [Fact]
    public async Task Cancelling_an_add_while_its_rows_are_read_stops_within_one_batch_and_commits_nothing()
    {
        var table = await (await _db.ConnectAsync()).CreateTableAsync("points", Points(10, _ => { }));
        using var cts = new CancellationTokenSource();
        var readAfterCancel = 0;
        var rows = Points(6 * RowsPerBatch, i =>
        {
            readAfterCancel += cts.IsCancellationRequested ? 1 : 0;
            if (i == (2 * RowsPerBatch) + 5)
            {
                cts.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => table.AddAsync(rows, cts.Token));

        Assert.InRange(readAfterCancel, 0, RowsPerBatch);
        await table.RefreshAsync();
        Assert.Equal((1UL, 10L), (table.Version, await table.CountRowsAsync()));
    }

    [Fact]
    public async Task Cancelling_an_add_from_its_embedding_function_makes_no_further_embedding_call_and_commits_nothing()
    {
        using var cts = new CancellationTokenSource();
        var function = new CancellingEmbedding(cts);
        var registry = new EmbeddingFunctionRegistry();
        registry.Register("cancelling", _ => function);
        var db = await LanceDb.ConnectAsync(_db.Path, new DatabaseOptions { Registry = registry });
        var schema = new Schema([new Field("id", Int64Type.Default, false), new Field("text", StringType.Default, true)], null);
        var table = await db.CreateTableAsync("docs", schema, [new EmbeddingFunctionConfig("cancelling", null, "text", "vector")]);
        var rows = new RecordBatch.Builder()
            .Append("id", false, c => c.Int64(b => b.AppendRange(Enumerable.Range(0, 100).Select(i => (long)i))))
            .Append("text", true, c => c.String(b => b.AppendRange(Enumerable.Range(0, 100).Select(i => $"text {i}"))))
            .Build();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => table.AddAsync(rows, cts.Token));

        Assert.Equal((3, 0), (function.Calls, function.CallsAfterCancel));
        await table.RefreshAsync();
        Assert.Equal((1UL, 0L), (table.Version, await table.CountRowsAsync()));
    }

    [Fact]
    public async Task Cancelling_a_scan_while_rows_stream_stops_at_the_end_of_the_current_batch()
    {
        var db = await LanceDb.ConnectAsync(_db.Path, new DatabaseOptions { MaxRowsPerFile = 10 });
        var table = await db.CreateTableAsync("points", Points(50, _ => { })); // five fragments: five batches of 10
        using var cts = new CancellationTokenSource();
        var seen = 0;
        var seenAfterCancel = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var row in table.Query().AsAsyncEnumerable(cts.Token))
            {
                seen++;
                seenAfterCancel += cts.IsCancellationRequested ? 1 : 0;
                if (seen == 13)
                {
                    cts.Cancel(); // in the second batch
                }
            }
        });

        Assert.Equal((20, 7), (seen, seenAfterCancel));
    }

    [Fact]
    public async Task Cancelling_a_table_enumeration_stops_at_the_end_of_the_current_batch()
    {
        var db = await LanceDb.ConnectAsync(_db.Path, new DatabaseOptions { MaxRowsPerFile = 10 });
        var table = await db.CreateTableAsync("points", Points(50, _ => { }));
        using var cts = new CancellationTokenSource();
        var seen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var row in table.AsAsyncEnumerable(cts.Token))
            {
                if (++seen == 3)
                {
                    cts.Cancel();
                }
            }
        });

        Assert.Equal(10, seen);
    }

    [Fact]
    public async Task Cancelling_a_streamed_append_stops_before_the_next_batch_of_a_source_that_ignores_the_token_and_commits_nothing()
    {
        var table = await (await _db.ConnectAsync()).CreateTableAsync("points", Points(10, _ => { }));
        using var cts = new CancellationTokenSource();
        var pulledAfterCancel = 0;

        async IAsyncEnumerable<RecordBatch> Batches()
        {
            for (var k = 0; k < 20; k++)
            {
                pulledAfterCancel += cts.IsCancellationRequested ? 1 : 0;
                if (k == 3)
                {
                    cts.Cancel();
                }

                await Task.Yield();
                yield return Point.ToRecordBatch([.. Points(100, _ => { })]);
            }
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => table.Dataset.AppendAsync(Batches(), cancellationToken: cts.Token));

        Assert.Equal(0, pulledAfterCancel);
        await table.RefreshAsync();
        Assert.Equal((1UL, 10L), (table.Version, await table.CountRowsAsync()));
    }
}
