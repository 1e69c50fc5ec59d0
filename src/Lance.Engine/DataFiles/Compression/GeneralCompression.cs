using System.Buffers.Binary;
using Lance.Engine.Format;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.DataFiles.Compression;

/// <summary>
/// Undoes Lance's general-purpose buffer compression: LZ4 blocks with a 4-byte little-endian
/// uncompressed-size prefix, and ZSTD either as a raw frame or with an 8-byte size prefix.
/// </summary>
internal static class GeneralCompression
{
    /// <summary>The most bytes one compressed buffer may claim to expand to.</summary>
    public const int MaxDecompressedBytes = 1 << 30;

    private const uint ZstdMagic = 0xFD2FB528;

    /// <summary>Decompresses one buffer.</summary>
    /// <exception cref="LanceFormatException">The bytes are not valid for the scheme.</exception>
    public static byte[] Decompress(Enc21.CompressionScheme scheme, ReadOnlySpan<byte> input, string what)
    {
        try
        {
            return scheme switch
            {
                Enc21.CompressionScheme.CompressionAlgorithmUnspecified => input.ToArray(),
                Enc21.CompressionScheme.CompressionAlgorithmLz4 => Lz4(input, what),
                Enc21.CompressionScheme.CompressionAlgorithmZstd => Zstd(input, what),
                _ => throw new LanceFormatException($"{what}: unknown buffer compression scheme {(int)scheme}."),
            };
        }
        catch (Exception e) when (e is not LanceFormatException and not OutOfMemoryException)
        {
            throw new LanceFormatException($"{what}: a {scheme} buffer cannot be decompressed: {e.Message}", e);
        }
    }

    private static byte[] Lz4(ReadOnlySpan<byte> input, string what)
    {
        if (input.Length < 4)
        {
            throw new LanceFormatException($"{what}: an LZ4 buffer of {input.Length} bytes has no size prefix.");
        }

        uint size = BinaryPrimitives.ReadUInt32LittleEndian(input);
        CheckSize(size, what);
        var output = new byte[size];
        int written = K4os.Compression.LZ4.LZ4Codec.Decode(input[4..], output);
        if (written != size)
        {
            throw new LanceFormatException($"{what}: an LZ4 buffer decompressed to {written} bytes instead of the {size} it declares.");
        }

        return output;
    }

    private static byte[] Zstd(ReadOnlySpan<byte> input, string what)
    {
        if (input.IsEmpty)
        {
            return [];
        }

        using var decompressor = new ZstdSharp.Decompressor();
        bool raw = input.Length < 8 || (BinaryPrimitives.ReadUInt32LittleEndian(input) == ZstdMagic && (input[4] & 0x10) == 0);
        if (raw)
        {
            ulong declared = ZstdSharp.Decompressor.GetDecompressedSize(input);
            CheckSize(declared, what);
            return decompressor.Unwrap(input, (int)declared).ToArray();
        }

        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(input);
        CheckSize(size, what);
        var output = new byte[size];
        int written = decompressor.Unwrap(input[8..], output);
        return written == (int)size
            ? output
            : throw new LanceFormatException($"{what}: a ZSTD buffer decompressed to {written} bytes instead of the {size} it declares.");
    }

    private static void CheckSize(ulong size, string what)
    {
        if (size > MaxDecompressedBytes)
        {
            throw new LanceFormatException($"{what}: a compressed buffer claims to expand to {size} bytes, more than the {MaxDecompressedBytes} allowed.");
        }
    }
}
