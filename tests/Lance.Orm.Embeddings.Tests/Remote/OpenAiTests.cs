using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings.Tests;

/// <summary>The openai function against a loopback server speaking the OpenAI embeddings API.</summary>
public sealed class OpenAiTests : IDisposable
{
    private const int Dim = 3;
    private readonly LoopbackServer _server = new();

    public OpenAiTests() => _server.Fallback = r => FakeOpenAi.Answer(r, Dim);

    public void Dispose() => _server.Dispose();

    private OpenAiOptions Options => new() { BaseUrl = new Uri(_server.BaseUrl, "v1"), Model = "nomic-embed-text", Dimensions = Dim, ApiKey = "sk-local" };

    [Fact]
    public async Task Posts_model_inputs_and_bearer_key_to_the_embeddings_path()
    {
        var openAi = new OpenAiEmbeddings(Options);

        var vectors = await openAi.ComputeSourceEmbeddingsAsync(["cat", "a dog"]);

        var request = Assert.Single(_server.Requests);
        Assert.Equal(("POST", "/v1/embeddings", "Bearer sk-local"), (request.Method, request.Path, request.Authorization));
        Assert.Equal("nomic-embed-text", request.Json["model"]!.GetValue<string>());
        Assert.Equal(["cat", "a dog"], request.Json["input"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal([FakeOpenAi.Vector("cat", Dim), FakeOpenAi.Vector("a dog", Dim)], vectors);
    }

    [Fact]
    public async Task Inputs_are_sent_in_batches_and_keep_their_order()
    {
        _server.Fallback = r => FakeOpenAi.Answer(r, Dim, reverse: true);
        var openAi = new OpenAiEmbeddings(Options with { MaxBatchSize = 2 });
        var texts = new[] { "one", "two", "three", "four", "five" };

        var vectors = await openAi.ComputeSourceEmbeddingsAsync(texts);

        Assert.Equal([2, 2, 1], _server.Requests.Select(r => r.Json["input"]!.AsArray().Count));
        Assert.Equal(texts.Select(t => FakeOpenAi.Vector(t, Dim)), vectors);
    }

    [Fact]
    public async Task The_key_is_read_from_the_named_environment_variable()
    {
        Environment.SetEnvironmentVariable("LANCE_TEST_OPENAI_KEY_1", "sk-from-env");
        var openAi = new OpenAiEmbeddings(Options with { ApiKey = null, ApiKeyVariable = "LANCE_TEST_OPENAI_KEY_1" });

        await openAi.ComputeQueryEmbeddingAsync("hello");

        Assert.Equal("Bearer sk-from-env", _server.Requests.Single().Authorization);
    }

    [Fact]
    public async Task A_missing_key_names_the_variable()
    {
        var openAi = new OpenAiEmbeddings(Options with { ApiKey = null, ApiKeyVariable = "LANCE_TEST_NOT_SET_ANYWHERE" });

        var ex = await Assert.ThrowsAsync<EmbeddingException>(() => openAi.ComputeQueryEmbeddingAsync("hello"));

        Assert.Contains("LANCE_TEST_NOT_SET_ANYWHERE", ex.Message);
        Assert.Equal(0, _server.RequestCount);
    }

    [Fact]
    public void Configuration_stores_the_key_as_an_environment_reference()
    {
        var openAi = new OpenAiEmbeddings(Options with { ApiKeyVariable = "MY_KEY" });

        var json = EmbeddingFunctionConfig.ToMetadataJson([new EmbeddingFunctionConfig(openAi.Name, openAi.GetConfiguration(), "text", "vector")]);

        Assert.Equal("$var:MY_KEY", openAi.GetConfiguration()["api_key"]!.GetValue<string>());
        Assert.DoesNotContain("sk-local", json);
        Assert.Contains("\"base_url\"", json);
    }

    [Fact]
    public void A_literal_secret_is_refused_when_writing_metadata()
    {
        var config = new JsonObject { ["name"] = "m", ["api_key"] = "sk-literal" };

        var ex = Assert.Throws<EmbeddingException>(() => EmbeddingFunctionConfig.ToMetadataJson([new EmbeddingFunctionConfig("openai", config, "text", "vector")]));

        Assert.Contains("api_key", ex.Message);
        Assert.DoesNotContain("sk-literal", ex.Message);
    }

    [Fact]
    public async Task The_registry_resolves_env_references_when_recreating_the_function()
    {
        EmbeddingFunctionRegistry.Default.AddLanceOrmEmbeddings();
        Environment.SetEnvironmentVariable("LANCE_TEST_OPENAI_KEY_2", "sk-resolved");
        var stored = new JsonObject { ["name"] = "nomic-embed-text", ["dim"] = Dim, ["base_url"] = _server.BaseUrl.AbsoluteUri, ["api_key"] = "$env:LANCE_TEST_OPENAI_KEY_2" };

        var function = new EmbeddingFunctionRegistry().Let(r => r.Register("openai", OpenAiEmbeddings.FromConfiguration)).Create("openai", stored);
        await function.ComputeQueryEmbeddingAsync("hi");

        Assert.Equal("Bearer sk-resolved", _server.Requests.Single().Authorization);
        Assert.Equal("$env:LANCE_TEST_OPENAI_KEY_2", stored["api_key"]!.GetValue<string>());
    }

    [Fact]
    public void An_unset_env_reference_throws_naming_the_variable()
    {
        var registry = new EmbeddingFunctionRegistry();
        registry.Register("openai", OpenAiEmbeddings.FromConfiguration);

        var ex = Assert.Throws<EmbeddingException>(() => registry.Create("openai", new JsonObject { ["api_key"] = "$env:LANCE_TEST_NEVER_SET" }));

        Assert.Contains("LANCE_TEST_NEVER_SET", ex.Message);
    }

    [Fact]
    public async Task A_malformed_answer_is_an_embedding_error()
    {
        _server.Enqueue(ScriptedResponse.Json(200, """{"data":[{"index":0,"embedding":[1,2]}]}"""));

        var ex = await Assert.ThrowsAsync<EmbeddingException>(() => new OpenAiEmbeddings(Options).ComputeQueryEmbeddingAsync("x"));

        Assert.Contains("2 dimensions", ex.Message);
    }

    [Fact]
    public void Unknown_models_need_a_dimension()
    {
        Assert.Throws<EmbeddingException>(() => new OpenAiEmbeddings(new OpenAiOptions { Model = "my-local-model" }));
    }

    [Fact]
    public void Registry_get_create_is_the_LanceDB_spelling()
    {
        EmbeddingFunctionRegistry.Default.AddLanceOrmEmbeddings();

        var function = EmbeddingFunctionRegistry.Default.Get("openai").Create(new JsonObject { ["name"] = "text-embedding-3-large", ["api_key"] = "$env:PATH" });

        Assert.Equal(3072, function.Dimensions);
    }
}

internal static class Extensions
{
    public static T Let<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }
}
