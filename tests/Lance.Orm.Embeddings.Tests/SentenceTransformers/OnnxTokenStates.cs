using Google.Protobuf;

namespace Lance.Orm.Embeddings.Tests;

/// <summary>
/// A tiny ONNX "transformer" shaped like a Hugging Face export: input_ids and attention_mask int64
/// [batch, seq] → last_hidden_state float [batch, seq, D] = token_table[input_ids] × mask. Written as
/// protobuf by hand (ONNX's field numbers), so the loader's tests run the real ONNX Runtime.
/// </summary>
public static class OnnxTokenStates
{
    public static byte[] Model(float[,] table)
    {
        var (vocab, dim) = (table.GetLength(0), table.GetLength(1));
        var flat = new float[table.Length];
        Buffer.BlockCopy(table, 0, flat, 0, flat.Length * 4);
        var graph = Message(g =>
        {
            Field(g, 1, Node("Gather", ["token_table", "input_ids"], ["token_states"], Message(a => { Text(a, 1, "axis"); Varint(a, 3, 0); Varint(a, 20, 2); })));
            Field(g, 1, Node("Cast", ["attention_mask"], ["mask_float"], Message(a => { Text(a, 1, "to"); Varint(a, 3, 1); Varint(a, 20, 2); })));
            Field(g, 1, Node("Unsqueeze", ["mask_float", "unsqueeze_axes"], ["mask_3d"]));
            Field(g, 1, Node("Mul", ["token_states", "mask_3d"], ["last_hidden_state"]));
            Text(g, 2, "tiny_transformer");
            Field(g, 5, Message(t =>
            {
                Varint(t, 1, vocab);
                Varint(t, 1, dim);
                Varint(t, 2, 1); // FLOAT
                Text(t, 8, "token_table");
                var raw = new byte[flat.Length * 4];
                Buffer.BlockCopy(flat, 0, raw, 0, raw.Length);
                Field(t, 9, raw);
            }));
            Field(g, 5, Message(t =>
            {
                Varint(t, 1, 1);
                Varint(t, 2, 7); // INT64
                Text(t, 8, "unsqueeze_axes");
                Field(t, 9, BitConverter.GetBytes(2L));
            }));
            Field(g, 11, ValueInfo("input_ids", 7, "batch", "seq"));
            Field(g, 11, ValueInfo("attention_mask", 7, "batch", "seq"));
            Field(g, 12, ValueInfo("last_hidden_state", 1, "batch", "seq", dim));
        });
        return Message(m =>
        {
            Varint(m, 1, 8);
            Text(m, 2, "lance-orm-tests");
            Field(m, 7, graph);
            Field(m, 8, Message(o => { Text(o, 1, ""); Varint(o, 2, 13); }));
        });
    }

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
