using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;

namespace Lance.Orm.Embeddings;

/// <summary>
/// A Hugging Face <c>tokenizer.json</c> turned into a Microsoft.ML.Tokenizers tokenizer: WordPiece
/// (BERT), Unigram (SentencePiece) or BPE models, with the post-processor's special tokens around each
/// text and truncation to the model's token limit.
/// </summary>
internal sealed class HuggingFaceTokenizer
{
    private readonly Func<string, IReadOnlyList<int>> _encode;
    private readonly int[] _prefix;
    private readonly int[] _suffix;
    private readonly PairTemplate _pair;

    private HuggingFaceTokenizer(string kind, Func<string, IReadOnlyList<int>> encode, int[] prefix, int[] suffix, PairTemplate pair, int maxTokens, int padId)
    {
        Kind = kind;
        _encode = encode;
        _prefix = prefix;
        _suffix = suffix;
        _pair = pair;
        MaxTokens = maxTokens;
        PadId = padId;
    }

    /// <summary>The model type (<c>WordPiece</c>, <c>Unigram</c> or <c>BPE</c>).</summary>
    public string Kind { get; }

    /// <summary>The most tokens per text, specials included.</summary>
    public int MaxTokens { get; }

    /// <summary>The id padding positions carry.</summary>
    public int PadId { get; }

    /// <summary>Token ids with the special tokens, truncated to <see cref="MaxTokens"/>.</summary>
    public int[] Encode(string text)
    {
        var ids = _encode(text);
        var room = Math.Max(0, MaxTokens - _prefix.Length - _suffix.Length);
        var count = Math.Min(ids.Count, room);
        var result = new int[_prefix.Length + count + _suffix.Length];
        _prefix.CopyTo(result, 0);
        for (var i = 0; i < count; i++)
        {
            result[_prefix.Length + i] = ids[i];
        }

        _suffix.CopyTo(result, _prefix.Length + count);
        return result;
    }

    /// <summary>Token ids of <paramref name="text"/> alone: no special tokens, no truncation.</summary>
    public IReadOnlyList<int> EncodeRaw(string text) => _encode(text);

    /// <summary>
    /// A pair of texts as a cross-encoder reads them (<c>[CLS] first [SEP] second [SEP]</c> for BERT):
    /// ids and token types, the longer text shortened first to fit <see cref="MaxTokens"/>.
    /// </summary>
    /// <param name="first">The first text's ids, from <see cref="EncodeRaw"/> (a query scored against many texts is encoded once).</param>
    /// <param name="second">The second text.</param>
    public (int[] Ids, int[] TypeIds) EncodePair(IReadOnlyList<int> first, string second) => _pair.Build(first, _encode(second), MaxTokens);

    /// <summary>A BERT WordPiece tokenizer from a plain <c>vocab.txt</c> (a folder without tokenizer.json).</summary>
    /// <exception cref="EmbeddingException">The file cannot be read or lacks [CLS] or [SEP].</exception>
    public static HuggingFaceTokenizer LoadBertVocab(string path, bool lowercase, int? maxTokens)
    {
        try
        {
            var options = new BertOptions { LowerCaseBeforeTokenization = lowercase, RemoveNonSpacingMarks = lowercase };
            var tokenizer = BertTokenizer.Create(path, options);
            int cls = tokenizer.ClassificationTokenId, sep = tokenizer.SeparatorTokenId;
            return new HuggingFaceTokenizer(
                "WordPiece", t => tokenizer.EncodeToIds(t, addSpecialTokens: false), [cls], [sep], PairTemplate.Bert(cls, sep), maxTokens ?? 512, tokenizer.PaddingTokenId);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or FormatException)
        {
            throw new EmbeddingException($"Cannot read the BERT vocabulary '{path}': {ex.Message}", ex);
        }
    }

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="EmbeddingException">The file is not a tokenizer this loader understands.</exception>
    public static HuggingFaceTokenizer Load(string path, int? maxTokens)
    {
        byte[] bytes;
        JsonObject root;
        try
        {
            bytes = File.ReadAllBytes(path);
            root = JsonNode.Parse(bytes)?.AsObject() ?? throw new EmbeddingException($"'{path}' is empty.");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            throw new EmbeddingException($"Cannot read the tokenizer '{path}': {ex.Message}", ex);
        }

        var model = root["model"] as JsonObject ?? throw new EmbeddingException($"The tokenizer '{path}' has no 'model'.");
        var type = (string?)model["type"] ?? (model["merges"] is not null ? "BPE" : model["vocab"] is JsonArray ? "Unigram" : "WordPiece");
        var (prefix, suffix) = Specials(root["post_processor"], path);
        var pair = PairTemplate.Read(root["post_processor"], path);
        var limit = maxTokens ?? (int?)root["truncation"]?["max_length"] ?? 512;
        var padId = (int?)root["padding"]?["pad_id"] ?? 0;
        try
        {
            Func<string, IReadOnlyList<int>> encode = type switch
            {
                "WordPiece" => WordPiece(root, model),
                "Unigram" => Unigram(bytes),
                "BPE" => Bpe(root, model),
                _ => throw new EmbeddingException($"The tokenizer '{path}' has a '{type}' model; WordPiece, Unigram and BPE are supported."),
            };
            return new HuggingFaceTokenizer(type, encode, prefix, suffix, pair, limit, padId);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or JsonException or InvalidDataException)
        {
            throw new EmbeddingException($"Cannot build the {type} tokenizer of '{path}': {ex.Message}", ex);
        }
    }

    private static Func<string, IReadOnlyList<int>> WordPiece(JsonObject root, JsonObject model)
    {
        var vocab = model["vocab"] as JsonObject ?? throw new InvalidDataException("the WordPiece model has no 'vocab' object");
        var byId = new SortedDictionary<int, string>();
        foreach (var (token, id) in vocab)
        {
            byId[(int)id!] = token;
        }

        var text = new StringBuilder();
        var expected = 0;
        foreach (var (id, token) in byId)
        {
            for (; expected < id; expected++)
            {
                text.Append("[lance-orm-unused-").Append(expected).Append("]\n"); // keeps ids where the file has gaps
            }

            text.Append(token).Append('\n');
            expected = id + 1;
        }

        var (lowercase, stripAccents, chinese) = BertNormalization(root["normalizer"]);
        var options = new BertOptions
        {
            LowerCaseBeforeTokenization = lowercase,
            RemoveNonSpacingMarks = stripAccents ?? lowercase, // BERT strips accents when it lowercases unless told otherwise
            IndividuallyTokenizeCjk = chinese,
            UnknownToken = (string?)model["unk_token"] ?? "[UNK]",
            ContinuingSubwordPrefix = (string?)model["continuing_subword_prefix"] ?? "##",
        };
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text.ToString()));
        var tokenizer = BertTokenizer.Create(stream, options);
        return t => tokenizer.EncodeToIds(t, addSpecialTokens: false);
    }

    private static Func<string, IReadOnlyList<int>> Unigram(byte[] json)
    {
        using var stream = new MemoryStream(json, writable: false);
        var tokenizer = SentencePieceTokenizer.CreateFromTokenizerJson(stream, false, false, null);
        return t => tokenizer.EncodeToIds(t, addBeginningOfSentence: false, addEndOfSentence: false);
    }

    private static Func<string, IReadOnlyList<int>> Bpe(JsonObject root, JsonObject model)
    {
        var vocab = model["vocab"] as JsonObject ?? throw new InvalidDataException("the BPE model has no 'vocab' object");
        var merges = new List<string>();
        foreach (var merge in model["merges"] as JsonArray ?? [])
        {
            merges.Add(merge is JsonArray pair ? $"{(string?)pair[0]} {(string?)pair[1]}" : (string)merge!);
        }

        var (lowercase, _, _) = BertNormalization(root["normalizer"]);
        var preTokenizer = PreTokenizerType(root["pre_tokenizer"]);
        var options = new BpeOptions(vocab.Select(p => new KeyValuePair<string, int>(p.Key, (int)p.Value!)))
        {
            Merges = merges,
            UnknownToken = (string?)model["unk_token"],
            ContinuingSubwordPrefix = (string?)model["continuing_subword_prefix"],
            EndOfWordSuffix = (string?)model["end_of_word_suffix"],
            FuseUnknownTokens = (bool?)model["fuse_unk"] ?? false,
            ByteLevel = preTokenizer == "ByteLevel",
            PreTokenizer = preTokenizer switch
            {
                "Whitespace" => PreTokenizer.CreateWordOrNonWord(null),
                "WhitespaceSplit" => PreTokenizer.CreateWhiteSpace(null),
                null => null,
                "ByteLevel" => PreTokenizer.CreateWordOrNonWord(null),
                _ => throw new InvalidDataException($"the '{preTokenizer}' pre-tokenizer is not supported for BPE (Whitespace, WhitespaceSplit and ByteLevel are)"),
            },
            Normalizer = lowercase ? new LowerCaseNormalizer() : null,
        };
        var tokenizer = BpeTokenizer.Create(options);
        return t => tokenizer.EncodeToIds(t);
    }

    private static string? PreTokenizerType(JsonNode? node)
    {
        if (node is not JsonObject obj)
        {
            return null;
        }

        var type = (string?)obj["type"];
        if (type == "Sequence" && obj["pretokenizers"] is JsonArray list)
        {
            return list.Select(PreTokenizerType).FirstOrDefault(t => t is not null);
        }

        return type;
    }

    // BertNormalizer, or a Sequence of Lowercase / StripAccents / NFD.
    private static (bool Lowercase, bool? StripAccents, bool Chinese) BertNormalization(JsonNode? node)
    {
        if (node is not JsonObject obj)
        {
            return (false, null, false);
        }

        switch ((string?)obj["type"])
        {
            case "BertNormalizer":
                return ((bool?)obj["lowercase"] ?? true, (bool?)obj["strip_accents"], (bool?)obj["handle_chinese_chars"] ?? true);
            case "Lowercase":
                return (true, null, false);
            case "StripAccents":
                return (false, true, false);
            case "Sequence":
                var (lower, strip, chinese) = (false, (bool?)null, false);
                foreach (var child in obj["normalizers"] as JsonArray ?? [])
                {
                    var (l, s, c) = BertNormalization(child);
                    lower |= l;
                    strip = s ?? strip;
                    chinese |= c;
                }

                return (lower, strip ?? false, chinese);
            default:
                return (false, null, false);
        }
    }

    // The post-processor's specials around a single text: TemplateProcessing, BertProcessing, RobertaProcessing, or a Sequence holding one.
    private static (int[] Prefix, int[] Suffix) Specials(JsonNode? node, string path)
    {
        if (node is not JsonObject obj)
        {
            return ([], []);
        }

        switch ((string?)obj["type"])
        {
            case "BertProcessing":
            case "RobertaProcessing":
                return ([(int)obj["cls"]![1]!], [(int)obj["sep"]![1]!]);
            case "TemplateProcessing":
                var prefix = new List<int>();
                var suffix = new List<int>();
                var seenSequence = false;
                var specials = obj["special_tokens"] as JsonObject;
                foreach (var piece in obj["single"] as JsonArray ?? [])
                {
                    if (piece?["Sequence"] is not null)
                    {
                        seenSequence = true;
                    }
                    else if (piece?["SpecialToken"]?["id"] is { } id)
                    {
                        var ids = specials?[(string)id!]?["ids"] as JsonArray
                            ?? throw new EmbeddingException($"The tokenizer '{path}' names the special token '{id}' but does not define its ids.");
                        (seenSequence ? suffix : prefix).AddRange(ids.Select(i => (int)i!));
                    }
                }

                return (prefix.ToArray(), suffix.ToArray());
            case "Sequence":
                foreach (var child in obj["processors"] as JsonArray ?? [])
                {
                    var found = Specials(child, path);
                    if (found.Prefix.Length + found.Suffix.Length > 0)
                    {
                        return found;
                    }
                }

                return ([], []);
            default:
                return ([], []);
        }
    }
}
