using System.Runtime.CompilerServices;
namespace Lance.Engine.DataFiles.Encodings;

/// <summary>
/// The distinct values of up to 8 bytes seen in a page (for <see cref="MiniBlockEncoder.EncodeDictionary"/>), by their
/// bytes (as a little-endian word) and length: an open-addressing table (a page's few distinct values stay in cache; no
/// tuple hashing per value).
/// </summary>
internal sealed class ShortValueTable
{
    private ulong[] _bits = new ulong[64];
    private int[] _lengths = new int[64]; // length + 1; 0 marks a free slot
    private uint[] _indices = new uint[64];
    private int _count;

    // The index of the value, or next (then recorded for it) when it is new.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public uint GetOrAdd(ulong bits, int length, uint next)
    {
        int mask = _bits.Length - 1;
        for (int i = Slot(bits, length, mask); ; i = (i + 1) & mask)
        {
            int held = _lengths[i];
            if (held == 0)
            {
                _bits[i] = bits;
                _lengths[i] = length + 1;
                _indices[i] = next;
                if (++_count * 2 > _bits.Length)
                {
                    Grow();
                }

                return next;
            }

            if (held == length + 1 && _bits[i] == bits)
            {
                return _indices[i];
            }
        }
    }

    private static int Slot(ulong bits, int length, int mask)
        => (int)(((bits ^ ((ulong)length << 59)) * 0x9E3779B97F4A7C15UL) >> 32) & mask;

    private void Grow()
    {
        var (bits, lengths, indices) = (_bits, _lengths, _indices);
        _bits = new ulong[bits.Length * 2];
        _lengths = new int[bits.Length * 2];
        _indices = new uint[bits.Length * 2];
        int mask = _bits.Length - 1;
        for (int j = 0; j < bits.Length; j++)
        {
            if (lengths[j] == 0)
            {
                continue;
            }

            int i = Slot(bits[j], lengths[j] - 1, mask);
            while (_lengths[i] != 0)
            {
                i = (i + 1) & mask;
            }

            (_bits[i], _lengths[i], _indices[i]) = (bits[j], lengths[j], indices[j]);
        }
    }
}
