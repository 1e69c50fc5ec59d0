using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings;

/// <summary>
/// What a sentence-transformers (or plain Hugging Face) model folder says: where the ONNX export and
/// the tokenizer are, the pooling, whether a <c>Normalize</c> module follows, the token limit and the
/// prompts.
/// </summary>
internal sealed record SentenceTransformerFolder(
    string Path, string OnnxPath, string TokenizerPath, PoolingMode Pooling, bool NormalizeModule, int? MaxTokens, string QueryPrefix, string DocumentPrefix, int? Dimensions)
{
    private static readonly string[] OnnxCandidates = ["onnx/model.onnx", "model.onnx"];

    /// <summary>Reads the folder.</summary>
    /// <exception cref="EmbeddingException">A required file is missing, a file is malformed, or a module is not supported.</exception>
    public static SentenceTransformerFolder Read(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new EmbeddingException($"The model folder '{folder}' does not exist.");
        }

        var onnx = OnnxCandidates.Select(p => System.IO.Path.Combine(folder, p)).FirstOrDefault(File.Exists)
            ?? throw new EmbeddingException($"The model folder '{folder}' has no ONNX export (onnx/model.onnx or model.onnx); export the model to ONNX first (e.g. with Optimum).");
        var tokenizer = System.IO.Path.Combine(folder, "tokenizer.json");
        if (!File.Exists(tokenizer))
        {
            throw new EmbeddingException($"The model folder '{folder}' has no tokenizer.json.");
        }

        var pooling = PoolingMode.Mean; // what sentence-transformers adds to a plain Hugging Face model
        var normalize = false;
        int? dimensions = null;
        if (Json(folder, "modules.json") is JsonArray modules)
        {
            foreach (var module in modules.OfType<JsonObject>())
            {
                var type = (string?)module["type"] ?? "";
                var path = (string?)module["path"] ?? "";
                if (type.EndsWith(".Pooling", StringComparison.Ordinal))
                {
                    (pooling, dimensions) = ReadPooling(folder, path);
                }
                else if (type.EndsWith(".Normalize", StringComparison.Ordinal))
                {
                    normalize = true;
                }
                else if (!type.EndsWith(".Transformer", StringComparison.Ordinal))
                {
                    throw new EmbeddingException(
                        $"The model in '{folder}' has a '{type}' module, which this loader does not run (it runs Transformer, Pooling and Normalize); export the whole pipeline to ONNX instead.");
                }
            }
        }

        int? maxTokens = null;
        if (Json(folder, "sentence_bert_config.json") is JsonObject bert && bert["max_seq_length"] is { } max)
        {
            maxTokens = (int)max;
        }

        var (query, document) = ("", "");
        if (Json(folder, "config_sentence_transformers.json") is JsonObject st && st["prompts"] is JsonObject prompts)
        {
            var defaultPrompt = (string?)st["default_prompt_name"] is { } name ? (string?)prompts[name] : null;
            query = (string?)prompts["query"] ?? defaultPrompt ?? "";
            document = (string?)prompts["document"] ?? (string?)prompts["passage"] ?? defaultPrompt ?? "";
        }

        return new SentenceTransformerFolder(folder, onnx, tokenizer, pooling, normalize, maxTokens, query, document, dimensions);
    }

    private static (PoolingMode, int?) ReadPooling(string folder, string path)
    {
        var config = Json(folder, System.IO.Path.Combine(path, "config.json")) as JsonObject
            ?? throw new EmbeddingException($"The pooling module of '{folder}' has no {path}/config.json.");
        bool On(string key) => (bool?)config[key] ?? false;
        var modes = new List<PoolingMode>();
        if (On("pooling_mode_cls_token")) modes.Add(PoolingMode.Cls);
        if (On("pooling_mode_mean_tokens")) modes.Add(PoolingMode.Mean);
        if (On("pooling_mode_max_tokens")) modes.Add(PoolingMode.Max);
        if (On("pooling_mode_mean_sqrt_len_tokens")) modes.Add(PoolingMode.MeanSqrtLength);
        if (On("pooling_mode_lasttoken")) modes.Add(PoolingMode.LastToken);
        if (modes.Count != 1)
        {
            throw new EmbeddingException(
                $"The pooling of '{folder}' combines {modes.Count} modes ({string.Join(", ", modes)}); this loader runs exactly one.");
        }

        return (modes[0], (int?)config["word_embedding_dimension"]);
    }

    private static JsonNode? Json(string folder, string name)
    {
        var path = System.IO.Path.Combine(folder, name);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new EmbeddingException($"'{path}' is not valid JSON: {ex.Message}", ex);
        }
    }
}
