using System.Buffers.Binary;
using Lance.Engine.Format;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.DataFiles.Encodings;

/// <summary>
/// Decodes the repetition or definition levels of one mini-block chunk into u16 levels: the one
/// place that knows how levels may be stored (<c>Flat(16)</c> as written here, <c>Flat(8)</c>), so
/// that other level compressions Lance uses can be added here.
/// </summary>
internal static class LevelDecoder
{
    /// <summary>Checks that levels stored as <paramref name="encoding"/> can be decoded.</summary>
    /// <exception cref="LanceFormatException">They cannot; the message names the encoding.</exception>
    public static void Check(Enc21.CompressiveEncoding? encoding, string columnName, string kind)
    {
        var levels = ValueEncoding.From(encoding, columnName);
        if (levels.IsVariable || levels.Bits is not (8 or 16))
        {
            throw ValueEncoding.Unsupported(columnName, $"{ValueEncoding.Name(encoding)} {kind} levels of {levels.Bits} bits");
        }
    }

    /// <summary>Decodes <paramref name="destination"/>.Length levels from a chunk's level buffer.</summary>
    /// <exception cref="LanceFormatException">The buffer is too short or the encoding unsupported.</exception>
    public static void Decode(Enc21.CompressiveEncoding? encoding, ReadOnlySpan<byte> bytes, Span<ushort> destination, string columnName, string kind)
    {
        if (destination.IsEmpty)
        {
            return; // no levels of this kind in the page
        }

        Check(encoding, columnName, kind);
        int width = (int)encoding!.Flat.BitsPerValue / 8;
        if (bytes.Length < destination.Length * width)
        {
            throw new LanceFormatException($"Column '{columnName}': a mini-block chunk has {bytes.Length} bytes of {kind} levels for {destination.Length} entries.");
        }

        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = width == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 2)..]) : bytes[i];
        }
    }
}
