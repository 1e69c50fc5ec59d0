using System.Buffers.Binary;

namespace Lance.Engine.Format;

/// <summary>
/// Reads a 32-bit Roaring bitmap in the portable serialization that LanceDB writes for deletion
/// files of more than 5,000 rows (<c>.bin</c>): a cookie, one (key, cardinality − 1) pair per
/// container, optional container offsets, then each container as a sorted <c>u16</c> array, an
/// 8 KiB bitmap, or runs. Every count and offset is checked against the bytes before use.
/// </summary>
internal static class RoaringBitmapReader
{
    private const int CookieNoRuns = 12346;
    private const int CookieWithRuns = 12347;
    private const int MaxArrayCardinality = 4096;
    private const int BitmapBytes = 8192;

    /// <summary>The values in the bitmap, ascending.</summary>
    /// <exception cref="LanceFormatException">The bytes are not a portable Roaring bitmap; the message names <paramref name="name"/>.</exception>
    public static int[] Read(ReadOnlySpan<byte> bytes, string name)
    {
        int position = 0;
        uint cookie = ReadU32(bytes, ref position, name);
        int containers;
        ReadOnlySpan<byte> runFlags = default;
        bool hasOffsets;
        if ((cookie & 0xFFFF) == CookieWithRuns)
        {
            containers = (int)(cookie >> 16) + 1;
            int flagBytes = (containers + 7) / 8;
            runFlags = Slice(bytes, ref position, flagBytes, name);
            hasOffsets = containers >= 4;
        }
        else if (cookie == CookieNoRuns)
        {
            uint count = ReadU32(bytes, ref position, name);
            if (count > 65536)
            {
                throw Corrupt(name, $"it claims {count} containers; a 32-bit bitmap has at most 65,536");
            }

            containers = (int)count;
            hasOffsets = true;
        }
        else
        {
            throw Corrupt(name, $"it starts with cookie {cookie}, not a portable Roaring bitmap's");
        }

        var keys = new ushort[containers];
        var cardinalities = new int[containers];
        long total = 0;
        for (int i = 0; i < containers; i++)
        {
            keys[i] = ReadU16(bytes, ref position, name);
            cardinalities[i] = ReadU16(bytes, ref position, name) + 1;
            if (i > 0 && keys[i] <= keys[i - 1])
            {
                throw Corrupt(name, "its container keys are not ascending");
            }

            total += cardinalities[i];
        }

        if (hasOffsets)
        {
            Slice(bytes, ref position, checked(containers * 4), name); // offsets: containers follow in order anyway
        }

        if (total > bytes.Length * 8L + containers * 65536L)
        {
            throw Corrupt(name, $"it claims {total} values, more than its {bytes.Length} bytes can hold");
        }

        var values = new List<int>((int)Math.Min(total, 1 << 20));
        for (int i = 0; i < containers; i++)
        {
            int high = keys[i] << 16;
            bool isRun = !runFlags.IsEmpty && (runFlags[i >> 3] & (1 << (i & 7))) != 0;
            if (isRun)
            {
                int runs = ReadU16(bytes, ref position, name);
                int previousEnd = -1;
                for (int r = 0; r < runs; r++)
                {
                    int start = ReadU16(bytes, ref position, name);
                    int length = ReadU16(bytes, ref position, name);
                    if (start <= previousEnd || start + length > 0xFFFF)
                    {
                        throw Corrupt(name, $"container {i} has an overlapping or overflowing run");
                    }

                    for (int v = start; v <= start + length; v++)
                    {
                        values.Add(high | v);
                    }

                    previousEnd = start + length;
                }
            }
            else if (cardinalities[i] > MaxArrayCardinality)
            {
                var bitmap = Slice(bytes, ref position, BitmapBytes, name);
                int found = 0;
                for (int word = 0; word < BitmapBytes / 8; word++)
                {
                    ulong bits = BinaryPrimitives.ReadUInt64LittleEndian(bitmap[(word * 8)..]);
                    while (bits != 0)
                    {
                        int bit = System.Numerics.BitOperations.TrailingZeroCount(bits);
                        values.Add(high | (word * 64 + bit));
                        bits &= bits - 1;
                        found++;
                    }
                }

                if (found != cardinalities[i])
                {
                    throw Corrupt(name, $"bitmap container {i} holds {found} values but its header says {cardinalities[i]}");
                }
            }
            else
            {
                var array = Slice(bytes, ref position, cardinalities[i] * 2, name);
                int previous = -1;
                for (int v = 0; v < cardinalities[i]; v++)
                {
                    int low = BinaryPrimitives.ReadUInt16LittleEndian(array[(v * 2)..]);
                    if (low <= previous)
                    {
                        throw Corrupt(name, $"array container {i} is not sorted");
                    }

                    values.Add(high | low);
                    previous = low;
                }
            }
        }

        var result = values.ToArray();
        if (result.Length > 0 && result[^1] < 0)
        {
            throw Corrupt(name, "it holds row offsets of 2^31 or more");
        }

        return result;
    }

    private static uint ReadU32(ReadOnlySpan<byte> bytes, scoped ref int position, string name) =>
        BinaryPrimitives.ReadUInt32LittleEndian(Slice(bytes, ref position, 4, name));

    private static ushort ReadU16(ReadOnlySpan<byte> bytes, scoped ref int position, string name) =>
        BinaryPrimitives.ReadUInt16LittleEndian(Slice(bytes, ref position, 2, name));

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> bytes, scoped ref int position, int length, string name)
    {
        if (length < 0 || position > bytes.Length - length)
        {
            throw Corrupt(name, $"it ends at byte {bytes.Length} while {length} more bytes were expected at {position}");
        }

        var slice = bytes.Slice(position, length);
        position += length;
        return slice;
    }

    private static LanceFormatException Corrupt(string name, string what) =>
        new($"'{name}' is not a valid Roaring bitmap deletion file: {what}.");
}
