using Lance.Engine.Format;

namespace Lance.Engine.DataFiles.Compression;

/// <summary>
/// The result of undoing a page's compressive encodings for one chunk or block: fixed-width values
/// (<see cref="BitsPerValue"/> bits each, bool bit-packed) or variable-width values delimited by
/// <see cref="Offsets"/>.
/// </summary>
internal sealed class DecodedValues
{
    private DecodedValues(int count, int bitsPerValue, byte[] data, int dataLength, long[]? offsets)
    {
        Count = count;
        BitsPerValue = bitsPerValue;
        Data = data;
        DataLength = dataLength;
        Offsets = offsets;
    }

    /// <summary>The number of values.</summary>
    public int Count { get; }

    /// <summary>Bits per fixed-width value; 0 for variable-width values.</summary>
    public int BitsPerValue { get; }

    /// <summary>The value bytes.</summary>
    public byte[] Data { get; }

    /// <summary>How many bytes of <see cref="Data"/> are used.</summary>
    public int DataLength { get; }

    /// <summary>For variable-width values, <see cref="Count"/> + 1 offsets into <see cref="Data"/>.</summary>
    public long[]? Offsets { get; }

    /// <summary>Whether the values are variable-width.</summary>
    public bool IsVariable => Offsets is not null;

    /// <summary>The value bytes in use.</summary>
    public ReadOnlySpan<byte> Span => Data.AsSpan(0, DataLength);

    /// <summary>
    /// For fixed-size lists with null items: one bit per item (set = valid), the values' items in
    /// order from bit 0; null when every item is valid.
    /// </summary>
    public byte[]? ItemValidity { get; private init; }

    /// <summary>Fixed-width values.</summary>
    public static DecodedValues Fixed(int count, int bitsPerValue, byte[] data, int? dataLength = null) =>
        new(count, bitsPerValue, data, dataLength ?? data.Length, null);

    /// <summary>Fixed-size lists whose items may be null (<paramref name="itemValidity"/>: see <see cref="ItemValidity"/>).</summary>
    public static DecodedValues FixedWithItemValidity(int count, int bitsPerValue, byte[] data, int dataLength, byte[]? itemValidity) =>
        new(count, bitsPerValue, data, dataLength, null) { ItemValidity = itemValidity };

    /// <summary>Variable-width values.</summary>
    public static DecodedValues Variable(int count, byte[] data, int dataLength, long[] offsets) =>
        new(count, 0, data, dataLength, offsets);

    /// <summary>Value <paramref name="index"/> of variable-width values.</summary>
    public ReadOnlySpan<byte> Value(int index) =>
        Data.AsSpan((int)Offsets![index], (int)(Offsets[index + 1] - Offsets[index]));

    /// <summary>Fixed-width values read as 16-bit levels (def or rep levels).</summary>
    public ushort[] AsLevels(string what)
    {
        if (IsVariable || BitsPerValue is not (8 or 16))
        {
            throw new LanceFormatException($"{what}: levels must be 8 or 16 bits wide, not {(IsVariable ? "variable-width" : BitsPerValue + " bits")}.");
        }

        var levels = new ushort[Count];
        var span = Span;
        for (int i = 0; i < Count; i++)
        {
            levels[i] = BitsPerValue == 16 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(span[(i * 2)..]) : span[i];
        }

        return levels;
    }

    /// <summary>Fixed-width values read as unsigned indices (dictionary indices).</summary>
    public long IndexAt(int i) => BitsPerValue switch
    {
        8 => Data[i],
        16 => System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(Data.AsSpan(i * 2)),
        32 => System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(Data.AsSpan(i * 4)),
        64 => (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(Data.AsSpan(i * 8)),
        _ => throw new LanceFormatException($"Dictionary indices of {BitsPerValue} bits are not valid."),
    };
}
