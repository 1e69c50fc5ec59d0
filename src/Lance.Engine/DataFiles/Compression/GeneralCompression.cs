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

        // An LZ4 block expands at most about 255 times (a match of 255 more bytes for each length
        // byte): a larger claim is a corrupt prefix, refused before it is allocated.
        if (size > (255L * input.Length) + 64)
        {
            throw new LanceFormatException($"{what}: an LZ4 buffer of {input.Length} bytes claims to expand to {size} bytes, more than LZ4 can.");
        }

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
            return ZstdExactly(decompressor, input, (int)declared, what);
        }

        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(input);
        CheckSize(size, what);
        return ZstdExactly(decompressor, input[8..], (int)size, what);
    }

    // Decompresses to exactly `size` bytes. ZSTD can expand tens of thousands of times, so a size
    // far beyond the input is trusted only as far as the data really goes: the output grows as it
    // is produced, and a corrupt size costs no more memory than the frame really holds.
    private static byte[] ZstdExactly(ZstdSharp.Decompressor decompressor, ReadOnlySpan<byte> input, int size, string what)
    {
        long plausible = (1024L * input.Length) + (1 << 20);
        if (size <= plausible)
        {
            var output = new byte[size];
            int written = decompressor.Unwrap(input, output);
            return written == size
                ? output
                : throw new LanceFormatException($"{what}: a ZSTD buffer decompressed to {written} bytes instead of the {size} it declares.");
        }

        using var stream = new ZstdSharp.DecompressionStream(new MemoryStream(input.ToArray(), writable: false));
        var buffer = new byte[plausible];
        int total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (total == size)
                {
                    break;
                }

                System.Array.Resize(ref buffer, (int)Math.Min(size, 2L * buffer.Length));
            }

            int n = stream.Read(buffer, total, buffer.Length - total);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total == size && stream.ReadByte() < 0
            ? buffer
            : throw new LanceFormatException($"{what}: a ZSTD buffer decompressed to {(total == size ? "more" : total.ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes instead of the {size} it declares.");
    }

    private static void CheckSize(ulong size, string what)
    {
        if (size > MaxDecompressedBytes)
        {
            throw new LanceFormatException($"{what}: a compressed buffer claims to expand to {size} bytes, more than the {MaxDecompressedBytes} allowed.");
        }
    }
}
