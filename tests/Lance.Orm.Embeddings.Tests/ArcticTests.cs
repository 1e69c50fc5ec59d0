using System.Numerics.Tensors;
using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings.Tests;

public sealed class ArcticFixture : IDisposable
{
    public ArcticEmbedXs Model { get; } = new();

    public void Dispose() => Model.Dispose();
}

/// <summary>snowflake-arctic-embed-xs, the second sentence-transformers model, with its real weights.</summary>
public sealed class ArcticTests(ArcticFixture fixture) : IClassFixture<ArcticFixture>
{
    [Fact]
    public async Task Vectors_have_384_unit_norm_floats()
    {
        var vectors = await fixture.Model.ComputeSourceEmbeddingsAsync(["A puppy chased a ball.", "Interest rates rose."]);

        Assert.All(vectors, v => Assert.Equal((384, 1.0), (v.Length, Math.Round(TensorPrimitives.Norm(v), 4))));
    }

    [Fact]
    public async Task Queries_find_their_passage()
    {
        var passages = await fixture.Model.ComputeSourceEmbeddingsAsync(
            ["The Eiffel Tower is in Paris, France.", "Photosynthesis turns light into chemical energy in plants.", "The stock market fell sharply on Monday."]);

        var query = await fixture.Model.ComputeQueryEmbeddingAsync("How do plants get energy from sunlight?");

        var scores = passages.Select(p => TensorPrimitives.Dot(p, query)).ToArray();
        Assert.Equal(1, Array.IndexOf(scores, scores.Max()));
    }

    [Fact]
    public async Task Queries_carry_the_search_instruction_prefix()
    {
        var query = await fixture.Model.ComputeQueryEmbeddingAsync("what is lance");
        var prefixed = (await fixture.Model.ComputeSourceEmbeddingsAsync([fixture.Model.QueryPrefix + "what is lance"]))[0];
        var plain = (await fixture.Model.ComputeSourceEmbeddingsAsync(["what is lance"]))[0];

        Assert.StartsWith("Represent this sentence for searching relevant passages:", fixture.Model.QueryPrefix);
        Assert.True(TensorPrimitives.CosineSimilarity(query, prefixed) > 0.99999f);
        Assert.True(TensorPrimitives.CosineSimilarity(query, plain) < 0.999f);
    }

    [Fact]
    public void Reads_up_to_512_tokens()
    {
        var tokens = fixture.Model.Tokenize(string.Join(' ', Enumerable.Range(0, 900).Select(i => $"w{i}")));

        Assert.Equal((512, 101, 102), (tokens.Count, tokens[0], tokens[^1]));
    }

    [Fact]
    public async Task Differs_from_MiniLM()
    {
        using var miniLm = new MiniLm();

        var a = await fixture.Model.ComputeSourceEmbeddingsAsync(["same text"]);
        var b = await miniLm.ComputeSourceEmbeddingsAsync(["same text"]);

        Assert.True(TensorPrimitives.CosineSimilarity(a[0], b[0]) < 0.5f);
    }

    [Fact]
    public void The_registry_recreates_it_from_its_stored_name()
    {
        EmbeddingFunctionRegistry.Default.AddLanceOrmEmbeddings();

        var function = (MiniLm)EmbeddingFunctionRegistry.Default.Get("sentence-transformers").Create(fixture.Model.GetConfiguration());

        Assert.Equal("""{"name":"Snowflake/snowflake-arctic-embed-xs","device":"cpu","normalize":true}""", fixture.Model.GetConfiguration().ToJsonString());
        Assert.Equal((ArcticEmbedXs.ModelId, 512), (function.ModelName, function.MaxTokenCount));
        Assert.Equal("snowflake-arctic-embed-xs", ((MiniLm)EmbeddingFunctionRegistry.Default.Create("sentence-transformers", new JsonObject { ["name"] = "Snowflake/snowflake-arctic-embed-xs" })).ModelName);
    }
}
