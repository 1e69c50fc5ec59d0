using System.Text.Json.Nodes;
using Google.Protobuf;

namespace Lance.Orm.Embeddings.Tests;

/// <summary>
/// A tiny cross-encoder folder the tests generate: an ONNX sequence classifier whose logit is
/// <c>Σ_t mask_t · (passageWeight[id_t] · type_t + anyWeight[id_t])</c> (so it reads the ids, the mask
/// and the token types of the pair), with a BERT WordPiece tokenizer.json whose pair template is
/// <c>[CLS] A [SEP] B [SEP]</c>, or the same vocabulary as a plain vocab.txt.
/// </summary>
public sealed class TinyCrossEncoder : IDisposable
{
    public static readonly string[] Vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "dog", "cat", "runs", "a", "fast", "car", "##s", "what", "[MASK]"];

    public TinyCrossEncoder(bool vocabTxt = false, JsonObject? config = null)
    {
        Folder = Path.Combine(Path.GetTempPath(), "lance-cross-encoder-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        File.WriteAllBytes(Path.Combine(Folder, "model.onnx"), Model(PassageWeights, AnyWeights));
        if (vocabTxt)
        {
            File.WriteAllLines(Path.Combine(Folder, "vocab.txt"), Vocab);
            File.WriteAllText(Path.Combine(Folder, "tokenizer_config.json"), new JsonObject { ["do_lower_case"] = true }.ToJsonString());
        }
        else
        {
            File.WriteAllText(Path.Combine(Folder, "tokenizer.json"), Tokenizer().ToJsonString());
        }

        if (config is not null)
        {
            File.WriteAllText(Path.Combine(Folder, "config.json"), config.ToJsonString());
        }
    }

    public string Folder { get; }

    /// <summary>What a token adds when it is in the passage (type 1): "dog" matters most.</summary>
    public static float[] PassageWeights { get; } = [0, -0.5f, 0, 0, 0.1f, 2f, 0.75f, 0.25f, 0.05f, 0.3f, -0.4f, 0.2f, 0, 0];

    /// <summary>What a token adds wherever it is (query, passage or special), so scores depend on the query too.</summary>
    public static float[] AnyWeights { get; } = Enumerable.Range(0, Vocab.Length).Select(i => 0.01f * i).ToArray();

    /// <summary>The logit of a pair laid out by hand: ids and their token types.</summary>
    public static float Logit(int[] ids, int[] types)
    {
        var sum = 0f;
        for (var t = 0; t < ids.Length; t++)
        {
            sum += (PassageWeights[ids[t]] * types[t]) + AnyWeights[ids[t]];
        }

        return sum;
    }

    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }

    private static JsonObject Tokenizer()
    {
        var vocab = new JsonObject();
        for (var i = 0; i < Vocab.Length; i++)
        {
            vocab[Vocab[i]] = i;
        }

        JsonObject Special(string id, int typeId) => new() { ["SpecialToken"] = new JsonObject { ["id"] = id, ["type_id"] = typeId } };
        JsonObject Sequence(string id, int typeId) => new() { ["Sequence"] = new JsonObject { ["id"] = id, ["type_id"] = typeId } };
        return new JsonObject
        {
            ["version"] = "1.0",
            ["normalizer"] = new JsonObject { ["type"] = "BertNormalizer", ["clean_text"] = true, ["handle_chinese_chars"] = true, ["strip_accents"] = null, ["lowercase"] = true },
            ["pre_tokenizer"] = new JsonObject { ["type"] = "BertPreTokenizer" },
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(Special("[CLS]", 0), Sequence("A", 0), Special("[SEP]", 0)),
                ["pair"] = new JsonArray(Special("[CLS]", 0), Sequence("A", 0), Special("[SEP]", 0), Sequence("B", 1), Special("[SEP]", 1)),
                ["special_tokens"] = new JsonObject
                {
                    ["[CLS]"] = new JsonObject { ["id"] = "[CLS]", ["ids"] = new JsonArray(2), ["tokens"] = new JsonArray("[CLS]") },
                    ["[SEP]"] = new JsonObject { ["id"] = "[SEP]", ["ids"] = new JsonArray(3), ["tokens"] = new JsonArray("[SEP]") },
                },
            },
            ["padding"] = new JsonObject { ["pad_id"] = 0, ["pad_token"] = "[PAD]" },
            ["model"] = new JsonObject { ["type"] = "WordPiece", ["unk_token"] = "[UNK]", ["continuing_subword_prefix"] = "##", ["max_input_chars_per_word"] = 100, ["vocab"] = vocab },
        };
    }

    private static byte[] Model(float[] passage, float[] any)
    {
        var graph = Message(g =>
        {
            Field(g, 1, Node("Gather", ["passage_weights", "input_ids"], ["passage_terms"], IntAttribute("axis", 0)));
            Field(g, 1, Node("Gather", ["any_weights", "input_ids"], ["any_terms"], IntAttribute("axis", 0)));
            Field(g, 1, Node("Cast", ["attention_mask"], ["mask_float"], IntAttribute("to", 1)));
            Field(g, 1, Node("Cast", ["token_type_ids"], ["types_float"], IntAttribute("to", 1)));
            Field(g, 1, Node("Mul", ["mask_float", "types_float"], ["passage_mask"]));
            Field(g, 1, Node("Unsqueeze", ["passage_mask", "last_axis"], ["passage_mask_3d"]));
            Field(g, 1, Node("Unsqueeze", ["mask_float", "last_axis"], ["mask_3d"]));
            Field(g, 1, Node("Mul", ["passage_terms", "passage_mask_3d"], ["masked_passage"]));
            Field(g, 1, Node("Mul", ["any_terms", "mask_3d"], ["masked_any"]));
            Field(g, 1, Node("Add", ["masked_passage", "masked_any"], ["terms"]));
            Field(g, 1, Node("ReduceSum", ["terms", "token_axis"], ["logits"], IntAttribute("keepdims", 0)));
            Text(g, 2, "tiny_cross_encoder");
            Field(g, 5, FloatTensor("passage_weights", passage));
            Field(g, 5, FloatTensor("any_weights", any));
            Field(g, 5, Int64Tensor("last_axis", 2));
            Field(g, 5, Int64Tensor("token_axis", 1));
            Field(g, 11, ValueInfo("input_ids", 7, "batch", "seq"));
            Field(g, 11, ValueInfo("attention_mask", 7, "batch", "seq"));
            Field(g, 11, ValueInfo("token_type_ids", 7, "batch", "seq"));
            Field(g, 12, ValueInfo("logits", 1, "batch", 1));
        });
        return Message(m =>
        {
            Varint(m, 1, 8);
            Text(m, 2, "lance-orm-tests");
            Field(m, 7, graph);
            Field(m, 8, Message(o => { Text(o, 1, ""); Varint(o, 2, 13); }));
        });
    }

    // A [vocab, 1] table, so that Gather gives [batch, seq, 1].
    private static byte[] FloatTensor(string name, float[] values) => Message(t =>
    {
        Varint(t, 1, values.Length);
        Varint(t, 1, 1);
        Varint(t, 2, 1); // FLOAT
        Text(t, 8, name);
        var raw = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        Field(t, 9, raw);
    });

    private static byte[] Int64Tensor(string name, long value) => Message(t =>
    {
        Varint(t, 1, 1);
        Varint(t, 2, 7); // INT64
        Text(t, 8, name);
        Field(t, 9, BitConverter.GetBytes(value));
    });

    private static byte[] IntAttribute(string name, long value) => Message(a => { Text(a, 1, name); Varint(a, 3, value); Varint(a, 20, 2); });

    private static byte[] Node(string op, string[] inputs, string[] outputs, params byte[][] attributes) => Message(n =>
    {
        foreach (var input in inputs) Text(n, 1, input);
        foreach (var output in outputs) Text(n, 2, output);
        Text(n, 3, op + "_" + outputs[0]);
        Text(n, 4, op);
        foreach (var attribute in attributes) Field(n, 5, attribute);
    });

    private static byte[] ValueInfo(string name, int elementType, params object[] dims) => Message(v =>
    {
        Text(v, 1, name);
        Field(v, 2, Message(type => Field(type, 1, Message(tensor =>
        {
            Varint(tensor, 1, elementType);
            Field(tensor, 2, Message(shape =>
            {
                foreach (var dim in dims)
                {
                    Field(shape, 1, Message(d =>
                    {
                        if (dim is string param) Text(d, 2, param);
                        else Varint(d, 1, Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture));
                    }));
                }
            }));
        }))));
    });

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        write(output);
        output.Flush();
        return stream.ToArray();
    }

    private static void Field(CodedOutputStream output, int number, byte[] message)
    {
        output.WriteTag(number, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(message));
    }

    private static void Text(CodedOutputStream output, int number, string text)
    {
        output.WriteTag(number, WireFormat.WireType.LengthDelimited);
        output.WriteString(text);
    }

    private static void Varint(CodedOutputStream output, int number, long value)
    {
        output.WriteTag(number, WireFormat.WireType.Varint);
        output.WriteInt64(value);
    }
}
