using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// How a full-text (inverted) index splits and normalises text, with LanceDB's names and defaults
/// (LanceDB 0.31: <c>simple</c> tokenizer, English, lower case, stemming, stop words removed, ASCII
/// folding, tokens of 40 bytes or more dropped, no positions). The same steps run on the query text.
/// </summary>
public sealed class FullTextIndexOptions
{
    /// <summary>How text is split: <c>simple</c> (runs of letters and digits), <c>whitespace</c>, <c>raw</c> (the whole text is one token) or <c>ngram</c>.</summary>
    public string BaseTokenizer { get; init; } = "simple";

    /// <summary>The language of stemming and stop words (tantivy's names: English, French, German, ...).</summary>
    public string Language { get; init; } = "English";

    /// <summary>Whether the index keeps token positions (needed by phrase queries).</summary>
    public bool WithPosition { get; init; }

    /// <summary>Tokens of this many UTF-8 bytes or more are dropped; null keeps every token.</summary>
    public int? MaxTokenLength { get; init; } = 40;

    /// <summary>Whether tokens are lower-cased.</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>Whether tokens are reduced to their stem (Snowball).</summary>
    public bool Stem { get; init; } = true;

    /// <summary>Whether the language's stop words are dropped (after stemming, as LanceDB does).</summary>
    public bool RemoveStopWords { get; init; } = true;

    /// <summary>Stop words to drop instead of the language's list.</summary>
    public IReadOnlyList<string>? CustomStopWords { get; init; }

    /// <summary>Whether letters are folded to ASCII (é → e).</summary>
    public bool AsciiFolding { get; init; } = true;

    /// <summary>The shortest n-gram of the <c>ngram</c> tokenizer.</summary>
    public int NgramMinLength { get; init; } = 3;

    /// <summary>The longest n-gram of the <c>ngram</c> tokenizer.</summary>
    public int NgramMaxLength { get; init; } = 3;

    /// <summary>Whether the <c>ngram</c> tokenizer keeps only the n-grams at the start of the text.</summary>
    public bool PrefixOnly { get; init; }

    /// <summary>The options as Lance records them (the <c>params</c> JSON of the index metadata).</summary>
    public string ToJson()
    {
        var o = new JsonObject
        {
            ["lance_tokenizer"] = "text",
            ["base_tokenizer"] = BaseTokenizer,
            ["language"] = Language,
            ["with_position"] = WithPosition,
            ["max_token_length"] = MaxTokenLength,
            ["lower_case"] = LowerCase,
            ["stem"] = Stem,
            ["remove_stop_words"] = RemoveStopWords,
            ["custom_stop_words"] = CustomStopWords is null ? null : new JsonArray([.. CustomStopWords.Select(w => (JsonNode?)w)]),
            ["ascii_folding"] = AsciiFolding,
            ["min_ngram_length"] = NgramMinLength,
            ["max_ngram_length"] = NgramMaxLength,
            ["prefix_only"] = PrefixOnly,
        };
        return o.ToJsonString();
    }

    /// <summary>Reads the <c>params</c> JSON of an index's metadata (missing keys take Lance's defaults).</summary>
    /// <exception cref="LanceIndexException">The JSON is not an object.</exception>
    public static FullTextIndexOptions FromJson(string json)
    {
        JsonObject o;
        try
        {
            o = JsonNode.Parse(json) as JsonObject ?? throw new LanceIndexException($"The full-text index parameters are not a JSON object: {json}");
        }
        catch (JsonException e)
        {
            throw new LanceIndexException($"The full-text index parameters are not valid JSON: {e.Message}", e);
        }

        var defaults = new FullTextIndexOptions();
        bool Bool(string key, bool fallback) => o[key] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : fallback;
        int Int(string key, int fallback) => o[key] is JsonValue v && v.TryGetValue<int>(out var i) ? i : fallback;
        return new FullTextIndexOptions
        {
            BaseTokenizer = o["base_tokenizer"]?.GetValue<string>() ?? defaults.BaseTokenizer,
            Language = o["language"]?.GetValue<string>() ?? defaults.Language,
            WithPosition = Bool("with_position", false),
            MaxTokenLength = o.ContainsKey("max_token_length") ? (o["max_token_length"] is JsonValue m && m.TryGetValue<int>(out var max) ? max : null) : defaults.MaxTokenLength,
            LowerCase = Bool("lower_case", true),
            Stem = Bool("stem", true),
            RemoveStopWords = Bool("remove_stop_words", true),
            CustomStopWords = o["custom_stop_words"] is JsonArray words ? [.. words.Select(w => w!.GetValue<string>())] : null,
            AsciiFolding = Bool("ascii_folding", true),
            NgramMinLength = Int("min_ngram_length", 3),
            NgramMaxLength = Int("max_ngram_length", 3),
            PrefixOnly = Bool("prefix_only", false),
        };
    }
}
