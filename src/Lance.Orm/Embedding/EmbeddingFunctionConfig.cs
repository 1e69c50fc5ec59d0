using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lance.Orm;

/// <summary>
/// One entry of a table's <c>embedding_functions</c> schema metadata: which function fills which
/// vector column from which source column. Written in LanceDB Python's shape (snake_case keys) with
/// the Node SDK's camelCase <c>sourceColumn</c>/<c>vectorColumn</c> beside them, so that both SDKs
/// apply the function when they add rows; read from either shape.
/// </summary>
public sealed record EmbeddingFunctionConfig
{
    /// <summary>The schema metadata key LanceDB stores embedding configuration under.</summary>
    public const string MetadataKey = "embedding_functions";

    /// <summary>Creates an entry.</summary>
    public EmbeddingFunctionConfig(string name, JsonObject? model, string sourceColumn, string vectorColumn)
    {
        Name = name;
        Model = model;
        SourceColumn = sourceColumn;
        VectorColumn = vectorColumn;
    }

    /// <summary>The function's registry name, e.g. <c>sentence-transformers</c>.</summary>
    public string Name { get; }

    /// <summary>The function's configuration (LanceDB's <c>model</c> object).</summary>
    public JsonObject? Model { get; }

    /// <summary>The column whose values are embedded.</summary>
    public string SourceColumn { get; }

    /// <summary>The vector column that receives the embeddings.</summary>
    public string VectorColumn { get; }

    /// <summary>Serializes entries as LanceDB's Python SDK does (a JSON list, indent 2), plus Node's column keys.</summary>
    /// <exception cref="EmbeddingException">A configuration holds a literal secret instead of a <c>$var:</c> reference.</exception>
    public static string ToMetadataJson(IEnumerable<EmbeddingFunctionConfig> configs)
    {
        ArgumentNullException.ThrowIfNull(configs);
        var array = new JsonArray();
        foreach (var config in configs)
        {
            EmbeddingSecrets.EnsureNoLiteralSecrets(config.Model, config.Name);
            array.Add((JsonNode)new JsonObject
            {
                ["name"] = config.Name,
                ["model"] = config.Model?.DeepClone() ?? new JsonObject(),
                ["source_column"] = config.SourceColumn,
                ["vector_column"] = config.VectorColumn,
                ["sourceColumn"] = config.SourceColumn,
                ["vectorColumn"] = config.VectorColumn,
            });
        }

        return array.ToJsonString(new JsonSerializerOptions { WriteIndented = true, IndentSize = 2 });
    }

    /// <summary>
    /// Reads the entries stored in schema metadata (Python's snake_case or Node's camelCase shape).
    /// Returns an empty list when the key is absent.
    /// </summary>
    /// <exception cref="EmbeddingException">The metadata is present but is not a list of valid entries.</exception>
    public static IReadOnlyList<EmbeddingFunctionConfig> FromMetadata(IReadOnlyDictionary<string, string>? metadata, string tableName)
    {
        if (metadata is null || !metadata.TryGetValue(MetadataKey, out var json))
        {
            return [];
        }

        try
        {
            if (JsonNode.Parse(json) is not JsonArray array)
            {
                throw new EmbeddingException($"The '{MetadataKey}' metadata of table '{tableName}' is not a JSON list.");
            }

            var result = new List<EmbeddingFunctionConfig>();
            foreach (var node in array)
            {
                if (node is not JsonObject entry)
                {
                    throw new EmbeddingException($"The '{MetadataKey}' metadata of table '{tableName}' holds an entry that is not a JSON object.");
                }

                var name = Text(entry, tableName, "name");
                var source = Text(entry, tableName, "source_column", "sourceColumn");
                var vector = Text(entry, tableName, "vector_column", "vectorColumn");
                var model = entry["model"] as JsonObject;
                result.Add(new EmbeddingFunctionConfig(name, (JsonObject?)model?.DeepClone(), source, vector));
            }

            return result;
        }
        catch (JsonException ex)
        {
            throw new EmbeddingException($"The '{MetadataKey}' metadata of table '{tableName}' is not valid JSON: {ex.Message}", ex);
        }
    }

    private static string Text(JsonObject entry, string tableName, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (entry[key] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0)
            {
                return text;
            }
        }

        throw new EmbeddingException($"An entry of the '{MetadataKey}' metadata of table '{tableName}' has no '{keys[0]}'.");
    }
}
