using Google.Protobuf;

namespace Lance.Orm.Embeddings.Tests;

/// <summary>
/// Writes small ONNX models by hand (protobuf encoded with ONNX's field numbers), so tests can run
/// the real ONNX Runtime on towers shaped like an OpenCLIP export without any CLIP weights.
/// </summary>
public static class OnnxModelWriter
{
    private const int FloatType = 1;
    private const int Int64Type = 7;

    /// <summary>input_ids int64 [batch, 77] → Gather(table) → ReduceMean over tokens → text_embeds [batch, D].</summary>
    public static byte[] TextTower(float[,] table, int context = 77)
    {
        var (vocab, dim) = (table.GetLength(0), table.GetLength(1));
        var graph = Message(g =>
        {
            Field(g, 1, Node("Gather", ["token_table", "input_ids"], ["token_states"], Attribute.Int("axis", 0)));
            Field(g, 1, Node("ReduceMean", ["token_states"], ["text_embeds"], Attribute.Ints("axes", 1), Attribute.Int("keepdims", 0)));
            Text(g, 2, "text_tower");
            Field(g, 5, Tensor("token_table", [vocab, dim], Flatten(table)));
            Field(g, 11, ValueInfo("input_ids", Int64Type, "batch", context));
            Field(g, 12, ValueInfo("text_embeds", FloatType, "batch", dim));
        });
        return Model(graph);
    }

    /// <summary>pixel_values float [batch, 3, size, size] → channel means → MatMul(weights [3, D]) → image_embeds [batch, D].</summary>
    public static byte[] VisionTower(float[,] weights, int size = 224)
    {
        var dim = weights.GetLength(1);
        var graph = Message(g =>
        {
            Field(g, 1, Node("ReduceMean", ["pixel_values"], ["channel_means"], Attribute.Ints("axes", 2, 3), Attribute.Int("keepdims", 0)));
            Field(g, 1, Node("MatMul", ["channel_means", "projection"], ["image_embeds"]));
            Text(g, 2, "vision_tower");
            Field(g, 5, Tensor("projection", [3, dim], Flatten(weights)));
            Field(g, 11, ValueInfo("pixel_values", FloatType, "batch", 3, size, size));
            Field(g, 12, ValueInfo("image_embeds", FloatType, "batch", dim));
        });
        return Model(graph);
    }

    private static byte[] Model(byte[] graph) => Message(m =>
    {
        Varint(m, 1, 8); // ir_version
        Text(m, 2, "lance-orm-tests");
        Field(m, 7, graph);
        Field(m, 8, Message(o => { Text(o, 1, ""); Varint(o, 2, 13); })); // opset_import: default domain, opset 13
    });

    private static byte[] Node(string op, string[] inputs, string[] outputs, params byte[][] attributes) => Message(n =>
    {
        foreach (var input in inputs) Text(n, 1, input);
        foreach (var output in outputs) Text(n, 2, output);
        Text(n, 3, op + "_" + outputs[0]);
        Text(n, 4, op);
        foreach (var attribute in attributes) Field(n, 5, attribute);
    });

    private static byte[] Tensor(string name, long[] dims, float[] values) => Message(t =>
    {
        foreach (var d in dims) Varint(t, 1, d);
        Varint(t, 2, FloatType);
        Text(t, 8, name);
        var raw = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        Field(t, 9, raw);
    });

    // ValueInfoProto { name = 1; type = 2 { tensor_type = 1 { elem_type = 1; shape = 2 { dim = 1 { dim_value = 1 | dim_param = 2 } } } } }
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

    private static class Attribute
    {
        // AttributeProto { name = 1; i = 3; ints = 8; type = 20 (INT = 2, INTS = 7) }
        public static byte[] Int(string name, long value) => Message(a => { Text(a, 1, name); Varint(a, 3, value); Varint(a, 20, 2); });

        public static byte[] Ints(string name, params long[] values) => Message(a =>
        {
            Text(a, 1, name);
            foreach (var v in values) Varint(a, 8, v);
            Varint(a, 20, 7);
        });
    }

    private static float[] Flatten(float[,] values)
    {
        var flat = new float[values.Length];
        Buffer.BlockCopy(values, 0, flat, 0, flat.Length * 4);
        return flat;
    }

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

/// <summary>Writes 24-bit BMP files (a format every image decoder reads) for image tests.</summary>
public static class BmpWriter
{
    public static byte[] Encode(int width, int height, Func<int, int, (byte R, byte G, byte B)> pixel)
    {
        var rowSize = ((width * 3) + 3) & ~3;
        var data = new byte[54 + (rowSize * height)];
        data[0] = (byte)'B';
        data[1] = (byte)'M';
        BitConverter.TryWriteBytes(data.AsSpan(2), data.Length);
        BitConverter.TryWriteBytes(data.AsSpan(10), 54);
        BitConverter.TryWriteBytes(data.AsSpan(14), 40);
        BitConverter.TryWriteBytes(data.AsSpan(18), width);
        BitConverter.TryWriteBytes(data.AsSpan(22), height);
        BitConverter.TryWriteBytes(data.AsSpan(26), (short)1);
        BitConverter.TryWriteBytes(data.AsSpan(28), (short)24);
        BitConverter.TryWriteBytes(data.AsSpan(34), rowSize * height);
        for (var y = 0; y < height; y++)
        {
            var row = 54 + ((height - 1 - y) * rowSize); // bottom-up
            for (var x = 0; x < width; x++)
            {
                var (r, g, b) = pixel(x, y);
                data[row + (x * 3)] = b;
                data[row + (x * 3) + 1] = g;
                data[row + (x * 3) + 2] = r;
            }
        }

        return data;
    }

    public static byte[] Solid(int width, int height, byte r, byte g, byte b) => Encode(width, height, (_, _) => (r, g, b));
}

/// <summary>A tiny OpenCLIP-shaped export in a temp folder: towers generated with known weights and a small BPE.</summary>
public sealed class TinyClipExport : IDisposable
{
    public const int Dim = 8;

    // Four merges; without vocab.json the ids follow CLIP's layout: 512 byte tokens, then merges
    // from 512 ("he" 512, "ll" 513, "hell" 514, "hello</w>" 515), then <|startoftext|> 516, <|endoftext|> 517.
    public static readonly string Merges = "#version: 0.2\nh e\nl l\nhe ll\nhell o</w>\n";

    public TinyClipExport(bool withVocabJson = false)
    {
        Folder = Path.Combine(Path.GetTempPath(), "lance-clip-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        var random = new Random(42);
        TokenTable = new float[518, Dim];
        for (var i = 0; i < 518; i++)
        {
            for (var d = 0; d < Dim; d++)
            {
                TokenTable[i, d] = (float)(random.NextDouble() - 0.5);
            }
        }

        Projection = new float[3, Dim];
        for (var c = 0; c < 3; c++)
        {
            for (var d = 0; d < Dim; d++)
            {
                Projection[c, d] = (float)(random.NextDouble() - 0.5);
            }
        }

        File.WriteAllBytes(Path.Combine(Folder, OpenClip.TextModelFile), OnnxModelWriter.TextTower(TokenTable));
        File.WriteAllBytes(Path.Combine(Folder, OpenClip.VisionModelFile), OnnxModelWriter.VisionTower(Projection));
        File.WriteAllText(Path.Combine(Folder, OpenClip.MergesFile), Merges);
        if (withVocabJson)
        {
            File.WriteAllText(Path.Combine(Folder, OpenClip.VocabFile), VocabJson());
        }
    }

    public string Folder { get; }

    public float[,] TokenTable { get; }

    public float[,] Projection { get; }

    public OpenClipOptions Options => new() { ModelPath = Folder, IntraOpThreads = 1 };

    /// <summary>The text embedding the tiny tower must produce: mean of the table rows of the 77 ids, normalised.</summary>
    public float[] ExpectedText(IReadOnlyList<long> ids)
    {
        var v = new float[Dim];
        foreach (var id in ids)
        {
            for (var d = 0; d < Dim; d++) v[d] += TokenTable[id, d] / ids.Count;
        }

        return Normalize(v);
    }

    /// <summary>The image embedding for per-channel means (already normalised by CLIP's mean/std), normalised.</summary>
    public float[] ExpectedImage(float r, float g, float b)
    {
        var v = new float[Dim];
        for (var d = 0; d < Dim; d++) v[d] = (r * Projection[0, d]) + (g * Projection[1, d]) + (b * Projection[2, d]);
        return Normalize(v);
    }

    public static float[] Normalize(float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    // A vocab.json with its own numbering ("hello</w>" is 15 here, 515 in the layout) shows that vocab.json wins.
    private static string VocabJson() => """{"hello</w>": 15, "<|startoftext|>": 516, "<|endoftext|>": 517}""";

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
