using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// A map from words (UTF-8 bytes) to ints, for an index build's hot loop: an open-addressing table whose slots hold words
/// of up to 16 bytes inline (most words), so a lookup touches one slot and no key array; longer words go to a dictionary.
/// Not for use by several threads at once.
/// </summary>
internal sealed class WordTable
{
    private const int InlineBytes = 16;

    private readonly Dictionary<string, int> _long = new(StringComparer.Ordinal);
    private Slot[] _slots;
    private int _mask;

    /// <summary>A table sized for about <paramref name="expectedWords"/> words (it grows past them).</summary>
    public WordTable(int expectedWords = 0)
    {
        var slots = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(2L * expectedWords, 1 << 14, 1 << 21));
        _slots = new Slot[slots];
        _mask = slots - 1;
    }

    /// <summary>The words held.</summary>
    public int Count { get; private set; }

    /// <summary>The value of <paramref name="word"/>, when the table holds it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetValue(ReadOnlySpan<byte> word, out int value)
    {
        if (word.Length > InlineBytes)
        {
            return _long.TryGetValue(System.Text.Encoding.Latin1.GetString(word), out value);
        }

        var (a, b) = Key(word);
        for (var i = Hash(a, b, word.Length) & _mask; ; i = (i + 1) & _mask)
        {
            ref var slot = ref _slots[i];
            if (slot.Length == word.Length && slot.A == a && slot.B == b)
            {
                value = slot.Value;
                return true;
            }

            if (slot.Length == 0)
            {
                value = 0;
                return false;
            }
        }
    }

    /// <summary>Adds <paramref name="word"/> (not held yet) with <paramref name="value"/>.</summary>
    public void Add(ReadOnlySpan<byte> word, int value)
    {
        Count++;
        if (word.Length > InlineBytes)
        {
            _long.Add(System.Text.Encoding.Latin1.GetString(word), value);
            return;
        }

        if (2 * (Count - _long.Count) > _slots.Length)
        {
            Grow();
        }

        var (a, b) = Key(word);
        Insert(new Slot { A = a, B = b, Length = word.Length, Value = value });
    }

    private void Insert(Slot entry)
    {
        var i = Hash(entry.A, entry.B, entry.Length) & _mask;
        while (_slots[i].Length != 0)
        {
            i = (i + 1) & _mask;
        }

        _slots[i] = entry;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Grow()
    {
        var old = _slots;
        _slots = new Slot[old.Length * 2];
        _mask = _slots.Length - 1;
        foreach (var slot in old)
        {
            if (slot.Length != 0)
            {
                Insert(slot);
            }
        }
    }

    // The word's bytes as two little-endian words, zero-padded (an empty word cannot occur: length 0 marks a free slot).
    private static (ulong A, ulong B) Key(ReadOnlySpan<byte> word)
    {
        if (word.Length >= 8)
        {
            var a = BinaryPrimitives.ReadUInt64LittleEndian(word);
            if (word.Length == 8)
            {
                return (a, 0);
            }

            // The last eight bytes, shifted so that only those past the first eight remain.
            var tail = BinaryPrimitives.ReadUInt64LittleEndian(word[^8..]);
            return (a, tail >> (8 * (16 - word.Length)));
        }

        // Under eight bytes: two overlapping reads (the bytes they share are the same), no copy.
        var length = word.Length;
        if (length >= 4)
        {
            return (BinaryPrimitives.ReadUInt32LittleEndian(word) | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(word[(length - 4)..]) << (8 * (length - 4))), 0);
        }

        if (length >= 2)
        {
            return (BinaryPrimitives.ReadUInt16LittleEndian(word) | ((ulong)BinaryPrimitives.ReadUInt16LittleEndian(word[(length - 2)..]) << (8 * (length - 2))), 0);
        }

        return (length == 1 ? word[0] : 0UL, 0);
    }

    private static int Hash(ulong a, ulong b, int length)
    {
        var h = (a ^ ((ulong)length << 59)) * 0x9E3779B97F4A7C15UL;
        h ^= BitOperations.RotateLeft(b * 0xBF58476D1CE4E5B9UL, 31);
        h *= 0x94D049BB133111EBUL;
        return (int)(h >> 32);
    }

    private struct Slot
    {
        public ulong A;
        public ulong B;
        public int Length;
        public int Value;
    }
}
