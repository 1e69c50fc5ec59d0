using System.Buffers.Binary;
using Lance.Engine.Format;

namespace Lance.Engine.Index.Scalar;

/// <summary>
/// Lance's serialised set of row addresses (its <c>RowIdTreeMap</c>), as a BITMAP index stores one per
/// value: <c>u32</c> entry count, then per fragment <c>u32</c> fragment id, <c>u32</c> byte length and a
/// portable Roaring bitmap of row offsets (length 0: every row of the fragment). Little-endian.
/// </summary>
internal static class RowAddressSets
{
    /// <summary>The addresses (fragment id &lt;&lt; 32 | offset) in <paramref name="bytes"/>, ascending.</summary>
    /// <param name="bytes">The serialised set.</param>
    /// <param name="fragmentRows">The physical rows of a fragment (for a whole-fragment entry); null when the fragment is gone.</param>
    /// <param name="name">The file, for messages.</param>
    /// <exception cref="LanceFormatException">The bytes are not such a set.</exception>
    public static ulong[] Read(ReadOnlySpan<byte> bytes, Func<uint, long?> fragmentRows, string name)
    {
        var result = new List<ulong>();
        var position = 0;
        var entries = U32(bytes, ref position, name);
        for (var e = 0u; e < entries; e++)
        {
            var fragment = U32(bytes, ref position, name);
            var size = U32(bytes, ref position, name);
            var high = (ulong)fragment << 32;
            if (size == 0)
            {
                var rows = fragmentRows(fragment) ?? 0;
                for (var row = 0L; row < rows; row++)
                {
                    result.Add(high | (ulong)row);
                }

                continue;
            }

            if (size > bytes.Length - position)
            {
                throw new LanceFormatException($"The row set in {name} says it holds {size} bytes for fragment {fragment}, but only {bytes.Length - position} remain.");
            }

            foreach (var row in RoaringBitmapReader.Read(bytes.Slice(position, (int)size), name))
            {
                result.Add(high | (uint)row);
            }

            position += (int)size;
        }

        return [.. result];
    }

    /// <summary>Serialises ascending <paramref name="addresses"/> in the same layout.</summary>
    public static byte[] Write(ReadOnlySpan<ulong> addresses)
    {
        using var stream = new MemoryStream();
        var scratch = new byte[4];
        void U32Out(uint v)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(scratch, v);
            stream.Write(scratch, 0, 4);
        }

        var groups = new List<(uint Fragment, int Start, int End)>();
        for (var i = 0; i < addresses.Length;)
        {
            var fragment = (uint)(addresses[i] >> 32);
            var start = i;
            while (i < addresses.Length && (uint)(addresses[i] >> 32) == fragment)
            {
                i++;
            }

            groups.Add((fragment, start, i));
        }

        U32Out((uint)groups.Count);
        foreach (var (fragment, start, end) in groups)
        {
            var offsets = new uint[end - start];
            for (var i = start; i < end; i++)
            {
                offsets[i - start] = (uint)addresses[i];
            }

            var bitmap = RoaringBitmap.Serialize(offsets);
            U32Out(fragment);
            U32Out((uint)bitmap.Length);
            stream.Write(bitmap);
        }

        return stream.ToArray();
    }

    private static uint U32(ReadOnlySpan<byte> bytes, ref int position, string name)
    {
        if (bytes.Length - position < 4)
        {
            throw new LanceFormatException($"The row set in {name} ends early (at byte {position} of {bytes.Length}).");
        }

        var value = BinaryPrimitives.ReadUInt32LittleEndian(bytes[position..]);
        position += 4;
        return value;
    }
}
