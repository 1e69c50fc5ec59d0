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
        => [.. Format.RoaringBitmapReader.Read(bytes, "an index's fragment bitmap").Select(v => (uint)v)];
}
