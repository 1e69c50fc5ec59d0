using Microsoft.Extensions.Time.Testing;

namespace Lance.Orm.Embeddings.Tests;

/// <summary>The retry pipeline against a real loopback server, on a fake clock (no test sleeps).</summary>
public sealed class RetryTests : IDisposable
{
    private const int Dim = 4;
    private readonly LoopbackServer _server = new();
    private readonly FakeTimeProvider _time = new();
    private readonly ListLogger _logger = new();

    public RetryTests() => _server.Fallback = r => FakeOpenAi.Answer(r, Dim);

    public void Dispose() => _server.Dispose();

    private OpenAiEmbeddings OpenAi() => new(new OpenAiOptions { BaseUrl = _server.BaseUrl, Model = "local-model", Dimensions = Dim, ApiKey = "sk-test" });

    private EmbeddingRetryPipeline Pipeline(int maxRetries = 7, bool jitter = true, TimeSpan? maxDelay = null)
        => new(new EmbeddingRetryOptions { MaxRetries = maxRetries, UseJitter = jitter, MaxDelay = maxDelay ?? TimeSpan.FromSeconds(30), TimeProvider = _time, Logger = _logger });

    private Task<float[][]> EmbedAsync(EmbeddingRetryPipeline pipeline, params string[] texts)
    {
        var openAi = OpenAi();
        return FakeClock.RunAsync(_time, () => pipeline.ExecuteAsync("test", ct => openAi.ComputeSourceEmbeddingsAsync(texts, ct)));
    }

    [Fact]
    public async Task Answers_429_and_500_are_retried_until_200()
    {
        _server.Enqueue(FakeOpenAi.Error(429, "slow down"), FakeOpenAi.Error(500, "oops"));

        var vectors = await EmbedAsync(Pipeline(), "hello");

        Assert.Equal(3, _server.RequestCount);
        Assert.Equal(FakeOpenAi.Vector("hello", Dim), vectors[0]);
    }

    [Fact]
    public async Task Retry_After_is_honoured()
    {
        _server.Enqueue(FakeOpenAi.Error(429, "rate limited", new Dictionary<string, string> { ["Retry-After"] = "20" }));
        var openAi = OpenAi();
        var pipeline = Pipeline(jitter: false);

        var task = pipeline.ExecuteAsync("test", ct => openAi.ComputeSourceEmbeddingsAsync(["a"], ct));
        await WaitForRequestsAsync(1);
        _time.Advance(TimeSpan.FromSeconds(19));
        await Task.WhenAny(task, Task.Delay(200));
        var before = _server.RequestCount;
        _time.Advance(TimeSpan.FromSeconds(1));
        await FakeClock.RunAsync(_time, () => task);

        Assert.Equal(1, before);
        Assert.Equal(2, _server.RequestCount);
        Assert.Contains("20000 ms", _logger.Entries.Single().Message);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task Unauthorised_answers_are_never_retried(int status)
    {
        _server.Enqueue(FakeOpenAi.Error(status, "bad key"));

        var ex = await Assert.ThrowsAsync<EmbeddingException>(() => EmbedAsync(Pipeline(), "hello"));

        Assert.Equal(1, _server.RequestCount);
        Assert.Equal(status, Assert.IsType<EmbeddingRequestException>(ex.InnerException).StatusCode);
        Assert.Contains("not retried", ex.Message);
        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public async Task Zero_retries_disables_retrying()
    {
        _server.Enqueue(FakeOpenAi.Error(500, "oops"));

        await Assert.ThrowsAsync<EmbeddingException>(() => EmbedAsync(Pipeline(maxRetries: 0), "hello"));

        Assert.Equal(1, _server.RequestCount);
    }

    [Fact]
    public async Task Giving_up_throws_with_the_last_error()
    {
        _server.Enqueue(FakeOpenAi.Error(500, "first"), FakeOpenAi.Error(502, "second"), FakeOpenAi.Error(503, "third and last"));

        var ex = await Assert.ThrowsAsync<EmbeddingException>(() => EmbedAsync(Pipeline(maxRetries: 2), "hello"));

        Assert.Equal(3, _server.RequestCount);
        Assert.Equal(503, Assert.IsType<EmbeddingRequestException>(ex.InnerException).StatusCode);
        Assert.Contains("third and last", ex.Message);
        Assert.Contains("3 attempts", ex.Message);
    }

    [Fact]
    public async Task Default_is_seven_retries()
    {
        _server.Fallback = _ => FakeOpenAi.Error(500, "down");

        await Assert.ThrowsAsync<EmbeddingException>(() => EmbedAsync(Pipeline(), "hello"));

        Assert.Equal(7, EmbeddingRetryOptions.Default.MaxRetries);
        Assert.Equal(8, _server.RequestCount);
    }

    [Fact]
    public async Task Each_wait_is_capped()
    {
        _server.Fallback = _ => FakeOpenAi.Error(500, "down");

        await Assert.ThrowsAsync<EmbeddingException>(() => EmbedAsync(Pipeline(maxRetries: 6, jitter: false, maxDelay: TimeSpan.FromSeconds(5)), "hello"));

        var waits = _logger.Entries.Select(e => double.Parse(System.Text.RegularExpressions.Regex.Match(e.Message, @"retrying in ([\d.]+) ms").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([1000, 2000, 4000, 5000, 5000, 5000], waits);
    }

    [Fact]
    public async Task Each_retry_is_logged_with_attempt_wait_and_error()
    {
        _server.Enqueue(FakeOpenAi.Error(429, "slow down please"));

        await EmbedAsync(Pipeline(jitter: false), "hello");

        var (level, message, error) = Assert.Single(_logger.Entries);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, level);
        Assert.Contains("attempt 1 of 8", message);
        Assert.Contains("retrying in 1000 ms", message);
        Assert.Contains("slow down please", message);
        Assert.IsType<EmbeddingRequestException>(error);
    }

    [Fact]
    public async Task Network_failures_are_retried()
    {
        var port = _server.BaseUrl.Port;
        var dead = new OpenAiEmbeddings(new OpenAiOptions { BaseUrl = new Uri("http://127.0.0.1:1/"), Model = "m", Dimensions = Dim, ApiKey = "k" });

        var ex = await Assert.ThrowsAsync<EmbeddingException>(() =>
            FakeClock.RunAsync(_time, () => Pipeline(maxRetries: 2).ExecuteAsync("test", ct => dead.ComputeSourceEmbeddingsAsync(["x"], ct))));

        Assert.Null(Assert.IsType<EmbeddingRequestException>(ex.InnerException).StatusCode);
        Assert.Equal(2, _logger.Entries.Count);
        Assert.NotEqual(1, port);
    }

    [Fact]
    public async Task Cancellation_stops_the_waiting_without_wrapping()
    {
        _server.Fallback = _ => FakeOpenAi.Error(500, "down");
        using var cts = new CancellationTokenSource();
        var openAi = OpenAi();

        var task = Pipeline().ExecuteAsync("test", ct => openAi.ComputeSourceEmbeddingsAsync(["x"], ct), cts.Token);
        await WaitForRequestsAsync(1);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
    }

    private async Task WaitForRequestsAsync(int count)
    {
        for (var i = 0; i < 1000 && _server.RequestCount < count; i++)
        {
            await Task.Delay(5);
        }

        Assert.True(_server.RequestCount >= count, $"the server saw {_server.RequestCount} requests, expected {count}");
    }
}
