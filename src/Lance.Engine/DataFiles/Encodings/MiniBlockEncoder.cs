using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Lance.Engine.DataFiles.Nested;
using Lance.Engine.Format;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.DataFiles.Encodings;

/// <summary>
/// Writes pages in Lance 2.1's mini-block layout, used for narrow values (numbers, bools, short
/// strings, small vectors). A page is cut into chunks of a power-of-two number of values (the last
/// chunk may be shorter) so a reader can find any row from the chunk sizes alone. Page buffer 0
/// holds one u16 per chunk, <c>((chunk bytes / 8 - 1) &lt;&lt; 4) | log2(values)</c> (0 for the
/// last chunk); buffer 1 holds the chunks. A chunk is: u16 level count (0 without nulls), u16 size
/// of the definition levels when present, u16 size of the value buffer, padding to 8, then the
/// levels and the values, each padded to 8. File format 2.2 writes the same chunks in Lance's
/// "large chunk" form (<c>has_large_chunk</c>): u32 chunk words and u32 value buffer sizes. Vectors
/// with null items (<c>FixedSizeList</c> with validity) have two value buffers per chunk: the chunk's
/// item validity bits, then its items.
/// </summary>
internal static partial class MiniBlockEncoder
{
    /// <summary>Lance's cap on values per chunk (4 bits of log2 in the chunk word, limited to 12).</summary>
    public const int MaxChunkValues = 4096;

    /// <summary>Lance's cap on one chunk's value bytes (8 KiB less the chunk header).</summary>
    public const int MaxChunkValueBytes = (8 * 1024) - 6;

    /// <summary>The size Lance aims for when it cuts variable-width values into chunks.</summary>
    public const int VariableChunkTargetBytes = 4 * 1024;

    private const int Alignment = 8;
    private const byte FillByte = 0xFE; // what Lance pads with; readers never look at it

    /// <summary>
    /// Values per full chunk for fixed-width values of <paramref name="bitsPerValue"/> bits: the
    /// largest power of two that keeps the chunk's values under <see cref="MaxChunkValueBytes"/>,
    /// the same choice Lance makes. Bools take 4096, so chunks start on byte boundaries.
    /// </summary>
    public static int ValuesPerChunk(int bitsPerValue)
    {
        if (bitsPerValue % 8 != 0)
        {
            return MaxChunkValues;
        }

        int bytes = bitsPerValue / 8;
        int values = 1;
        while (2 * bytes * values < MaxChunkValueBytes && 2 * values <= MaxChunkValues)
        {
            values *= 2;
        }

        return values;
    }

    /// <summary>Encodes a page of fixed-width values (<c>Flat</c> or <c>FixedSizeList</c>).</summary>
    /// <param name="page">The values (for a nested column, only the visible ones).</param>
    /// <param name="bitsPerValue">The width of one value.</param>
    /// <param name="valueEncoding">How the values are described.</param>
    /// <param name="levels">The levels of a nested column's page; null for a flat column (nulls come from <paramref name="page"/>).</param>
    /// <param name="largeChunks">Write format 2.2's large-chunk form (32-bit chunk words and value sizes).</param>
    public static EncodedPage EncodeFixed(
        GatheredPage page, int bitsPerValue, Enc21.CompressiveEncoding valueEncoding, PageLevels? levels = null, bool largeChunks = false)
    {
        int perChunk = ValuesPerChunk(bitsPerValue);
        int count = page.Count;
        var chunks = new List<(int Start, int Count, int ValueBytes)>((count + perChunk - 1) / perChunk);
        for (int start = 0; start < count; start += perChunk)
        {
            int n = Math.Min(perChunk, count - start);
            chunks.Add((start, n, (int)(((long)n * bitsPerValue + 7) / 8)));
        }

        int itemsPerValue = page.HasNullItems && valueEncoding.FixedSizeList is { HasValidity: true } fsl ? (int)fsl.ItemsPerValue : 0;
        return Serialize(page, chunks, valueEncoding, levels, largeChunks, (chunk, destination) =>
        {
            int firstByte = (int)((long)chunk.Start * bitsPerValue / 8); // chunks of bools start on a byte
            page.Values.Slice(firstByte, chunk.ValueBytes).CopyTo(destination);
        }, itemsPerValue);
    }

    /// <summary>
    /// Encodes a page of variable-width values as <c>Variable{offsets: Flat(32 or 64)}</c>: each
    /// chunk's value buffer is <c>n + 1</c> offsets counted from the start of that buffer, then the
    /// bytes. Large (64-bit offset) Arrow types must be written with 64-bit offsets: LanceDB hands
    /// the decoded offsets to Arrow unchanged. <paramref name="largeChunks"/> writes format 2.2's
    /// large-chunk form.
    /// </summary>
    public static EncodedPage EncodeVariable(GatheredPage page, int offsetBits, PageLevels? levels = null, bool largeChunks = false)
    {
        int offsetBytes = offsetBits / 8;
        var offsets = page.Offsets;
        var chunks = new List<(int Start, int Count, int ValueBytes)>();
        int start = 0;
        int count = page.Count;
        while (start < count)
        {
            int remaining = count - start;
            int n;
            if (remaining <= MaxChunkValues && ChunkBufferSize(offsets, start, remaining, offsetBytes) <= VariableChunkTargetBytes)
            {
                n = remaining; // the last chunk may hold any number of values
            }
            else
            {
                n = 1;
                while (2 * n <= Math.Min(remaining, MaxChunkValues) && ChunkBufferSize(offsets, start, 2 * n, offsetBytes) <= VariableChunkTargetBytes)
                {
                    n *= 2;
                }

                // A chunk other than the last must say log2(n) > 0, so it holds at least two values.
                if (n == 1 && remaining > 1)
                {
                    n = 2;
                }
            }

            int size = ChunkBufferSize(offsets, start, n, offsetBytes);
            if (size > ushort.MaxValue)
            {
                throw new LanceFormatException($"Values too large for a mini-block chunk ({size} bytes); they belong in a full-zip page.");
            }

            chunks.Add((start, n, size));
            start += n;
        }

        return Serialize(page, chunks, EncodingProtos.Variable(offsetBits), levels, largeChunks, (chunk, destination) =>
        {
            var pageOffsets = page.Offsets;
            long first = pageOffsets[chunk.Start];
            int header = (chunk.Count + 1) * offsetBytes;
            for (int i = 0; i <= chunk.Count; i++)
            {
                long offset = header + (pageOffsets[chunk.Start + i] - first);
                if (offsetBytes == 4)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(destination[(i * 4)..], (uint)offset);
                }
                else
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(destination[(i * 8)..], (ulong)offset);
                }
            }

            int bytes = (int)(pageOffsets[chunk.Start + chunk.Count] - first);
            page.Values.Slice((int)first, bytes).CopyTo(destination[header..]);
            destination[(header + bytes)..].Clear(); // padding to the offset width inside the buffer
        });
    }

    /// <summary>
    /// Encodes a page of integers of <paramref name="bits"/> bits (8, 16, 32 or 64) as Lance's <c>InlineBitpacking</c>:
    /// chunks of 1,024 values, each its bit width as one word then the values packed in that width (FastLanes layout; a
    /// last, shorter chunk is padded with zeros). Repetition levels, when the page has them, are bit-packed too.
    /// </summary>
    /// <param name="page">The page (its count, nulls and levels' shape).</param>
    /// <param name="values">The page's values, <paramref name="bits"/> bits each, little-endian.</param>
    /// <param name="bits">The width of one value.</param>
    /// <param name="levels">The levels of a nested column's page; null for a flat column.</param>
    /// <param name="largeChunks">Write format 2.2's large-chunk form.</param>
    public static EncodedPage EncodeBitpacked(GatheredPage page, ReadOnlyMemory<byte> values, int bits, PageLevels? levels = null, bool largeChunks = false)
    {
        int count = page.Count;
        int size = bits / 8;
        var widths = new int[(count + Compression.FastLanes.ChunkValues - 1) / Compression.FastLanes.ChunkValues];
        var chunks = new List<(int Start, int Count, int ValueBytes)>(widths.Length);
        for (int c = 0; c < widths.Length; c++)
        {
            int start = c * Compression.FastLanes.ChunkValues;
            int n = Math.Min(Compression.FastLanes.ChunkValues, count - start);
            var slice = values.Span.Slice(start * size, n * size);

            // A width of at least 1: Lance's own writer never packs a chunk into 0 bits.
            int width = Math.Max(1, bits switch
            {
                8 => Compression.FastLanes.Width(slice),
                16 => Compression.FastLanes.Width(MemoryMarshal.Cast<byte, ushort>(slice)),
                32 => Compression.FastLanes.Width(MemoryMarshal.Cast<byte, uint>(slice)),
                _ => Compression.FastLanes.Width(MemoryMarshal.Cast<byte, ulong>(slice)),
            });
            widths[c] = width;
            chunks.Add((start, n, size * (1 + (Compression.FastLanes.ChunkValues * width / bits))));
        }

        var encoding = new Enc21.CompressiveEncoding { InlineBitpacking = new Enc21.InlineBitpacking { UncompressedBitsPerValue = (ulong)bits } };
        return Serialize(page, chunks, encoding, levels, largeChunks, (chunk, destination) =>
        {
            int width = widths[chunk.Start / Compression.FastLanes.ChunkValues];
            var source = values.Span.Slice(chunk.Start * size, chunk.Count * size);
            switch (bits)
            {
                case 8: PackChunk<byte>(source, width, destination); break;
                case 16: PackChunk<ushort>(source, width, destination); break;
                case 32: PackChunk<uint>(source, width, destination); break;
                default: PackChunk<ulong>(source, width, destination); break;
            }
        }, packLevels: true);
    }

    private static void PackChunk<T>(ReadOnlySpan<byte> source, int width, Span<byte> destination)
        where T : unmanaged, IBinaryInteger<T>, IUnsignedNumber<T>
    {
        var input = MemoryMarshal.Cast<byte, T>(source);
        Span<T> chunk = stackalloc T[Compression.FastLanes.ChunkValues];
        chunk.Clear();
        input.CopyTo(chunk);
        var words = MemoryMarshal.Cast<byte, T>(destination);
        words[0] = T.CreateTruncating(width);
        Compression.FastLanes.Pack(width, chunk, words[1..]);
    }

    // The bytes of `count` levels bit-packed out of line in `width` bits (Lance's OutOfLineBitpacking of u16 levels): whole
    // chunks of 1,024 packed, a last partial chunk packed (padded) when that saves more than the padding costs, else raw.
    private static int PackedLevelBytes(int count, int width)
    {
        int perChunk = Compression.FastLanes.ChunkValues * width / 16;
        int tail = count % Compression.FastLanes.ChunkValues;
        return 2 * ((count / Compression.FastLanes.ChunkValues * perChunk) + (tail == 0 ? 0 : PackTail(tail, width) ? perChunk : tail));
    }

    private static bool PackTail(int tail, int width)
        => width * (Compression.FastLanes.ChunkValues - tail) < (16 - width) * tail
            && Compression.FastLanes.ChunkValues * width / 16 != tail; // a packed tail as long as a raw one would read as raw

    private static void PackLevels(ReadOnlySpan<ushort> levels, int width, Span<byte> destination)
    {
        var words = MemoryMarshal.Cast<byte, ushort>(destination);
        int perChunk = Compression.FastLanes.ChunkValues * width / 16;
        Span<ushort> chunk = stackalloc ushort[Compression.FastLanes.ChunkValues];
        int at = 0;
        int done = 0;
        for (; done + Compression.FastLanes.ChunkValues <= levels.Length; done += Compression.FastLanes.ChunkValues, at += perChunk)
        {
            Compression.FastLanes.Pack(width, levels.Slice(done, Compression.FastLanes.ChunkValues), words.Slice(at, perChunk));
        }

        int tail = levels.Length - done;
        if (tail == 0)
        {
            return;
        }

        if (PackTail(tail, width))
        {
            chunk.Clear();
            levels[done..].CopyTo(chunk);
            Compression.FastLanes.Pack(width, chunk, words.Slice(at, perChunk));
        }
        else
        {
            levels[done..].CopyTo(words[at..]);
        }
    }

    // The value buffer of a variable chunk: offsets, bytes, padded to the offset width (Lance does
    // the same, so that the buffer can be viewed as offsets).
    private static int ChunkBufferSize(ReadOnlySpan<long> offsets, int start, int n, int offsetBytes)
    {
        long size = ((n + 1L) * offsetBytes) + (offsets[start + n] - offsets[start]);
        return (int)Math.Min(int.MaxValue, (size + offsetBytes - 1) & ~(long)(offsetBytes - 1));
    }

    private delegate void CopyChunkValues((int Start, int Count, int ValueBytes) chunk, Span<byte> destination);

    // itemsPerValue > 0: vectors with null items, each chunk's item validity bits written as a value
    // buffer ahead of the items (Lance's FixedSizeList with validity).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static EncodedPage Serialize(
        GatheredPage page, List<(int Start, int Count, int ValueBytes)> chunks, Enc21.CompressiveEncoding valueEncoding, PageLevels? levels,
        bool largeChunks, CopyChunkValues copyValues, int itemsPerValue = 0, bool packLevels = false)
    {
        // Which levels each chunk carries: a flat column's definitions are one per value; a nested
        // column's are sliced among the chunks by its entries.
        ReadOnlySpan<ushort> rep = default;
        ReadOnlySpan<ushort> def = default;
        bool hasRep = false;
        bool hasDefinitions;
        List<(int Start, int Count)> levelRanges;
        ulong[]? repetitionIndex = null;
        if (levels is null)
        {
            hasDefinitions = page.HasNulls;
            def = page.Definitions;
            levelRanges = chunks.Select(c => (c.Start, c.Count)).ToList();
        }
        else
        {
            hasRep = levels.Rep is not null;
            hasDefinitions = levels.Def is not null;
            rep = levels.Rep;
            def = levels.Def;
            (levelRanges, repetitionIndex) = levels.SliceChunks(chunks.Select(c => c.Count).ToList());
        }

        // Large chunks (2.2) store the value buffer's size and each chunk word in 32 bits.
        int sizeBytes = largeChunks ? 4 : 2;
        int valueBuffers = itemsPerValue > 0 ? 2 : 1;
        int headerBytes = Pad(2 + (hasRep ? 2 : 0) + (hasDefinitions ? 2 : 0) + (sizeBytes * valueBuffers));
        int ValidityBytes((int Start, int Count, int ValueBytes) chunk) => itemsPerValue > 0 ? (int)(((long)chunk.Count * itemsPerValue + 7) / 8) : 0;
        // Repetition levels bit-packed in the fewest bits the page needs (when asked, and when that is fewer than 16).
        int repWidth = 16;
        if (packLevels && hasRep)
        {
            ushort all = 0;
            foreach (var r in rep)
            {
                all |= r;
            }

            repWidth = Math.Max(1, 32 - BitOperations.LeadingZeroCount((uint)all));
        }

        int RepBytes(int levelCount) => repWidth < 16 ? PackedLevelBytes(levelCount, repWidth) : levelCount * 2;
        long total = 0;
        for (int c = 0; c < chunks.Count; c++)
        {
            total += ChunkBytes(levelRanges[c].Count, chunks[c].ValueBytes, headerBytes, hasRep ? RepBytes(levelRanges[c].Count) : 0, hasDefinitions, ValidityBytes(chunks[c]));
        }

        var data = new byte[checked((int)total)];
        data.AsSpan().Fill(FillByte);
        var metadata = new byte[chunks.Count * sizeBytes];
        int position = 0;
        for (int c = 0; c < chunks.Count; c++)
        {
            var chunk = chunks[c];
            var (levelStart, levelCount) = levelRanges[c];
            if (levelCount > ushort.MaxValue)
            {
                throw new LanceFormatException($"A mini-block chunk would hold {levelCount} rep/def levels, more than the format's {ushort.MaxValue}.");
            }

            int validityBytes = ValidityBytes(chunk);
            int repBytes = hasRep ? RepBytes(levelCount) : 0;
            int chunkBytes = ChunkBytes(levelCount, chunk.ValueBytes, headerBytes, repBytes, hasDefinitions, validityBytes);
            var span = data.AsSpan(position, chunkBytes);
            BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)(hasRep || hasDefinitions ? levelCount : 0));
            int cursor = 2;
            if (hasRep)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(span[cursor..], (ushort)repBytes);
                cursor += 2;
            }

            if (hasDefinitions)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(span[cursor..], (ushort)(levelCount * 2));
                cursor += 2;
            }

            foreach (int size in itemsPerValue > 0 ? [validityBytes, chunk.ValueBytes] : (int[])[chunk.ValueBytes])
            {
                if (largeChunks)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(span[cursor..], (uint)size);
                }
                else
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(span[cursor..], (ushort)size);
                }

                cursor += sizeBytes;
            }

            cursor = headerBytes;
            if (hasRep)
            {
                if (repWidth < 16)
                {
                    PackLevels(rep.Slice(levelStart, levelCount), repWidth, span.Slice(cursor, repBytes));
                }
                else
                {
                    MemoryMarshal.AsBytes(rep.Slice(levelStart, levelCount)).CopyTo(span[cursor..]);
                }

                cursor += Pad(repBytes);
            }

            if (hasDefinitions)
            {
                MemoryMarshal.AsBytes(def.Slice(levelStart, levelCount)).CopyTo(span[cursor..]);
                cursor += Pad(levelCount * 2);
            }

            if (itemsPerValue > 0)
            {
                CopyItemValidity(page.ItemValidity, chunk.Start * itemsPerValue, span.Slice(cursor, validityBytes), chunk.Count * itemsPerValue);
                cursor += Pad(validityBytes);
            }

            copyValues(chunk, span.Slice(cursor, chunk.ValueBytes));

            bool last = c == chunks.Count - 1;
            int log2 = last ? 0 : BitOperations.Log2((uint)chunk.Count);
            int word = (((chunkBytes / Alignment) - 1) << 4) | log2;
            if (largeChunks)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(metadata.AsSpan(c * 4), (uint)word);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(metadata.AsSpan(c * 2), (ushort)word);
            }

            position += chunkBytes;
        }

        var layout = new Enc21.MiniBlockLayout
        {
            ValueCompression = valueEncoding,
            NumBuffers = (ulong)valueBuffers,
            NumItems = (ulong)page.Count,
            HasLargeChunk = largeChunks,
        };
        if (hasRep)
        {
            layout.RepCompression = repWidth < 16
                ? new Enc21.CompressiveEncoding { OutOfLineBitpacking = new Enc21.OutOfLineBitpacking { UncompressedBitsPerValue = 16, Values = EncodingProtos.Flat(repWidth) } }
                : EncodingProtos.Flat(16);
        }

        if (hasDefinitions)
        {
            layout.DefCompression = EncodingProtos.Flat(16);
        }

        if (levels is not null)
        {
            layout.Layers.AddRange(levels.Layout.LayersInnermostFirst);
        }
        else
        {
            layout.Layers.Add(hasDefinitions ? Enc21.RepDefLayer.RepdefNullableItem : Enc21.RepDefLayer.RepdefAllValidItem);
        }

        if (repetitionIndex is null)
        {
            return new EncodedPage([metadata, data], new Enc21.PageLayout { MiniBlockLayout = layout });
        }

        // Buffer 2: the repetition index, one (rows finished, leftover entries) pair of u64 per chunk.
        layout.RepetitionIndexDepth = 1;
        return new EncodedPage([metadata, data, MemoryMarshal.AsBytes(repetitionIndex.AsSpan()).ToArray()], new Enc21.PageLayout { MiniBlockLayout = layout });
    }

    // The validity bits of `count` items from bit `firstBit`, shifted to start at bit 0.
    private static void CopyItemValidity(ReadOnlySpan<byte> bits, int firstBit, Span<byte> destination, int count)
    {
        destination.Clear();
        for (int i = 0; i < count; i++)
        {
            int s = firstBit + i;
            if ((bits[s >> 3] & (1 << (s & 7))) != 0)
            {
                destination[i >> 3] |= (byte)(1 << (i & 7));
            }
        }
    }

    private static int ChunkBytes(int levelCount, int valueBytes, int headerBytes, int repBytes, bool hasDefinitions, int validityBytes = 0)
    {
        int bytes = headerBytes + Pad(repBytes) + (hasDefinitions ? Pad(levelCount * 2) : 0) + (validityBytes > 0 ? Pad(validityBytes) : 0) + Pad(valueBytes);
        if (bytes > 32 * 1024)
        {
            throw new LanceFormatException($"A mini-block chunk of {bytes} bytes exceeds the format's 32 KiB limit.");
        }

        return bytes;
    }

    private static int Pad(int bytes) => (bytes + Alignment - 1) & ~(Alignment - 1);
}
