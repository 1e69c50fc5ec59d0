using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Lance.Engine.Format;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.DataFiles.Compression;

/// <summary>
/// Undoes the compressive encodings LanceDB 0.31 writes (file format 2.1/2.2), for the three ways a
/// page hands data over: a mini-block chunk's value buffers, one opaque block (def/rep levels, a
/// dictionary), and single values of a full-zip page. Every length, count and offset is checked
/// against the bytes before it is used.
/// </summary>
internal static class Decompressors
{
    private const Enc21.CompressiveEncoding.CompressionOneofCase FlatCase = Enc21.CompressiveEncoding.CompressionOneofCase.Flat;

    /// <summary>Decodes <paramref name="count"/> values from a mini-block chunk's value buffers.</summary>
    /// <exception cref="LanceFormatException">The encoding is unknown or the bytes do not fit it.</exception>
    public static DecodedValues MiniBlock(Enc21.CompressiveEncoding? encoding, IReadOnlyList<ReadOnlyMemory<byte>> buffers, int count, string what)
    {
        switch (encoding?.CompressionCase)
        {
            case FlatCase:
                return Flat(encoding.Flat, Buffer(buffers, 0, what).Span, count, what);
            case Enc21.CompressiveEncoding.CompressionOneofCase.FixedSizeList when encoding.FixedSizeList.HasValidity:
                // Vectors with null items: the chunk's item validity bits, then the items.
                return FixedSizeList(encoding.FixedSizeList, Buffer(buffers, 1, what).Span, count, what, Buffer(buffers, 0, what).Span);
            case Enc21.CompressiveEncoding.CompressionOneofCase.FixedSizeList:
                return FixedSizeList(encoding.FixedSizeList, Buffer(buffers, 0, what).Span, count, what);
            case Enc21.CompressiveEncoding.CompressionOneofCase.Variable:
                var variable = encoding.Variable;
                var bytes = Buffer(buffers, 0, what);
                if (variable.Values is { } compressed && compressed.Scheme != Enc21.CompressionScheme.CompressionAlgorithmUnspecified)
                {
                    bytes = GeneralCompression.Decompress(compressed.Scheme, bytes.Span, what);
                }

                return VariableWithLeadingOffsets(OffsetBits(variable, what), bytes.Span, count, what);
            case Enc21.CompressiveEncoding.CompressionOneofCase.InlineBitpacking:
                return InlineBitpacking(encoding.InlineBitpacking, Buffer(buffers, 0, what).Span, count, what);
            case Enc21.CompressiveEncoding.CompressionOneofCase.Rle:
                return Rle(encoding.Rle, Buffer(buffers, 0, what).Span, Buffer(buffers, 1, what).Span, count, what);
            case Enc21.CompressiveEncoding.CompressionOneofCase.Fsst:
                var fsst = encoding.Fsst;
                var inner = MiniBlock(fsst.Values, buffers, count, what);
                return FsstDecode(new Fsst(fsst.SymbolTable.Span, what), inner, what);
            case Enc21.CompressiveEncoding.CompressionOneofCase.General:
                var general = encoding.General;
                var first = GeneralCompression.Decompress(general.Compression?.Scheme ?? default, Buffer(buffers, 0, what).Span, what);
                var rest = new List<ReadOnlyMemory<byte>>(buffers) { [0] = first };
                return MiniBlock(general.Values, rest, count, what);
            case Enc21.CompressiveEncoding.CompressionOneofCase.ByteStreamSplit:
                return ByteStreamSplit(encoding.ByteStreamSplit, Buffer(buffers, 0, what).Span, count, what);
            default:
                throw Unsupported(encoding, "mini-block values", what);
        }
    }

    /// <summary>Decodes <paramref name="count"/> values from one block (levels, a dictionary).</summary>
    /// <exception cref="LanceFormatException">The encoding is unknown or the bytes do not fit it.</exception>
    public static DecodedValues Block(Enc21.CompressiveEncoding? encoding, ReadOnlySpan<byte> data, int count, string what)
    {
        switch (encoding?.CompressionCase)
        {
            case FlatCase:
                return Flat(encoding.Flat, data, count, what);
            case Enc21.CompressiveEncoding.CompressionOneofCase.FixedSizeList:
                return FixedSizeList(encoding.FixedSizeList, data, count, what);
            case Enc21.CompressiveEncoding.CompressionOneofCase.InlineBitpacking:
                return InlineBitpacking(encoding.InlineBitpacking, data, count, what);
            case Enc21.CompressiveEncoding.CompressionOneofCase.OutOfLineBitpacking:
                return OutOfLineBitpacking(encoding.OutOfLineBitpacking, data, count, what);
            case Enc21.CompressiveEncoding.CompressionOneofCase.Rle:
                // One block: [u64 bytes of run values][run values][one u8 length per run].
                if (data.Length < 8)
                {
                    throw Corrupt(what, "an RLE block has no header");
                }

                ulong valueBytes = BinaryPrimitives.ReadUInt64LittleEndian(data);
                if (valueBytes > (ulong)(data.Length - 8))
                {
                    throw Corrupt(what, $"an RLE block claims {valueBytes} bytes of run values but has {data.Length - 8}");
                }

                return Rle(encoding.Rle, data.Slice(8, (int)valueBytes), data[(8 + (int)valueBytes)..], count, what);
            case Enc21.CompressiveEncoding.CompressionOneofCase.Variable:
                return VariableBlock(data, count, what);
            case Enc21.CompressiveEncoding.CompressionOneofCase.Constant:
                return Constant(encoding.Constant, count, what);
            case Enc21.CompressiveEncoding.CompressionOneofCase.General:
                var general = encoding.General;
                var plain = GeneralCompression.Decompress(general.Compression?.Scheme ?? default, data, what);
                return Block(general.Values, plain, count, what);
            case Enc21.CompressiveEncoding.CompressionOneofCase.ByteStreamSplit:
                return ByteStreamSplit(encoding.ByteStreamSplit, data, count, what);
            default:
                throw Unsupported(encoding, "blocks", what);
        }
    }

    /// <summary>A constant value repeated <paramref name="count"/> times (empty value: zeros).</summary>
    public static DecodedValues Constant(Enc21.Constant constant, int count, string what)
    {
        var value = constant.HasValue ? constant.Value.Span : [];
        return Repeat(value, count, what);
    }

    /// <summary><paramref name="value"/> repeated <paramref name="count"/> times as fixed-width values.</summary>
    public static DecodedValues Repeat(ReadOnlySpan<byte> value, int count, string what)
    {
        if (value.Length is not (1 or 2 or 4 or 8 or 16) && !value.IsEmpty)
        {
            throw Corrupt(what, $"a constant of {value.Length} bytes is not a fixed-width value");
        }

        var data = new byte[checked(value.Length * count)];
        for (int i = 0; i < count; i++)
        {
            value.CopyTo(data.AsSpan(i * value.Length));
        }

        return DecodedValues.Fixed(count, value.Length * 8, data);
    }

    /// <summary>Decodes each value of a full-zip page's FSST-compressed strings.</summary>
    public static Fsst FullZipFsst(Enc21.Fsst fsst, string what)
    {
        if (fsst.Values?.CompressionCase is not Enc21.CompressiveEncoding.CompressionOneofCase.Variable)
        {
            throw Unsupported(fsst.Values, "full-zip FSST values", what);
        }

        return new Fsst(fsst.SymbolTable.Span, what);
    }

    /// <summary>
    /// The buffer compression of a full-zip page whose values are each one LZ4 or ZSTD buffer
    /// (Lance's per-value <c>General</c> over plain variable-width values).
    /// </summary>
    public static Enc21.CompressionScheme FullZipGeneral(Enc21.General general, string what)
    {
        if (general.Values?.CompressionCase is not Enc21.CompressiveEncoding.CompressionOneofCase.Variable || general.Compression is null)
        {
            throw Unsupported(general.Values, "full-zip compressed values", what);
        }

        return general.Compression.Scheme;
    }

    /// <summary>The error for an encoding this reader does not decode in this position.</summary>
    public static LanceFormatException Unsupported(Enc21.CompressiveEncoding? encoding, string position, string what) =>
        new($"{what} uses the Lance encoding {Encodings.ValueEncoding.Name(encoding)} for {position}, which Lance.Engine cannot decode there.");

    private static LanceFormatException Corrupt(string what, string detail) => new($"{what} is corrupt: {detail}.");

    private static ReadOnlyMemory<byte> Buffer(IReadOnlyList<ReadOnlyMemory<byte>> buffers, int index, string what) =>
        index < buffers.Count ? buffers[index] : throw Corrupt(what, $"a chunk has {buffers.Count} value buffer(s) but its encoding needs {index + 1}");

    private static DecodedValues Flat(Enc21.Flat flat, ReadOnlySpan<byte> data, int count, string what)
    {
        int bits = checked((int)flat.BitsPerValue);
        if (bits != 1 && (bits == 0 || bits % 8 != 0))
        {
            throw Corrupt(what, $"Flat values of {bits} bits are not byte-aligned");
        }

        byte[] plain = flat.Data is { } compressed && compressed.Scheme != Enc21.CompressionScheme.CompressionAlgorithmUnspecified
            ? GeneralCompression.Decompress(compressed.Scheme, data, what)
            : null!;
        var source = plain is null ? data : plain;
        long needed = bits == 1 ? (count + 7L) / 8 : (long)count * (bits / 8);
        if (source.Length < needed)
        {
            throw Corrupt(what, $"{count} Flat({bits}) values need {needed} bytes but the buffer has {source.Length}");
        }

        return DecodedValues.Fixed(count, bits, source[..(int)needed].ToArray());
    }

    private static DecodedValues FixedSizeList(Enc21.FixedSizeList fsl, ReadOnlySpan<byte> data, int count, string what, ReadOnlySpan<byte> itemValidity = default)
    {
        if (fsl.HasValidity && itemValidity.IsEmpty && count > 0)
        {
            throw Unsupported(new Enc21.CompressiveEncoding { FixedSizeList = fsl }, "vectors with null items outside a mini-block chunk", what);
        }

        if (fsl.Values?.CompressionCase != FlatCase || fsl.ItemsPerValue == 0 || fsl.ItemsPerValue > int.MaxValue)
        {
            throw Unsupported(fsl.Values, "fixed-size list items", what);
        }

        int itemCount = checked(count * (int)fsl.ItemsPerValue);
        var items = Flat(fsl.Values.Flat, data, itemCount, what);
        int bits = checked(items.BitsPerValue * (int)fsl.ItemsPerValue);
        if (!fsl.HasValidity)
        {
            return DecodedValues.Fixed(count, bits, items.Data);
        }

        if (itemValidity.Length < (itemCount + 7) / 8)
        {
            throw Corrupt(what, $"{itemCount} vector items need {(itemCount + 7) / 8} bytes of validity but the chunk has {itemValidity.Length}");
        }

        return DecodedValues.FixedWithItemValidity(count, bits, items.Data, items.DataLength, itemValidity[..((itemCount + 7) / 8)].ToArray());
    }

    private static int OffsetBits(Enc21.Variable variable, string what)
    {
        if (variable.Offsets?.CompressionCase != FlatCase || variable.Offsets.Flat.BitsPerValue is not (32 or 64))
        {
            throw Unsupported(variable.Offsets, "variable-width offsets", what);
        }

        return (int)variable.Offsets.Flat.BitsPerValue;
    }

    // A mini-block chunk's strings: count + 1 offsets counted from the start of the buffer, then the bytes.
    private static DecodedValues VariableWithLeadingOffsets(int offsetBits, ReadOnlySpan<byte> buffer, int count, string what)
    {
        int width = offsetBits / 8;
        if ((long)(count + 1) * width > buffer.Length)
        {
            throw Corrupt(what, $"{count} strings need {(count + 1) * width} bytes of offsets but the buffer has {buffer.Length}");
        }

        var offsets = ReadOffsets(buffer, width, count + 1);
        return CheckedVariable(buffer.ToArray(), offsets, count, what);
    }

    // A block of strings: [u32 bits per offset][u32 or u64 start of bytes][offsets][bytes] (or the older
    // [u8 bits][u32|u64 count][u32|u64 start] scheme).
    private static DecodedValues VariableBlock(ReadOnlySpan<byte> data, int count, string what)
    {
        if (data.Length < 8)
        {
            throw Corrupt(what, "a block of strings has no header");
        }

        bool old = data[1] != 0 || data[2] != 0 || data[3] != 0;
        int bits;
        long bytesStart;
        int offsetsStart;
        if (old)
        {
            bits = data[0];
            (bytesStart, offsetsStart) = bits switch
            {
                32 when data.Length >= 9 => ((long)BinaryPrimitives.ReadUInt32LittleEndian(data[5..]), 9),
                64 when data.Length >= 17 => ((long)BinaryPrimitives.ReadUInt64LittleEndian(data[9..]), 17),
                _ => throw Corrupt(what, $"a block of strings has {bits}-bit offsets"),
            };
        }
        else
        {
            bits = (int)BinaryPrimitives.ReadUInt32LittleEndian(data);
            (bytesStart, offsetsStart) = bits switch
            {
                32 => ((long)BinaryPrimitives.ReadUInt32LittleEndian(data[4..]), 8),
                64 when data.Length >= 16 => ((long)BinaryPrimitives.ReadUInt64LittleEndian(data[8..]), 16),
                _ => throw Corrupt(what, $"a block of strings has {bits}-bit offsets"),
            };
        }

        int width = bits / 8;
        if (bytesStart < offsetsStart || bytesStart > data.Length || (bytesStart - offsetsStart) / width < count + 1)
        {
            throw Corrupt(what, $"a block of {count} strings puts its bytes at {bytesStart} of {data.Length}");
        }

        var offsets = ReadOffsets(data[offsetsStart..], width, count + 1);
        // Offsets count from the start of the bytes section.
        return CheckedVariable(data[(int)bytesStart..].ToArray(), offsets, count, what);
    }

    private static long[] ReadOffsets(ReadOnlySpan<byte> data, int width, int n)
    {
        var offsets = new long[n];
        for (int i = 0; i < n; i++)
        {
            offsets[i] = width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(data[(i * 4)..]) : (long)BinaryPrimitives.ReadUInt64LittleEndian(data[(i * 8)..]);
        }

        return offsets;
    }

    private static DecodedValues CheckedVariable(byte[] data, long[] offsets, int count, string what)
    {
        for (int i = 0; i < count; i++)
        {
            if (offsets[i] < 0 || offsets[i + 1] < offsets[i] || offsets[i + 1] > data.Length)
            {
                throw Corrupt(what, $"string {i} spans [{offsets[i]}, {offsets[i + 1]}) outside its {data.Length}-byte buffer");
            }
        }

        return DecodedValues.Variable(count, data, data.Length, offsets);
    }

    private static DecodedValues InlineBitpacking(Enc21.InlineBitpacking inline, ReadOnlySpan<byte> data, int count, string what)
    {
        if (inline.Values is { } compressed && compressed.Scheme != Enc21.CompressionScheme.CompressionAlgorithmUnspecified)
        {
            data = GeneralCompression.Decompress(compressed.Scheme, data, what);
        }

        return inline.UncompressedBitsPerValue switch
        {
            8 => InlineChunks<byte>(data, count, what),
            16 => InlineChunks<ushort>(data, count, what),
            32 => InlineChunks<uint>(data, count, what),
            64 => InlineChunks<ulong>(data, count, what),
            var bits => throw Corrupt(what, $"InlineBitpacking of {bits}-bit values"),
        };
    }

    // Chunks of [T bit width][packed 1024 values], until count values are out.
    private static DecodedValues InlineChunks<T>(ReadOnlySpan<byte> data, int count, string what)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>, System.Numerics.IUnsignedNumber<T>
    {
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        var output = new T[checked(((count + FastLanes.ChunkValues - 1) / FastLanes.ChunkValues) * FastLanes.ChunkValues)];
        var words = MemoryMarshal.Cast<byte, T>(data[..(data.Length / size * size)]);
        int position = 0;
        for (int done = 0; done < count; done += FastLanes.ChunkValues)
        {
            if (position >= words.Length)
            {
                throw Corrupt(what, $"bit-packed values end after {done} of {count}");
            }

            int width = int.CreateSaturating(words[position]);
            int packed = width > size * 8 ? int.MaxValue : FastLanes.PackedWords<T>(width);
            if (packed > words.Length - position - 1)
            {
                throw Corrupt(what, $"a bit-packed chunk of width {width} runs past its buffer");
            }

            FastLanes.Unpack(width, words.Slice(position + 1, packed), output.AsSpan(done, FastLanes.ChunkValues), what);
            position += 1 + packed;
        }

        return DecodedValues.Fixed(count, size * 8, MemoryMarshal.AsBytes(output.AsSpan(0, count)).ToArray());
    }

    private static DecodedValues OutOfLineBitpacking(Enc21.OutOfLineBitpacking outOfLine, ReadOnlySpan<byte> data, int count, string what)
    {
        if (outOfLine.Values?.CompressionCase != FlatCase)
        {
            throw Unsupported(outOfLine.Values, "out-of-line bit-packed values", what);
        }

        int width = checked((int)outOfLine.Values.Flat.BitsPerValue);
        return outOfLine.UncompressedBitsPerValue switch
        {
            8 => OutOfLine<byte>(data, width, count, what),
            16 => OutOfLine<ushort>(data, width, count, what),
            32 => OutOfLine<uint>(data, width, count, what),
            64 => OutOfLine<ulong>(data, width, count, what),
            var bits => throw Corrupt(what, $"OutOfLineBitpacking of {bits}-bit values"),
        };
    }

    // Whole chunks of packed words; a last partial chunk is either packed (padded) or raw values.
    private static DecodedValues OutOfLine<T>(ReadOnlySpan<byte> data, int width, int count, string what)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>, System.Numerics.IUnsignedNumber<T>
    {
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (width < 0 || width > size * 8)
        {
            throw Corrupt(what, $"{width}-bit packing of {size * 8}-bit values");
        }

        var words = MemoryMarshal.Cast<byte, T>(data[..(data.Length / size * size)]);
        int perChunk = (FastLanes.ChunkValues * width + size * 8 - 1) / (size * 8);
        int whole = count / FastLanes.ChunkValues;
        int tail = count % FastLanes.ChunkValues;
        long fullWords = (long)whole * perChunk;
        var output = new T[(whole + (tail > 0 ? 1 : 0)) * FastLanes.ChunkValues];
        if (words.Length < fullWords + (tail > 0 ? Math.Min(tail, perChunk) : 0))
        {
            throw Corrupt(what, $"{count} values packed in {width} bits need more than the {words.Length} words present");
        }

        for (int c = 0; c < whole; c++)
        {
            FastLanes.Unpack(width, words.Slice(c * perChunk, perChunk), output.AsSpan(c * FastLanes.ChunkValues), what);
        }

        if (tail > 0)
        {
            var rest = words[(int)fullWords..];
            if (rest.Length == tail)
            {
                rest.CopyTo(output.AsSpan(whole * FastLanes.ChunkValues));
            }
            else if (rest.Length >= perChunk)
            {
                FastLanes.Unpack(width, rest[..perChunk], output.AsSpan(whole * FastLanes.ChunkValues), what);
            }
            else
            {
                throw Corrupt(what, $"the last {tail} bit-packed values have {rest.Length} words");
            }
        }

        return DecodedValues.Fixed(count, size * 8, MemoryMarshal.AsBytes(output.AsSpan(0, count)).ToArray());
    }

    private static DecodedValues Rle(Enc21.Rle rle, ReadOnlySpan<byte> values, ReadOnlySpan<byte> lengths, int count, string what)
    {
        if (rle.Values?.CompressionCase != FlatCase || rle.RunLengths?.CompressionCase != FlatCase || rle.RunLengths.Flat.BitsPerValue != 8)
        {
            throw Unsupported(rle.Values, "RLE runs", what);
        }

        int width = checked((int)rle.Values.Flat.BitsPerValue) / 8;
        if (width is not (1 or 2 or 4 or 8 or 16) || values.Length % width != 0 || values.Length / width != lengths.Length)
        {
            throw Corrupt(what, $"RLE runs of {values.Length} bytes do not match {lengths.Length} run lengths of {width}-byte values");
        }

        var output = new byte[checked(count * width)];
        int written = 0;
        for (int run = 0; run < lengths.Length && written < count; run++)
        {
            int n = Math.Min(lengths[run], count - written);
            var value = values.Slice(run * width, width);
            for (int k = 0; k < n; k++)
            {
                value.CopyTo(output.AsSpan((written + k) * width));
            }

            written += n;
        }

        return written == count
            ? DecodedValues.Fixed(count, width * 8, output)
            : throw Corrupt(what, $"RLE runs hold {written} values, not {count}");
    }

    private static DecodedValues ByteStreamSplit(Enc21.ByteStreamSplit split, ReadOnlySpan<byte> data, int count, string what)
    {
        if (split.Values?.CompressionCase != FlatCase)
        {
            throw Unsupported(split.Values, "byte-stream-split values", what);
        }

        int width = checked((int)split.Values.Flat.BitsPerValue) / 8;
        if (width <= 0 || data.Length < (long)width * count)
        {
            throw Corrupt(what, $"{count} byte-stream-split values of {width} bytes need more than {data.Length} bytes");
        }

        var output = new byte[width * count];
        for (int b = 0; b < width; b++)
        {
            var stream = data.Slice(b * count, count);
            for (int i = 0; i < count; i++)
            {
                output[i * width + b] = stream[i];
            }
        }

        return DecodedValues.Fixed(count, width * 8, output);
    }

    private static DecodedValues FsstDecode(Fsst fsst, DecodedValues compressed, string what)
    {
        if (!compressed.IsVariable)
        {
            throw Corrupt(what, "FSST over fixed-width values");
        }

        var output = new byte[Math.Max(16, compressed.DataLength * 3)];
        var offsets = new long[compressed.Count + 1];
        int position = 0;
        for (int i = 0; i < compressed.Count; i++)
        {
            fsst.Decode(compressed.Value(i), ref output, ref position, what);
            offsets[i + 1] = position;
        }

        return DecodedValues.Variable(compressed.Count, output, position, offsets);
    }
}
