using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings.Tests;

/// <summary>
/// Model folders the loader's tests generate: a tiny ONNX graph plus a tokenizer.json of each kind
/// (BERT WordPiece, SentencePiece Unigram, BPE) and sentence-transformers' configuration files.
/// Each kind comes with hand-derived token ids for a few texts, the reference the tests check against.
/// </summary>
public static class TinyModels
{
    public const int Dim = 6;

    /// <summary>Texts and the ids the tokenizer must give them (specials included), per kind.</summary>
    public static IReadOnlyDictionary<string, (string Text, int[] Ids)[]> Expected { get; } = new Dictionary<string, (string, int[])[]>
    {
        ["WordPiece"] = [("Hello worlds!", [2, 5, 6, 7, 9, 3]), ("Café doggy", [2, 8, 11, 12, 3]), ("xyz", [2, 1, 3]), ("the dog", [2, 10, 11, 3])],
        ["Unigram"] = [("hello world", [0, 4, 5, 2]), ("held", [0, 14, 9, 13, 2]), ("world hello", [0, 5, 4, 2])],
        ["BPE"] = [("Hello world!", [1, 14, 18, 19, 2]), ("held", [1, 11, 6, 10, 2]), ("world", [1, 18, 2])],
    };

    /// <summary>A deterministic token table (no two rows alike).</summary>
    public static float[,] Table(int vocab)
    {
        var table = new float[vocab, Dim];
        for (var i = 0; i < vocab; i++)
        {
            for (var d = 0; d < Dim; d++)
            {
                table[i, d] = MathF.Sin((i + 1) * 1.7f + d * 0.9f) + 0.1f * d;
            }
        }

        return table;
    }

    /// <summary>Writes a model folder of <paramref name="kind"/> under <paramref name="root"/>.</summary>
    public static string Write(string root, string kind, string pooling = "mean", bool normalizeModule = true, JsonObject? prompts = null, int? maxSeqLength = null)
    {
        var folder = Path.Combine(root, kind.ToLowerInvariant());
        Directory.CreateDirectory(Path.Combine(folder, "onnx"));
        Directory.CreateDirectory(Path.Combine(folder, "1_Pooling"));
        var tokenizer = kind switch
        {
            "WordPiece" => WordPiece(),
            "Unigram" => Unigram(),
            "BPE" => Bpe(),
            _ => throw new ArgumentException(kind),
        };
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), tokenizer.ToJsonString());
        File.WriteAllBytes(Path.Combine(folder, "onnx", "model.onnx"), OnnxTokenStates.Model(Table(VocabSize)));
        var modules = new JsonArray(
            new JsonObject { ["idx"] = 0, ["name"] = "0", ["path"] = "", ["type"] = "sentence_transformers.models.Transformer" },
            new JsonObject { ["idx"] = 1, ["name"] = "1", ["path"] = "1_Pooling", ["type"] = "sentence_transformers.models.Pooling" });
        if (normalizeModule)
        {
            modules.Add((JsonNode)new JsonObject { ["idx"] = 2, ["name"] = "2", ["path"] = "2_Normalize", ["type"] = "sentence_transformers.models.Normalize" });
        }

        File.WriteAllText(Path.Combine(folder, "modules.json"), modules.ToJsonString());
        File.WriteAllText(Path.Combine(folder, "1_Pooling", "config.json"), new JsonObject
        {
            ["word_embedding_dimension"] = Dim,
            ["pooling_mode_cls_token"] = pooling == "cls",
            ["pooling_mode_mean_tokens"] = pooling == "mean",
            ["pooling_mode_max_tokens"] = pooling == "max",
            ["pooling_mode_mean_sqrt_len_tokens"] = pooling == "sqrt",
            ["pooling_mode_lasttoken"] = pooling == "last",
        }.ToJsonString());
        if (maxSeqLength is { } max)
        {
            File.WriteAllText(Path.Combine(folder, "sentence_bert_config.json"), new JsonObject { ["max_seq_length"] = max, ["do_lower_case"] = false }.ToJsonString());
        }

        if (prompts is not null)
        {
            File.WriteAllText(Path.Combine(folder, "config_sentence_transformers.json"), new JsonObject { ["prompts"] = prompts, ["default_prompt_name"] = null }.ToJsonString());
        }

        return folder;
    }

    /// <summary>The vocabulary size all three tokenizers stay within.</summary>
    public const int VocabSize = 24;

    /// <summary>The reference embedding of <paramref name="ids"/>: the tokens' table rows, pooled, optionally L2-normalised — computed without the loader.</summary>
    public static float[] Reference(int[] ids, string pooling, bool normalize)
    {
        var table = Table(VocabSize);
        var v = new double[Dim];
        for (var d = 0; d < Dim; d++)
        {
            var column = ids.Select(id => (double)table[id, d]).ToArray();
            v[d] = pooling switch
            {
                "cls" => column[0],
                "last" => column[^1],
                "max" => column.Max(),
                "sqrt" => column.Sum() / Math.Sqrt(column.Length),
                _ => column.Average(),
            };
        }

        var norm = normalize ? Math.Sqrt(v.Sum(x => x * x)) : 1;
        return v.Select(x => (float)(x / norm)).ToArray();
    }

    public static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * (double)b[i];
            na += a[i] * (double)a[i];
            nb += b[i] * (double)b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }

    private static JsonObject Template(string cls, int clsId, string sep, int sepId) => new()
    {
        ["type"] = "TemplateProcessing",
        ["single"] = new JsonArray(
            new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = cls, ["type_id"] = 0 } },
            new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } },
            new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = sep, ["type_id"] = 0 } }),
        ["special_tokens"] = new JsonObject
        {
            [cls] = new JsonObject { ["id"] = cls, ["ids"] = new JsonArray(clsId), ["tokens"] = new JsonArray(cls) },
            [sep] = new JsonObject { ["id"] = sep, ["ids"] = new JsonArray(sepId), ["tokens"] = new JsonArray(sep) },
        },
    };

    private static JsonObject WordPiece()
    {
        string[] tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s", "cafe", "!", "the", "dog", "##gy", "query", ":", "passage"];
        var vocab = new JsonObject();
        for (var i = 0; i < tokens.Length; i++)
        {
            vocab[tokens[i]] = i;
        }

        return new JsonObject
        {
            ["version"] = "1.0",
            ["normalizer"] = new JsonObject { ["type"] = "BertNormalizer", ["clean_text"] = true, ["handle_chinese_chars"] = true, ["strip_accents"] = null, ["lowercase"] = true },
            ["pre_tokenizer"] = new JsonObject { ["type"] = "BertPreTokenizer" },
            ["post_processor"] = Template("[CLS]", 2, "[SEP]", 3),
            ["padding"] = new JsonObject { ["pad_id"] = 0, ["pad_token"] = "[PAD]" },
            ["model"] = new JsonObject { ["type"] = "WordPiece", ["unk_token"] = "[UNK]", ["continuing_subword_prefix"] = "##", ["max_input_chars_per_word"] = 100, ["vocab"] = vocab },
        };
    }

    private static JsonObject Unigram()
    {
        (string, double)[] pieces = [("<s>", 0), ("<pad>", 0), ("</s>", 0), ("<unk>", 0), ("▁hello", -2), ("▁world", -2.5), ("▁", -3), ("h", -5), ("e", -5), ("l", -5), ("o", -5), ("w", -5), ("r", -5), ("d", -5), ("▁he", -4), ("llo", -4.5)];
        var metaspace = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "always", ["split"] = true };
        return new JsonObject
        {
            ["version"] = "1.0",
            ["normalizer"] = null,
            ["pre_tokenizer"] = metaspace,
            ["post_processor"] = Template("<s>", 0, "</s>", 2),
            ["decoder"] = metaspace.DeepClone(),
            ["padding"] = new JsonObject { ["pad_id"] = 1, ["pad_token"] = "<pad>" },
            ["model"] = new JsonObject
            {
                ["type"] = "Unigram",
                ["unk_id"] = 3,
                ["vocab"] = new JsonArray(pieces.Select(p => (JsonNode?)new JsonArray(p.Item1, p.Item2)).ToArray()),
                ["byte_fallback"] = false,
            },
        };
    }

    private static JsonObject Bpe()
    {
        string[] tokens = ["<unk>", "<s>", "</s>", "<pad>", "h", "e", "l", "o", "w", "r", "d", "he", "ll", "hell", "hello", "wo", "wor", "worl", "world", "!"];
        var vocab = new JsonObject();
        for (var i = 0; i < tokens.Length; i++)
        {
            vocab[tokens[i]] = i;
        }

        return new JsonObject
        {
            ["version"] = "1.0",
            ["normalizer"] = new JsonObject { ["type"] = "Lowercase" },
            ["pre_tokenizer"] = new JsonObject { ["type"] = "Whitespace" },
            ["post_processor"] = new JsonObject { ["type"] = "RobertaProcessing", ["sep"] = new JsonArray("</s>", 2), ["cls"] = new JsonArray("<s>", 1), ["trim_offsets"] = true, ["add_prefix_space"] = false },
            ["padding"] = new JsonObject { ["pad_id"] = 3, ["pad_token"] = "<pad>" },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = "<unk>",
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray("h e", "l l", "he ll", "hell o", "w o", "wo r", "wor l", "worl d"),
            },
        };
    }
}
