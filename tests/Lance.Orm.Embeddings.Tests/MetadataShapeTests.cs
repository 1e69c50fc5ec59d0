using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings.Tests;

public sealed class MetadataShapeTests
{
    [Fact]
    public void Python_shape_is_written_snake_case_with_indent_two()
    {
        var json = EmbeddingFunctionConfig.ToMetadataJson([new EmbeddingFunctionConfig("open-clip", new JsonObject { ["name"] = "ViT-B-32" }, "image_uri", "vector")]);

        Assert.Equal("[\n  {\n    \"name\": \"open-clip\",\n    \"model\": {\n      \"name\": \"ViT-B-32\"\n    },\n    \"source_column\": \"image_uri\",\n    \"vector_column\": \"vector\",\n    \"sourceColumn\": \"image_uri\",\n    \"vectorColumn\": \"vector\"\n  }\n]", json.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Node_shape_is_read()
    {
        var metadata = new Dictionary<string, string>
        {
            [EmbeddingFunctionConfig.MetadataKey] = """[{"sourceColumn":"text","vectorColumn":"vec","name":"openai","model":{"model":"text-embedding-3-small"}}]""",
        };

        var config = EmbeddingFunctionConfig.FromMetadata(metadata, "t").Single();

        Assert.Equal(("openai", "text", "vec", "text-embedding-3-small"), (config.Name, config.SourceColumn, config.VectorColumn, (string?)config.Model!["model"]));
    }

    [Fact]
    public void Secrets_under_any_spelling_are_refused()
    {
        foreach (var key in new[] { "api_key", "apiKey", "token", "password", "secret_key" })
        {
            Assert.Throws<EmbeddingException>(() => EmbeddingSecrets.EnsureNoLiteralSecrets(new JsonObject { [key] = "literal" }, "f"));
        }

        EmbeddingSecrets.EnsureNoLiteralSecrets(new JsonObject { ["api_key"] = "$env:KEY", ["name"] = "not a secret" }, "f");
    }
}
