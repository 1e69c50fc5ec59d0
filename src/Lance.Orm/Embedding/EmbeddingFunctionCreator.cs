using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lance.Orm;

/// <summary>Creates one registered embedding function from options (see <see cref="EmbeddingFunctionRegistry.Get"/>).</summary>
public sealed class EmbeddingFunctionCreator
{
    private readonly EmbeddingFunctionRegistry _registry;

    internal EmbeddingFunctionCreator(EmbeddingFunctionRegistry registry, string name)
    {
        _registry = registry;
        Name = name;
    }

    /// <summary>The registered name.</summary>
    public string Name { get; }

    /// <summary>Creates the function from LanceDB-style configuration (e.g. <c>{"name": "ViT-B-32"}</c>); defaults when null. The caller owns it.</summary>
    public IEmbeddingFunction Create(JsonObject? options = null) => _registry.Create(Name, options);

    /// <summary>Creates the function from configuration given as JSON text.</summary>
    /// <exception cref="EmbeddingException">The text is not a JSON object.</exception>
    public IEmbeddingFunction Create(string optionsJson)
    {
        ArgumentNullException.ThrowIfNull(optionsJson);
        try
        {
            return Create(JsonNode.Parse(optionsJson) as JsonObject ?? throw new EmbeddingException($"Options for '{Name}' must be a JSON object: {optionsJson}"));
        }
        catch (JsonException ex)
        {
            throw new EmbeddingException($"Options for '{Name}' are not valid JSON: {ex.Message}", ex);
        }
    }
}
