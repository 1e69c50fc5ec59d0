using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// A finished partition of an inverted index, as the three tables Lance keeps per partition:
/// <c>part_N_tokens.lance</c> (the fst of token → token id, the next free id, the tokens' total
/// bytes), <c>part_N_docs.lance</c> (<c>_rowid</c>, <c>_num_tokens</c>) and <c>part_N_invert.lance</c>
/// (per token id: <c>_posting</c> blocks, <c>_max_score</c>, <c>_length</c> and, with positions,
/// <c>_position</c>). Owns the posting lists' buffers: <see cref="Dispose"/> frees them once the files are written (the
/// counts stay readable).
/// </summary>
internal sealed class InvertedPartitionData(
    byte[] fst, uint nextId, long totalLength, ulong[] rowIds, uint[] numTokens, FlatPostings postings) : IDisposable
{
    /// <summary>The documents.</summary>
    public int DocumentCount => rowIds.Length;

    /// <summary>The distinct tokens.</summary>
    public int TokenCount => postings.TokenCount;

    /// <summary>Frees the posting lists' buffers.</summary>
    public void Dispose() => postings.Dispose();

    /// <summary>The token dictionary table.</summary>
    public RecordBatch TokensBatch()
    {
        var schema = new Schema(
            [new Field("_token_fst_bytes", LargeBinaryType.Default, false),
             new Field("_token_next_id", UInt32Type.Default, false),
             new Field("_token_total_length", UInt64Type.Default, false)],
            null);
        return new RecordBatch(
            schema,
            [LargeBinary([fst]), new UInt32Array.Builder().Append(nextId).Build(), new UInt64Array.Builder().Append((ulong)totalLength).Build()],
            1);
    }

    /// <summary>The documents table.</summary>
    public RecordBatch DocsBatch()
    {
        var schema = new Schema([new Field("_rowid", UInt64Type.Default, false), new Field("_num_tokens", UInt32Type.Default, false)], null);
        return new RecordBatch(
            schema,
            [new UInt64Array.Builder().AppendRange(rowIds).Build(), new UInt32Array.Builder().AppendRange(numTokens).Build()],
            rowIds.Length);
    }

    /// <summary>The schema of the posting lists table.</summary>
    public Schema InvertSchema => new(InvertFields(postings.Positions is not null), null);

    /// <summary>
    /// The posting lists table, one row per token id, in batches of whole tokens of about <paramref name="entriesPerBatch"/>
    /// documents in all (so a writer can take one batch while the next is encoded). Each batch's large buffers come from
    /// <paramref name="pool"/>; the caller hands them back once the batch is written.
    /// </summary>
    public IEnumerable<InvertBatch> InvertBatches(int entriesPerBatch, BatchBufferPool pool, CancellationToken cancellationToken)
    {
        long total = 0;
        foreach (var n in numTokens)
        {
            total += n;
        }

        var norms = PostingEncoder.Norms(numTokens, rowIds.Length == 0 ? 0f : (float)total / rowIds.Length);
        var tokenCount = postings.TokenCount;
        var first = 0;
        do
        {
            var end = first + 1;
            while (end < tokenCount && postings.EntryStarts[end + 1] - postings.EntryStarts[first] <= entriesPerBatch)
            {
                end++;
            }

            end = Math.Min(end, tokenCount);
            cancellationToken.ThrowIfCancellationRequested();
            yield return Invert(first, end, norms, pool);
            first = end;
        }
        while (first < tokenCount);
    }

    private static List<Field> InvertFields(bool withPositions)
    {
        var fields = new List<Field>
        {
            new("_posting", new ListType(new Field("item", LargeBinaryType.Default, true)), false),
            new("_max_score", FloatType.Default, false),
            new("_length", UInt32Type.Default, false),
        };
        if (withPositions)
        {
            fields.Add(new Field("_position", new ListType(new Field("item", new ListType(new Field("item", LargeBinaryType.Default, true)), true)), false));
        }

        return fields;
    }

    // Tokens [first, end): their posting blocks, max scores, lengths and (when kept) per document the position chunks.
    // Every buffer is allocated (or rented) as the bytes the Arrow array takes over (no copy) and left uninitialized:
    // each element is written below. The per-token buffers are small and new; the per-document ones are rented.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private InvertBatch Invert(int first, int end, float[] norms, BatchBufferPool pool)
    {
        var count = end - first;
        var firstEntry = postings.EntryStarts[first];
        var entries = postings.EntryStarts[end] - firstEntry;
        var blocks = new ChunkWriter(pool, entries * 8L + (count * 16L), count + (entries / BitPacker4x.BlockLength));
        var postingOffsetBytes = Uninitialized<int>(count + 1, out var postingOffsets);
        var maxScoreBytes = Uninitialized<float>(count, out var maxScores);
        var lengthBytes = Uninitialized<uint>(count, out var lengths);
        var withPositions = postings.Positions is not null;
        var positionChunks = withPositions ? new ChunkWriter(pool, entries * 10L, 2 * entries) : null;
        var docOffsetLength = withPositions ? checked(sizeof(int) * (entries + 1)) : 0;
        var docOffsetBytes = withPositions ? pool.Rent(docOffsetLength) : [];
        var docOffsets = MemoryMarshal.Cast<byte, int>(docOffsetBytes.AsSpan(0, docOffsetLength));
        var tokenOffsetBytes = Uninitialized<int>(withPositions ? count + 1 : 0, out var tokenOffsets);
        postingOffsets[0] = 0;
        if (withPositions)
        {
            docOffsets[0] = 0;
            tokenOffsets[0] = 0;
        }

        var allDocs = postings.Docs.Span;
        var allFrequencies = postings.Frequencies.Span;
        var allPositions = withPositions ? postings.Positions!.Span : default;
        var scores = new float[64];
        for (var i = 0; i < count; i++)
        {
            var t = first + i;
            var start = postings.EntryStarts[t];
            var length = postings.EntryStarts[t + 1] - start;
            var docs = allDocs.Slice(start, length);
            var frequencies = allFrequencies.Slice(start, length);
            var blockCount = (length + BitPacker4x.BlockLength - 1) / BitPacker4x.BlockLength;
            if (blockCount > scores.Length)
            {
                scores = new float[blockCount];
            }

            var blockScores = scores.AsSpan(0, blockCount);
            PostingEncoder.BlockMaxScores(docs, frequencies, norms, blockScores);
            var max = float.MinValue;
            foreach (var s in blockScores)
            {
                max = Math.Max(max, s);
            }

            PostingEncoder.Posting(docs, frequencies, blockScores, blocks);
            postingOffsets[i + 1] = blocks.Count;
            maxScores[i] = max;
            lengths[i] = (uint)length;
            if (positionChunks is not null)
            {
                var position = postings.PositionStarts![t];
                for (var k = 0; k < length; k++)
                {
                    var e = start + k;
                    var n = (int)allFrequencies[e];
                    PostingEncoder.Positions(allPositions.Slice((int)position, n), positionChunks);
                    position += n;
                    docOffsets[e - firstEntry + 1] = positionChunks.Count;
                }

                tokenOffsets[i + 1] = start + length - firstEntry;
            }
        }

        var fields = InvertFields(withPositions);
        var columns = new List<IArrowArray>
        {
            List((ListType)fields[0].DataType, postingOffsetBytes, blocks.Build()),
            new FloatArray(new ArrowBuffer(maxScoreBytes), ArrowBuffer.Empty, count, 0, 0),
            new UInt32Array(new ArrowBuffer(lengthBytes), ArrowBuffer.Empty, count, 0, 0),
        };
        byte[][] positionBuffers = [];
        if (positionChunks is not null)
        {
            var outerType = (ListType)fields[3].DataType;
            columns.Add(List(outerType, tokenOffsetBytes, List((ListType)outerType.ValueDataType, docOffsetBytes.AsMemory(0, docOffsetLength), positionChunks.Build())));
            positionBuffers = [.. positionChunks.Buffers, docOffsetBytes];
        }

        return new InvertBatch(new RecordBatch(new Schema(fields, null), columns, count), [.. blocks.Buffers], positionBuffers);
    }

    /// <summary>One batch of the posting lists table and the rented buffers its arrays are over, by column.</summary>
    /// <param name="Batch">The rows.</param>
    /// <param name="PostingBuffers">The buffers under the batch's <c>_posting</c> array: back to the pool once nothing holds it.</param>
    /// <param name="PositionBuffers">The buffers under the batch's <c>_position</c> array (none without positions).</param>
    internal sealed record InvertBatch(RecordBatch Batch, byte[][] PostingBuffers, byte[][] PositionBuffers);

    // An uninitialized buffer of count values of T, as bytes (for Arrow) and as a span of T (to fill).
    private static byte[] Uninitialized<T>(int count, out Span<T> values)
        where T : struct
    {
        var bytes = GC.AllocateUninitializedArray<byte>(checked(count * Unsafe.SizeOf<T>()));
        values = MemoryMarshal.Cast<byte, T>(bytes.AsSpan());
        return bytes;
    }

    private static LargeBinaryArray LargeBinary(IReadOnlyList<byte[]> values)
    {
        long size = 0;
        foreach (var v in values)
        {
            size += v.Length;
        }

        var data = new byte[size];
        var offsets = new long[values.Count + 1];
        long at = 0;
        for (var i = 0; i < values.Count; i++)
        {
            values[i].CopyTo(data, at);
            at += values[i].Length;
            offsets[i + 1] = at;
        }

        var arrayData = new ArrayData(
            LargeBinaryType.Default, values.Count, 0, 0,
            [ArrowBuffer.Empty, new ArrowBuffer(MemoryMarshal.AsBytes(offsets.AsSpan()).ToArray()), new ArrowBuffer(data)]);
        return new LargeBinaryArray(arrayData);
    }

    // A list array over values, its 32-bit offsets given as bytes (taken over, not copied).
    private static ListArray List(ListType type, ReadOnlyMemory<byte> offsets, IArrowArray values)
    {
        var arrayData = new ArrayData(
            type, (offsets.Length / sizeof(int)) - 1, 0, 0,
            [ArrowBuffer.Empty, new ArrowBuffer(offsets)],
            [values.Data]);
        return new ListArray(arrayData);
    }

    /// <summary>
    /// Collects many small binary values straight into one buffer and its offsets (a large-binary array without one array
    /// per value), both rented from a pool. The buffers are not zeroed: every caller writes each byte of the values it starts.
    /// </summary>
    internal sealed class ChunkWriter
    {
        private readonly BatchBufferPool _pool;
        private byte[] _data;

        // The 64-bit offsets, as the bytes the Arrow array takes over; the first is 0.
        private byte[] _offsets;
        private long _length;

        /// <summary>A writer for about <paramref name="capacity"/> bytes in about <paramref name="values"/> values.</summary>
        public ChunkWriter(BatchBufferPool pool, long capacity, int values = 0)
        {
            _pool = pool;
            _data = pool.Rent(Math.Min(capacity, System.Array.MaxLength));
            _offsets = pool.Rent(sizeof(long) * Math.Max(1024L, values + 1L));
            _offsets.AsSpan(0, sizeof(long)).Clear();
        }

        /// <summary>The values written.</summary>
        public int Count { get; private set; }

        /// <summary>The rented buffers the built array is over (to hand back once it is no longer used).</summary>
        public IEnumerable<byte[]> Buffers => [_data, _offsets];

        /// <summary>Starts a value of <paramref name="bytes"/> bytes and returns where to write it (not zeroed).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Span<byte> Next(int bytes)
        {
            if (_length + bytes > _data.Length)
            {
                var grown = _pool.Rent(Math.Min(System.Array.MaxLength, Math.Max(_data.Length * 2L, _length + bytes)));
                _data.AsSpan(0, (int)_length).CopyTo(grown);
                _pool.Return(_data);
                _data = grown;
            }

            if (sizeof(long) * (Count + 2L) > _offsets.Length)
            {
                var grown = _pool.Rent(_offsets.Length * 2L);
                _offsets.AsSpan(0, sizeof(long) * (Count + 1)).CopyTo(grown);
                _pool.Return(_offsets);
                _offsets = grown;
            }

            var span = _data.AsSpan((int)_length, bytes);
            _length += bytes;
            Unsafe.WriteUnaligned(ref _offsets[sizeof(long) * ++Count], _length);
            return span;
        }

        /// <summary>The values as a large-binary array (over the writer's buffers: write no more).</summary>
        public LargeBinaryArray Build()
        {
            var arrayData = new ArrayData(
                LargeBinaryType.Default, Count, 0, 0,
                [ArrowBuffer.Empty, new ArrowBuffer(_offsets.AsMemory(0, sizeof(long) * (Count + 1))), new ArrowBuffer(_data.AsMemory(0, (int)_length))]);
            return new LargeBinaryArray(arrayData);
        }
    }
}
