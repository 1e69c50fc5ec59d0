using System.Buffers.Binary;

namespace Lance.Engine.Index;

/// <summary>
/// The portable Roaring bitmap serialisation (no run containers) that Lance uses for an index's
/// fragment set: a cookie, the container count, per container its key and cardinality − 1, the
/// container offsets, then array containers (sorted u16 values) or 8 KiB bitmap containers.
/// </summary>
internal static class RoaringBitmap
{
    private const uint CookieNoRuns = 12346;
    private const uint CookieWithRuns = 12347;
    private const int ArrayLimit = 4096;

    /// <summary>Serialises a set of 32-bit values.</summary>
    public static byte[] Serialize(IEnumerable<uint> values)
    {
        var groups = values.Distinct().Order().GroupBy(v => (ushort)(v >> 16)).ToList();
        using var stream = new MemoryStream();
        var scratch = new byte[8];
        void U32(uint v) { BinaryPrimitives.WriteUInt32LittleEndian(scratch, v); stream.Write(scratch, 0, 4); }
        void U16(ushort v) { BinaryPrimitives.WriteUInt16LittleEndian(scratch, v); stream.Write(scratch, 0, 2); }

        U32(CookieNoRuns);
        U32((uint)groups.Count);
        foreach (var group in groups)
        {
            U16(group.Key);
            U16((ushort)(group.Count() - 1));
        }

        var offset = 8 + (groups.Count * 8);
        foreach (var group in groups)
        {
            U32((uint)offset);
            offset += group.Count() > ArrayLimit ? 8192 : group.Count() * 2;
        }

        foreach (var group in groups)
        {
            if (group.Count() > ArrayLimit)
            {
                var words = new ulong[1024];
                foreach (var v in group)
                {
                    var low = v & 0xFFFF;
                    words[low >> 6] |= 1UL << (int)(low & 63);
                }

                foreach (var word in words)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(scratch, word);
                    stream.Write(scratch, 0, 8);
                }
            }
            else
            {
                foreach (var v in group)
                {
                    U16((ushort)(v & 0xFFFF));
                }
            }
        }

        return stream.ToArray();
    }

    /// <summary>Reads a serialised bitmap (with or without run containers).</summary>
    /// <exception cref="LanceFormatException">The bytes are not a Roaring bitmap.</exception>
    public static List<uint> Deserialize(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var result = new List<uint>();
            if (bytes.Length == 0)
            {
                return result;
            }

            var cookie = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
            int containers;
            var position = 4;
            byte[]? runFlags = null;
            if (cookie == CookieNoRuns)
            {
                containers = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
                position = 8;
            }
            else if ((cookie & 0xFFFF) == CookieWithRuns)
            {
                containers = (int)(cookie >> 16) + 1;
                var flagBytes = (containers + 7) / 8;
                runFlags = bytes.Slice(4, flagBytes).ToArray();
                position = 4 + flagBytes;
            }
            else
            {
                throw new LanceFormatException($"Not a Roaring bitmap: cookie {cookie}.");
            }

            var keys = new ushort[containers];
            var cardinalities = new int[containers];
            for (var i = 0; i < containers; i++)
            {
                keys[i] = BinaryPrimitives.ReadUInt16LittleEndian(bytes[position..]);
                cardinalities[i] = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(position + 2)..]) + 1;
                position += 4;
            }

            if (runFlags is null || containers >= 4)
            {
                position += 4 * containers; // offsets
            }

            for (var i = 0; i < containers; i++)
            {
                var high = (uint)keys[i] << 16;
                if (runFlags is not null && (runFlags[i / 8] & (1 << (i % 8))) != 0)
                {
                    var runs = BinaryPrimitives.ReadUInt16LittleEndian(bytes[position..]);
                    position += 2;
                    for (var r = 0; r < runs; r++)
                    {
                        var start = BinaryPrimitives.ReadUInt16LittleEndian(bytes[position..]);
                        var length = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(position + 2)..]);
                        position += 4;
                        for (var v = 0; v <= length; v++)
                        {
                            result.Add(high | (uint)(start + v));
                        }
                    }
                }
                else if (cardinalities[i] > ArrayLimit)
                {
                    for (var w = 0; w < 1024; w++)
                    {
                        var word = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(position + (w * 8))..]);
                        while (word != 0)
                        {
                            var bit = System.Numerics.BitOperations.TrailingZeroCount(word);
                            word &= word - 1;
                            result.Add(high | (uint)((w * 64) + bit));
                        }
                    }

                    position += 8192;
                }
                else
                {
                    for (var v = 0; v < cardinalities[i]; v++)
                    {
                        result.Add(high | BinaryPrimitives.ReadUInt16LittleEndian(bytes[(position + (v * 2))..]));
                    }

                    position += cardinalities[i] * 2;
                }
            }

            return result;
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new LanceFormatException("Corrupt Roaring bitmap: it ends early.", ex);
        }
    }
}
