using System.Buffers.Binary;
using Lance.Engine.Format;

namespace Lance.Engine.DataFiles.Compression;

/// <summary>
/// Decodes FSST-compressed strings: each code byte stands for a symbol of up to 8 bytes from the
/// page's symbol table, and code 255 escapes the next byte as a literal. The table is an 8-byte
/// header (magic "FSST" in the high 32 bits, the decoder switch in bit 24, the symbol count in the
/// low byte), the symbols as 8-byte words, then one length byte per symbol.
/// </summary>
internal sealed class Fsst
{
    private const ulong Magic = 0x46535354UL << 32;
    private const byte Escape = 255;

    private readonly ulong[] _symbols = new ulong[256];
    private readonly byte[] _lengths = new byte[256];
    private readonly bool _enabled;

    /// <summary>Reads a symbol table.</summary>
    /// <exception cref="LanceFormatException">The table is malformed.</exception>
    public Fsst(ReadOnlySpan<byte> table, string what)
    {
        if (table.Length < 8)
        {
            throw new LanceFormatException($"{what}: the FSST symbol table has only {table.Length} bytes.");
        }

        ulong info = BinaryPrimitives.ReadUInt64LittleEndian(table);
        if ((info & Magic) != Magic)
        {
            throw new LanceFormatException($"{what}: the FSST symbol table does not start with its magic number.");
        }

        _enabled = (info & (1UL << 24)) != 0;
        int count = (int)(info & 255);
        if (table.Length < 8 + count * 9)
        {
            throw new LanceFormatException($"{what}: the FSST symbol table declares {count} symbols but has only {table.Length} bytes.");
        }

        for (int i = 0; i < count; i++)
        {
            _symbols[i] = BinaryPrimitives.ReadUInt64LittleEndian(table[(8 + i * 8)..]);
            byte length = table[8 + count * 8 + i];
            _lengths[i] = length <= 8 ? length : throw new LanceFormatException($"{what}: FSST symbol {i} claims {length} bytes (at most 8).");
        }

        // Codes past the symbol count are invalid: they decode to nothing rather than to garbage.
        Count = count;
    }

    /// <summary>The number of symbols.</summary>
    public int Count { get; }

    /// <summary>Decodes <paramref name="compressed"/> into <paramref name="output"/> (grown as needed) at <paramref name="position"/>.</summary>
    /// <exception cref="LanceFormatException">A code names no symbol or an escape has no byte after it.</exception>
    public void Decode(ReadOnlySpan<byte> compressed, ref byte[] output, ref int position, string what)
    {
        if (!_enabled)
        {
            Ensure(ref output, position + compressed.Length);
            compressed.CopyTo(output.AsSpan(position));
            position += compressed.Length;
            return;
        }

        Ensure(ref output, position + compressed.Length * 8);
        Span<byte> symbol = stackalloc byte[8];
        for (int i = 0; i < compressed.Length; i++)
        {
            byte code = compressed[i];
            if (code == Escape)
            {
                if (++i >= compressed.Length)
                {
                    throw new LanceFormatException($"{what}: an FSST string ends with an escape code.");
                }

                output[position++] = compressed[i];
                continue;
            }

            if (code >= Count)
            {
                throw new LanceFormatException($"{what}: FSST code {code} is not in the {Count}-symbol table.");
            }

            BinaryPrimitives.WriteUInt64LittleEndian(symbol, _symbols[code]);
            int length = _lengths[code];
            symbol[..length].CopyTo(output.AsSpan(position));
            position += length;
        }
    }

    private static void Ensure(ref byte[] buffer, long needed)
    {
        if (needed > System.Array.MaxLength)
        {
            throw new LanceFormatException("FSST strings expand to more bytes than one buffer can hold.");
        }

        if (buffer.Length < needed)
        {
            System.Array.Resize(ref buffer, (int)Math.Min(System.Array.MaxLength, Math.Max(needed, buffer.Length * 2L)));
        }
    }
}
