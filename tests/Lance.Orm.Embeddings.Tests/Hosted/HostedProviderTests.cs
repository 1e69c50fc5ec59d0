using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace Lance.Orm.Embeddings.Tests;

/// <summary>
/// Every hosted provider against a loopback server speaking its documented HTTP API: request shape,
/// auth, query versus document input types, and the retry pipeline (Retry-After honoured, 401/403
/// never retried, errors naming the provider).
/// </summary>
public sealed class HostedProviderTests : IDisposable
{
    private readonly LoopbackServer _server = new();
    private readonly FakeTimeProvider _time = new();
    private readonly ListLogger _logger = new();

    public HostedProviderTests() => ProviderCase.SetVariables();

    public static TheoryData<string> Providers => new(ProviderCase.All.Keys);

    public void Dispose() => _server.Dispose();

    private IEmbeddingFunction Create(ProviderCase provider)
    {
        _server.Fallback = r => provider.Answer(r, ProviderCase.Dim);
        return EmbeddingFunctionRegistry.Default.Get(provider.Name).Create(provider.Configuration(_server.BaseUrl));
    }

    private EmbeddingRetryPipeline Pipeline(int maxRetries = 7)
        => new(new EmbeddingRetryOptions { MaxRetries = maxRetries, UseJitter = false, TimeProvider = _time, Logger = _logger });

    private IEnumerable<RecordedRequest> EmbeddingRequests => _server.Requests.Where(r => r.Path != "/identity/token");

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Documents_and_queries_take_the_documented_request_shape(string name)
    {
        var provider = ProviderCase.All[name];
        var function = Create(provider);
        string[] texts = ["a cat", "two dogs", "the third text"];

        var vectors = await function.ComputeSourceEmbeddingsAsync(texts);
        foreach (var request in EmbeddingRequests)
        {
            provider.CheckRequest(request, EmbeddingInputKind.Document);
        }

        var before = EmbeddingRequests.Count();
        var query = await function.ComputeQueryEmbeddingAsync("where are the dogs");
        provider.CheckRequest(EmbeddingRequests.Skip(before).Single(), EmbeddingInputKind.Query);

        Assert.Equal(name, function.Name);
        Assert.Equal(ProviderCase.Dim, function.Dimensions);
        Assert.Equal(texts.Select(t => FakeOpenAi.Vector(t, ProviderCase.Dim)), vectors);
        Assert.Equal(FakeOpenAi.Vector("where are the dogs", ProviderCase.Dim), query);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Retry_After_is_honoured_and_the_retry_is_logged_naming_the_provider(string name)
    {
        var function = Create(ProviderCase.All[name]);
        _server.Enqueue(FakeOpenAi.Error(429, "rate limited", new Dictionary<string, string> { ["Retry-After"] = "20" }));

        var vectors = await FakeClock.RunAsync(_time, () => Pipeline().ExecuteAsync("test", ct => function.ComputeSourceEmbeddingsAsync(["hello"], ct)));

        Assert.Equal(FakeOpenAi.Vector("hello", ProviderCase.Dim), vectors[0]);
        var (_, message, error) = Assert.Single(_logger.Entries);
        Assert.Contains("retrying in 20000 ms", message);
        Assert.StartsWith(name + ": POST ", error!.Message);
        Assert.Contains(name + ": POST ", message);
        Assert.Contains("HTTP 429", message);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Server_errors_are_retried_then_given_up_with_every_log_and_the_error_naming_the_provider(string name)
    {
        var function = Create(ProviderCase.All[name]);
        _server.Enqueue(FakeOpenAi.Error(500, "first"), FakeOpenAi.Error(502, "second"), FakeOpenAi.Error(503, "third and last"));

        var ex = await Assert.ThrowsAsync<EmbeddingException>(() => FakeClock.RunAsync(_time, () => Pipeline(maxRetries: 2).ExecuteAsync("test", ct => function.ComputeSourceEmbeddingsAsync(["hello"], ct))));

        Assert.Equal(3, _server.RequestCount);
        Assert.Equal(503, Assert.IsType<EmbeddingRequestException>(ex.InnerException).StatusCode);
        Assert.Contains("3 attempts (giving up)", ex.Message);
        Assert.Contains(name + ": POST ", ex.Message);
        Assert.Contains("third and last", ex.Message);
        Assert.Equal(2, _logger.Entries.Count);
        Assert.All(_logger.Entries, e => Assert.Contains(name + ": POST ", e.Message));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Retry_After_as_a_date_and_retry_after_ms_are_read(string name)
    {
        var function = Create(ProviderCase.All[name]);
        var date = DateTimeOffset.UtcNow.AddSeconds(30).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        _server.Enqueue(
            FakeOpenAi.Error(429, "later", new Dictionary<string, string> { ["Retry-After"] = date }),
            FakeOpenAi.Error(503, "busy", new Dictionary<string, string> { ["retry-after-ms"] = "1500", ["Retry-After"] = "9" }));

        var byDate = await Assert.ThrowsAsync<EmbeddingRequestException>(() => function.ComputeSourceEmbeddingsAsync(["hello"]));
        var byMilliseconds = await Assert.ThrowsAsync<EmbeddingRequestException>(() => function.ComputeSourceEmbeddingsAsync(["hello"]));

        Assert.InRange(byDate.RetryAfter!.Value, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30)); // the date has whole seconds
        Assert.Equal(TimeSpan.FromMilliseconds(1500), byMilliseconds.RetryAfter);
        Assert.StartsWith(name + ": POST ", byDate.Message);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Unauthorised_answers_are_not_retried(string name)
    {
        foreach (var status in new[] { 401, 403 })
        {
            var function = Create(ProviderCase.All[name]);
            var seen = _server.RequestCount;
            _server.Enqueue(FakeOpenAi.Error(status, "bad key"));

            var ex = await Assert.ThrowsAsync<EmbeddingException>(() => FakeClock.RunAsync(_time, () => Pipeline().ExecuteAsync("test", ct => function.ComputeSourceEmbeddingsAsync(["hello"], ct))));

            Assert.Equal(seen + 1, _server.RequestCount);
            Assert.Equal(status, Assert.IsType<EmbeddingRequestException>(ex.InnerException).StatusCode);
            Assert.Contains("not retried", ex.Message);
            Assert.Contains(name + ": POST", ex.Message);
        }

        Assert.Empty(_logger.Entries);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Stored_configuration_keeps_secrets_as_var_references(string name)
    {
        var provider = ProviderCase.All[name];
        using var function = Create(provider) as IDisposable;
        var created = EmbeddingFunctionRegistry.Default.Get(name).Create(provider.Configuration(_server.BaseUrl));

        var stored = created.GetConfiguration();
        var json = EmbeddingFunctionConfig.ToMetadataJson([new EmbeddingFunctionConfig(name, stored, "text", "vector")]);

        foreach (var secret in new[] { "co-secret", "jina-secret", "voyage-secret", "google-secret", "watsonx-secret", "azure-secret", "lance-test-secret", "session-token" })
        {
            Assert.DoesNotContain(secret, json);
        }

        foreach (var (key, value) in stored)
        {
            if (EmbeddingSecrets.IsSecretKey(key))
            {
                Assert.StartsWith("$var:", value!.GetValue<string>());
            }
        }
    }

    [Fact]
    public void A_literal_key_is_used_but_stored_as_the_providers_variable()
    {
        var cohere = new CohereEmbeddings(new JsonObject { ["name"] = "embed-english-v3.0", ["api_key"] = "literal-key" });

        Assert.Equal("$var:CO_API_KEY", (string?)cohere.GetConfiguration()["api_key"]);
        Assert.Equal("embed-english-v3.0", (string?)cohere.GetConfiguration()["name"]);
        Assert.Equal(1024, cohere.Dimensions);
    }

    [Fact]
    public async Task A_missing_key_names_the_variable_and_sends_nothing()
    {
        var voyage = new VoyageAiEmbeddings(new JsonObject { ["name"] = "voyage-3", ["base_url"] = _server.BaseUrl.AbsoluteUri, ["api_key"] = "$var:LANCE_TEST_NEVER_SET_ANYWHERE" });

        var ex = await Assert.ThrowsAsync<EmbeddingException>(() => voyage.ComputeQueryEmbeddingAsync("x"));

        Assert.Contains("LANCE_TEST_NEVER_SET_ANYWHERE", ex.Message);
        Assert.Equal(0, _server.RequestCount);
    }

    [Fact]
    public void Unknown_models_need_a_dimension()
    {
        var ex = Assert.Throws<EmbeddingException>(() => new OllamaEmbeddings(new JsonObject { ["name"] = "my-own-model" }));

        Assert.Contains("'dim'", ex.Message);
    }

    [Fact]
    public void Bedrock_refuses_credential_options_it_cannot_honour()
    {
        var ex = Assert.Throws<EmbeddingException>(() => new BedrockTextEmbeddings(new JsonObject { ["profile_name"] = "dev" }));

        Assert.Contains("AWS_ACCESS_KEY_ID", ex.Message);
    }

    [Fact]
    public async Task Watsonx_reuses_its_token_until_it_expires()
    {
        var provider = ProviderCase.All["watsonx"];
        _server.Fallback = r => provider.Answer(r, ProviderCase.Dim);
        var watsonx = new WatsonxEmbeddings(provider.Configuration(_server.BaseUrl), timeProvider: _time);

        await watsonx.ComputeQueryEmbeddingAsync("one");
        await watsonx.ComputeQueryEmbeddingAsync("two");
        _time.Advance(TimeSpan.FromHours(1));
        await watsonx.ComputeQueryEmbeddingAsync("three");

        var tokens = _server.Requests.Where(r => r.Path == "/identity/token").ToList();
        Assert.Equal(2, tokens.Count);
        Assert.Contains("apikey=watsonx-secret", tokens[0].Body);
        Assert.Contains("grant_type=urn%3Aibm%3Aparams%3Aoauth%3Agrant-type%3Aapikey", tokens[0].Body);
    }
}
