using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using Lance.Engine.DataFiles;
using Lance.Engine.Format;
using Lance.Engine.Format.Protos.VectorIndex;

namespace Lance.Engine.Index.Vector;

/// <summary>
/// The parts of a Lance index file (a Lance v2 file held in memory) that sit beside its columns:
/// the global buffers the footer lists (Lance keeps the IVF and the codebook there) and the
/// schema metadata that points at them.
/// </summary>
internal static class IndexFileBuffers
{
    private const int FooterLength = 40;

    /// <summary>Global buffer <paramref name="index"/> of the file (buffer 0 is the file's schema).</summary>
    /// <exception cref="LanceIndexException">The file has no such buffer, or it lies outside the file.</exception>
    public static ReadOnlyMemory<byte> GlobalBuffer(ReadOnlyMemory<byte> file, int index, string name)
    {
        var span = file.Span;
        if (span.Length < FooterLength)
        {
            throw new LanceIndexException($"The index file '{name}' is too short ({span.Length} bytes) to be a Lance file.");
        }

        var footer = span[^FooterLength..];
        var table = BinaryPrimitives.ReadUInt64LittleEndian(footer[16..]);
        var count = BinaryPrimitives.ReadUInt32LittleEndian(footer[24..]);
        if (index < 0 || (uint)index >= count || table + ((ulong)(index + 1) * 16) > (ulong)span.Length)
        {
            throw new LanceIndexException($"The index file '{name}' has no global buffer {index} (it has {count}).");
        }

        var entry = span[(int)(table + ((ulong)index * 16))..];
        var position = BinaryPrimitives.ReadUInt64LittleEndian(entry);
        var length = BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]);
        if (position + length > (ulong)span.Length)
        {
            throw new LanceIndexException($"The index file '{name}' is corrupt: global buffer {index} ({length} bytes at {position}) lies past its end.");
        }

        return file.Slice((int)position, (int)length);
    }

    /// <summary>Global buffer <paramref name="index"/> of an open file, read from it (buffer 0 is the file's schema).</summary>
    /// <exception cref="LanceIndexException">The file has no such buffer, or it lies outside the file.</exception>
    public static byte[] GlobalBuffer(DataFileReader file, int index, string name)
    {
        var length = file.FileLength;
        if (length < FooterLength)
        {
            throw new LanceIndexException($"The index file '{name}' is too short ({length} bytes) to be a Lance file.");
        }

        Span<byte> footer = stackalloc byte[FooterLength];
        file.ReadInto(length - FooterLength, footer);
        var table = BinaryPrimitives.ReadUInt64LittleEndian(footer[16..]);
        var count = BinaryPrimitives.ReadUInt32LittleEndian(footer[24..]);
        if (index < 0 || (uint)index >= count || table + ((ulong)(index + 1) * 16) > (ulong)length)
        {
            throw new LanceIndexException($"The index file '{name}' has no global buffer {index} (it has {count}).");
        }

        Span<byte> entry = stackalloc byte[16];
        file.ReadInto((long)(table + ((ulong)index * 16)), entry);
        var position = BinaryPrimitives.ReadUInt64LittleEndian(entry);
        var size = BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]);
        if (position + size > (ulong)length)
        {
            throw new LanceIndexException($"The index file '{name}' is corrupt: global buffer {index} ({size} bytes at {position}) lies past its end.");
        }

        var bytes = new byte[checked((int)size)];
        file.ReadInto((long)position, bytes);
        return bytes;
    }

    /// <summary>Parses the protobuf message in the global buffer a metadata value of an open file names (e.g. <c>lance:ivf</c> → "1").</summary>
    public static T Message<T>(DataFileReader file, string key, MessageParser<T> parser, string name)
        where T : IMessage<T>
        => Parse(NamedBuffer(file, key, name), parser, name);

    /// <summary>The bytes of the global buffer a schema metadata value of an open file names (e.g. <c>lance:label_list_nulls</c> → "1").</summary>
    /// <exception cref="LanceIndexException">The key is missing, is not a buffer number, or the buffer is not in the file.</exception>
    public static byte[] NamedBuffer(DataFileReader file, string key, string name) => GlobalBuffer(file, BufferNumber(file.Schema, key, name), name);

    private static int BufferNumber(LanceSchema schema, string key, string name)
    {
        var text = Metadata(schema, key, name);
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var buffer)
            ? buffer
            : throw new LanceIndexException($"The index file '{name}': metadata '{key}' is '{text}', not a global buffer number.");
    }

    /// <summary>A schema metadata value of the file as text.</summary>
    /// <exception cref="LanceIndexException">The key is missing.</exception>
    public static string Metadata(LanceSchema schema, string key, string name)
        => schema.Metadata.TryGetValue(key, out var value)
            ? Encoding.UTF8.GetString(value)
            : throw new LanceIndexException($"The index file '{name}' lacks the schema metadata '{key}' Lance writes there.");

    /// <summary>Parses the protobuf message in the global buffer a metadata value names (e.g. <c>lance:ivf</c> → "1").</summary>
    public static T Message<T>(ReadOnlyMemory<byte> file, LanceSchema schema, string key, MessageParser<T> parser, string name)
        where T : IMessage<T>
        => Parse(GlobalBuffer(file, BufferNumber(schema, key, name), name), parser, name);

    /// <summary>Parses a protobuf message, wording a failure as a corrupt index file.</summary>
    public static T Parse<T>(ReadOnlyMemory<byte> bytes, MessageParser<T> parser, string name)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(bytes.Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LanceIndexException($"The index file '{name}' is corrupt: a {typeof(T).Name} message cannot be parsed ({e.Message}).", e);
        }
    }

    /// <summary>The values of a tensor as float32, with its shape.</summary>
    /// <exception cref="LanceIndexException">The tensor's type is not a float type, or its bytes do not fill its shape.</exception>
    public static float[] Floats(Tensor tensor, string what, string name)
    {
        var count = tensor.Shape.Aggregate(1L, (a, b) => a * b);
        var bytes = tensor.Data.Span;
        var width = tensor.DataType switch
        {
            Tensor.Types.DataType.Float32 => 4,
            Tensor.Types.DataType.Float16 => 2,
            Tensor.Types.DataType.Float64 => 8,
            Tensor.Types.DataType.Uint8 => 1,
            _ => throw new LanceIndexException($"The index file '{name}': the {what} are {tensor.DataType}; Lance.Engine reads float16, float32, float64 and uint8 ones."),
        };
        if (count * width != bytes.Length)
        {
            throw new LanceIndexException($"The index file '{name}' is corrupt: the {what} tensor of shape [{string.Join(", ", tensor.Shape)}] holds {bytes.Length} bytes.");
        }

        var result = new float[count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = width switch
            {
                4 => BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]),
                2 => (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(i * 2)..]),
                1 => bytes[i],
                _ => (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(i * 8)..]),
            };
        }

        return result;
    }

    /// <summary>A uint8 tensor of the given shape from values that are whole numbers from 0 to 255.</summary>
    public static Tensor ByteTensor(ReadOnlySpan<float> values, params uint[] shape)
    {
        var bytes = new byte[values.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = checked((byte)values[i]);
        }

        var tensor = new Tensor { DataType = Tensor.Types.DataType.Uint8, Data = ByteString.CopyFrom(bytes) };
        tensor.Shape.AddRange(shape);
        return tensor;
    }

    /// <summary>A float32 tensor of the given shape.</summary>
    public static Tensor FloatTensor(ReadOnlySpan<float> values, params uint[] shape)
    {
        var tensor = new Tensor { DataType = Tensor.Types.DataType.Float32, Data = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values)) };
        tensor.Shape.AddRange(shape);
        return tensor;
    }
}
