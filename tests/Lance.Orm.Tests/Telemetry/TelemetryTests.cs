using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json.Nodes;

namespace Lance.Orm.Tests.Telemetry;

[CollectionDefinition(nameof(TelemetryCollection), DisableParallelization = true)]
public sealed class TelemetryCollection
{
}

/// <summary>
/// The "Lance.Orm" activity source and meter, observed with in-memory listeners. The tests run alone
/// (their collection is not parallel) and look only at spans and measurements of their own table.
/// </summary>
[Collection(nameof(TelemetryCollection))]
public sealed class TelemetryTests : IDisposable
{
    private readonly TempDb _db = new();
    private readonly string _table = "tele_" + Guid.NewGuid().ToString("N")[..8];
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();
    private ActivityListener? _activities;
    private MeterListener? _meters;

    public void Dispose()
    {
        _activities?.Dispose();
        _meters?.Dispose();
        _db.Dispose();
    }

    private void Listen()
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == LanceTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == LanceTelemetry.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _meters.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _meters.Start();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue((instrument.Name, value, copy));
    }

    private List<Activity> Spans(string name) => _spans.Where(s => s.DisplayName == name).ToList();

    private double Sum(string instrument, string? table = null)
        => _measurements.Where(m => m.Instrument == instrument && (table is null || Equals(m.Tags.GetValueOrDefault("db.collection.name"), table))).Sum(m => m.Value);

    [Fact]
    public async Task Adds_searches_merges_and_index_builds_are_spans_with_database_conventions()
    {
        Listen();
        var db = await _db.ConnectAsync();
        var notes = await db.CreateTableAsync<Note>(_table);

        await notes.AddAsync(Enumerable.Range(0, 300).Select(i => new Note { Id = i, Text = $"note number {i}" }));
        var hits = await notes.Search("note number 7").Limit(3).ToListAsync();
        await notes.MergeInsertAsync([new Note { Id = 1, Text = "changed" }, new Note { Id = 1000, Text = "new" }], ["id"]);
        await notes.CreateIndexAsync(x => x.Vector, new IvfPqOptions { NumPartitions = 2, NumSubVectors = 2 });

        var add = Assert.Single(Spans($"add {_table}"));
        Assert.Equal(ActivityKind.Client, add.Kind);
        Assert.Equal("lancedb", add.GetTagItem("db.system.name"));
        Assert.Equal(_table, add.GetTagItem("db.collection.name"));
        Assert.Equal("add", add.GetTagItem("db.operation.name"));
        Assert.Equal(db.Uri, add.GetTagItem("db.namespace"));
        Assert.Equal(300L, add.GetTagItem("lance.rows_written"));

        // The engine's commit and the embedding calls are children of the add.
        var commits = _spans.Where(s => s.DisplayName == "commit" && s.ParentSpanId == add.SpanId).ToList();
        var commit = Assert.Single(commits);
        Assert.Equal("Append", commit.GetTagItem("lance.commit.operation"));
        Assert.Equal(true, commit.GetTagItem("lance.commit.published"));
        Assert.Contains(_spans, s => s.DisplayName == "embed" && s.ParentSpanId == add.SpanId);

        var search = Assert.Single(Spans($"search {_table}"));
        Assert.Equal("search", search.GetTagItem("db.operation.name"));
        Assert.Equal(3L, search.GetTagItem("db.response.returned_rows"));
        Assert.Equal("text", search.GetTagItem("lance.query.input"));
        Assert.Single(_spans, s => s.DisplayName == "embed" && s.ParentSpanId == search.SpanId);
        Assert.Equal(3, hits.Count);

        var merge = Assert.Single(Spans($"merge_insert {_table}"));
        Assert.Equal((1L, 1L), ((long)merge.GetTagItem("lance.merge.inserted")!, (long)merge.GetTagItem("lance.merge.updated")!));
        var index = Assert.Single(Spans($"create_index {_table}"));
        Assert.Equal("CreateIndex", Assert.Single(_spans, s => s.DisplayName == "commit" && s.ParentSpanId == index.SpanId).GetTagItem("lance.commit.operation"));

        Assert.Equal(302, Sum("lance.orm.rows.written", _table)); // 300 added, 1 inserted and 1 updated by the merge
        var durations = _measurements.Where(m => m.Instrument == "db.client.operation.duration" && Equals(m.Tags["db.collection.name"], _table)).ToList();
        Assert.Equal("search", Assert.Single(durations).Tags["db.operation.name"]);
        Assert.True(durations[0].Value > 0);
        Assert.True(Sum("lance.orm.embedding.calls") >= 3);
    }

    [Fact]
    public async Task A_failed_query_marks_its_span_and_records_its_duration_with_the_error()
    {
        Listen();
        var db = await _db.ConnectAsync();
        var notes = await db.CreateTableAsync(_table, [new Note { Id = 1, Text = "a" }]);

        await Assert.ThrowsAsync<LanceFilterException>(() => notes.Query().Where("no_such_column > 1").ToListAsync());

        var query = Assert.Single(Spans($"query {_table}"));
        Assert.Equal(ActivityStatusCode.Error, query.Status);
        Assert.Equal(typeof(LanceFilterException).FullName, query.GetTagItem("error.type"));
        var duration = Assert.Single(_measurements, m => m.Instrument == "db.client.operation.duration" && Equals(m.Tags["db.collection.name"], _table));
        Assert.Equal(typeof(LanceFilterException).FullName, duration.Tags["error.type"]);
    }

    [Fact]
    public async Task Embedding_retries_are_span_events_and_counted_and_a_final_failure_is_counted()
    {
        Listen();
        var flaky = new FlakyEmbedding(failures: 2, HttpStatusCode.ServiceUnavailable);
        var registry = new EmbeddingFunctionRegistry().Register("flaky", _ => flaky);
        var retry = new EmbeddingRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1), UseJitter = false };
        var db = await LanceDb.ConnectAsync(_db.Path, new DatabaseOptions { Registry = registry, EmbeddingRetry = retry });
        var schema = new Apache.Arrow.Schema.Builder()
            .Field(new Apache.Arrow.Field("text", Apache.Arrow.Types.StringType.Default, true))
            .Field(Serialization.VectorField.Create("vector", 2, Apache.Arrow.Types.FloatType.Default))
            .Build();
        var table = await db.CreateTableAsync(_table, schema, [new EmbeddingFunctionConfig("flaky", null, "text", "vector")]);

        await table.Search("query").Limit(1).ToBatchAsync();

        var embed = Assert.Single(_spans, s => s.DisplayName == "embed" && s.Parent?.DisplayName == $"search {_table}");
        var retries = embed.Events.Where(e => e.Name == "retry").ToList();
        Assert.Equal(2, retries.Count);
        Assert.Equal([1, 2], retries.Select(e => (int)e.Tags.First(t => t.Key == "lance.retry.attempt").Value!));
        Assert.All(retries, e => Assert.Equal(typeof(EmbeddingRequestException).FullName, e.Tags.First(t => t.Key == "error.type").Value));
        Assert.Equal(ActivityStatusCode.Unset, embed.Status);
        Assert.Equal(2, Sum("lance.orm.embedding.retries"));
        Assert.Equal(0, Sum("lance.orm.embedding.failures"));

        flaky.Reset(failures: 1, HttpStatusCode.Unauthorized);
        await Assert.ThrowsAsync<EmbeddingException>(() => table.Search("query").Limit(1).ToBatchAsync());
        Assert.Equal(1, Sum("lance.orm.embedding.failures"));
        var failed = _spans.Last(s => s.DisplayName == "embed");
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal(2, Sum("lance.orm.embedding.retries")); // 401 is never retried
    }

    [Fact]
    public async Task The_cache_gauge_reports_the_bytes_open_tables_hold()
    {
        Listen();
        var db = await _db.ConnectAsync();
        var notes = await db.CreateTableAsync(_table, Enumerable.Range(0, 2000).Select(i => new Note { Id = i, Text = $"text {i}" }));
        await notes.Query().Where("id > 5").ToListAsync();

        _meters!.RecordObservableInstruments();

        var gauge = _measurements.Where(m => m.Instrument == "lance.orm.cache.size").ToList();
        Assert.NotEmpty(gauge);
        Assert.True(gauge[^1].Value >= notes.CachedBytes && notes.CachedBytes > 0, $"gauge {gauge[^1].Value}, table {notes.CachedBytes}");
    }

    [Fact]
    public async Task Nothing_is_observed_when_nobody_listens()
    {
        var db = await _db.ConnectAsync();
        var notes = await db.CreateTableAsync(_table, [new Note { Id = 1, Text = "a" }]);

        Assert.False(LanceTelemetry.Source.HasListeners());
        Assert.Null(LanceTelemetry.Start("search", notes));
        Assert.False(LanceTelemetry.OperationDuration.Enabled);
        Assert.Null(Activity.Current);
        var query = notes.Query().Limit(1);
        var direct = notes.ExecuteAsync(new QuerySpec(null), CancellationToken.None);
        var observed = notes.ObservedExecuteAsync(new QuerySpec(null), CancellationToken.None);
        Assert.Equal(direct.GetType(), observed.GetType()); // the plain iterator: no span, no timing, no tally
        Assert.Single(await query.ToListAsync());
    }

    /// <summary>Fails its first calls with an HTTP status, then embeds as (length, 1).</summary>
    private sealed class FlakyEmbedding(int failures, HttpStatusCode status) : IEmbeddingFunction
    {
        private int _failures = failures;
        private HttpStatusCode _status = status;

        public string Name => "flaky";

        public int Dimensions => 2;

        public void Reset(int failures, HttpStatusCode status) => (_failures, _status) = (failures, status);

        public JsonObject GetConfiguration() => [];

        public Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default)
            => Task.FromResult(sources.Select(s => new float[] { s.Length, 1 }).ToArray());

        public Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Decrement(ref _failures) >= 0)
            {
                throw new EmbeddingRequestException($"flaky: {(int)_status}", (int)_status);
            }

            return Task.FromResult(new float[] { query.Length, 1 });
        }
    }
}
