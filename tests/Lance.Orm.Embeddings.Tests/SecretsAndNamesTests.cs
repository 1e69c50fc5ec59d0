using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings.Tests;

/// <summary>Secrets as LanceDB keeps them ($var:NAME), and the names LanceDB recreates.</summary>
public sealed class SecretsAndNamesTests
{
    private static JsonObject Resolve(EmbeddingFunctionRegistry registry, JsonObject config)
    {
        JsonObject? seen = null;
        registry.Register("probe", c =>
        {
            seen = c;
            return new RecordingFunction();
        });
        registry.Create("probe", config);
        return seen!;
    }

    [Fact]
    public void References_are_written_in_LanceDBs_var_syntax()
    {
        Assert.Equal("$var:OPENAI_API_KEY", EmbeddingSecrets.Reference("OPENAI_API_KEY"));
        Assert.Equal("$var:DEVICE:cpu", EmbeddingSecrets.Reference("DEVICE", "cpu"));
        Assert.Throws<ArgumentException>(() => EmbeddingSecrets.Reference("A:B"));
    }

    [Fact]
    public void A_var_resolves_from_the_registry_before_the_environment()
    {
        Environment.SetEnvironmentVariable("LANCE_TEST_SECRET_ORDER", "from-environment");
        var registry = new EmbeddingFunctionRegistry();

        var fromEnvironment = Resolve(registry, new JsonObject { ["api_key"] = "$var:LANCE_TEST_SECRET_ORDER" });
        registry.SetVar("LANCE_TEST_SECRET_ORDER", "from-registry");
        var fromRegistry = Resolve(registry, new JsonObject { ["api_key"] = "$var:LANCE_TEST_SECRET_ORDER", ["nested"] = new JsonObject { ["token"] = "$var:LANCE_TEST_SECRET_ORDER" } });

        Assert.Equal("from-environment", (string?)fromEnvironment["api_key"]);
        Assert.Equal("from-registry", (string?)fromRegistry["api_key"]);
        Assert.Equal("from-registry", (string?)fromRegistry["nested"]!["token"]);
        Assert.Equal("from-registry", registry.GetVar("LANCE_TEST_SECRET_ORDER"));
    }

    [Fact]
    public void A_default_applies_only_when_the_variable_is_set_nowhere()
    {
        var registry = new EmbeddingFunctionRegistry();

        var defaulted = Resolve(registry, new JsonObject { ["device"] = "$var:LANCE_TEST_UNSET_DEVICE:cuda:0" });
        registry.SetVar("LANCE_TEST_UNSET_DEVICE", "cpu");
        var set = Resolve(registry, new JsonObject { ["device"] = "$var:LANCE_TEST_UNSET_DEVICE:cuda:0" });

        Assert.Equal("cuda:0", (string?)defaulted["device"]); // the default may hold colons, as LanceDB splits it
        Assert.Equal("cpu", (string?)set["device"]);
    }

    [Fact]
    public void An_unset_var_without_default_names_the_variable_and_how_to_set_it()
    {
        var ex = Assert.Throws<EmbeddingException>(() => Resolve(new EmbeddingFunctionRegistry(), new JsonObject { ["api_key"] = "$var:LANCE_TEST_NEVER_SET_VAR" }));

        Assert.Contains("LANCE_TEST_NEVER_SET_VAR", ex.Message);
        Assert.Contains("SetVar", ex.Message);
        Assert.Contains("'probe'", ex.Message);
    }

    [Fact]
    public void Older_env_references_are_still_read()
    {
        Environment.SetEnvironmentVariable("LANCE_TEST_LEGACY_ENV", "legacy-value");

        var resolved = Resolve(new EmbeddingFunctionRegistry(), new JsonObject { ["api_key"] = "$env:LANCE_TEST_LEGACY_ENV" });

        Assert.Equal("legacy-value", (string?)resolved["api_key"]);
    }

    [Fact]
    public void Secrets_are_stored_only_as_bare_references()
    {
        EmbeddingSecrets.EnsureNoLiteralSecrets(new JsonObject { ["api_key"] = "$var:KEY", ["apiKey"] = "$var:KEY", ["old"] = new JsonObject { ["token"] = "$env:KEY" } }, "f");

        var literal = Assert.Throws<EmbeddingException>(() => EmbeddingSecrets.EnsureNoLiteralSecrets(new JsonObject { ["apiKey"] = "sk-123" }, "f"));
        var withDefault = Assert.Throws<EmbeddingException>(() => EmbeddingSecrets.EnsureNoLiteralSecrets(new JsonObject { ["api_key"] = "$var:KEY:sk-123" }, "f"));

        Assert.Contains("$var:NAME", literal.Message);
        Assert.DoesNotContain("sk-123", literal.Message);
        Assert.Contains("default", withDefault.Message);
        Assert.Throws<ArgumentException>(() => new EmbeddingFunctionRegistry().SetVar("a:b", "x"));
    }

    [Fact]
    public void The_openai_configuration_is_spelled_for_both_LanceDB_SDKs_and_read_back_from_either()
    {
        var openAi = new OpenAiEmbeddings(new OpenAiOptions { Model = "text-embedding-3-small", ApiKey = "sk-never-stored" });

        var stored = openAi.GetConfiguration();
        var fromNode = OpenAiEmbeddings.FromConfiguration(new JsonObject { ["model"] = "text-embedding-3-large", ["apiKey"] = "$var:MY_OPENAI_KEY" });

        Assert.Equal(("text-embedding-3-small", "text-embedding-3-small"), ((string?)stored["name"], (string?)stored["model"]));
        Assert.Equal(("$var:OPENAI_API_KEY", "$var:OPENAI_API_KEY"), ((string?)stored["api_key"], (string?)stored["apiKey"]));
        Assert.DoesNotContain("sk-never-stored", stored.ToJsonString());
        Assert.Equal(("text-embedding-3-large", 3072), (fromNode.Model, fromNode.Dimensions));
        Assert.Equal("$var:MY_OPENAI_KEY", (string?)fromNode.GetConfiguration()["apiKey"]);
    }

    [Fact]
    public void Azure_openai_is_stored_with_use_azure_and_its_own_key_variable()
    {
        var azure = OpenAiEmbeddings.FromConfiguration(new JsonObject { ["name"] = "embeddings-deployment", ["use_azure"] = true, ["base_url"] = "https://res.openai.azure.com/", ["dim"] = 8 });

        var stored = azure.GetConfiguration();

        Assert.True(azure.UseAzure);
        Assert.True((bool)stored["use_azure"]!);
        Assert.Equal("$var:AZURE_OPENAI_API_KEY", (string?)stored["api_key"]);
        Assert.Equal("https://res.openai.azure.com/openai/deployments/embeddings-deployment/embeddings?api-version=2024-02-01", azure.Endpoint.AbsoluteUri);
    }

    [Fact]
    public void ResNet18_is_a_lance_orm_only_name_and_old_tables_still_recreate_it()
    {
        var registry = new EmbeddingFunctionRegistry().AddLanceOrmEmbeddings();

        using var current = (ResNet18)registry.Create("lance-orm-resnet18");
        using var legacy = (ResNet18)registry.Create("resnet18", new JsonObject { ["name"] = "resnet18", ["normalize"] = true });

        Assert.Equal("lance-orm-resnet18", ResNet18.FunctionName);
        Assert.Equal("lance-orm-resnet18", current.Name);
        Assert.Equal(ResNet18.ModelDimensions, legacy.Dimensions);
    }

    [Fact]
    public void Arctic_is_stored_under_the_name_LanceDB_loads_and_older_names_still_open()
    {
        var registry = new EmbeddingFunctionRegistry().AddLanceOrmEmbeddings();

        using var arctic = new ArcticEmbedXs();
        using var old = (MiniLm)registry.Create("sentence-transformers", new JsonObject { ["name"] = "snowflake-arctic-embed-xs" });

        Assert.Equal(ArcticEmbedXs.StoredModelId, (string?)arctic.GetConfiguration()["name"]);
        Assert.Equal(ArcticEmbedXs.ModelId, old.ModelName);
        Assert.Equal("all-MiniLM-L6-v2", (string?)new MiniLm().GetConfiguration()["name"]);
    }

    [Fact]
    public void Every_hosted_provider_is_registered_under_its_LanceDB_name()
    {
        var registry = new EmbeddingFunctionRegistry().AddLanceOrmEmbeddings();

        foreach (var name in new[] { "openai", "ollama", "cohere", "jina", "voyageai", "gemini-text", "bedrock-text", "watsonx", "sentence-transformers", "open-clip" })
        {
            Assert.True(registry.IsRegistered(name), name);
        }
    }
}
