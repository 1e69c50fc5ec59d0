using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// A finished partition of an inverted index, as the three tables Lance keeps per partition:
/// <c>part_N_tokens.lance</c> (the fst of token → token id, the next free id, the tokens' total
/// bytes), <c>part_N_docs.lance</c> (<c>_rowid</c>, <c>_num_tokens</c>) and <c>part_N_invert.lance</c>
/// (per token id: <c>_posting</c> blocks, <c>_max_score</c>, <c>_length</c> and, with positions,
/// <c>_position</c>).
/// </summary>
internal sealed class InvertedPartitionData(
    byte[] fst, uint nextId, long totalLength, ulong[] rowIds, uint[] numTokens, FlatPostings postings)
{
    /// <summary>The documents.</summary>
    public int DocumentCount => rowIds.Length;

    /// <summary>The distinct tokens.</summary>
    public int TokenCount => postings.TokenCount;

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

    /// <summary>The posting lists table, one row per token id.</summary>
    public RecordBatch InvertBatch(CancellationToken cancellationToken)
    {
        long total = 0;
        foreach (var n in numTokens)
        {
            total += n;
        }

        var average = rowIds.Length == 0 ? 0f : (float)total / rowIds.Length;
        var tokenCount = postings.TokenCount;
        var blocks = new List<byte[]>();
        var postingOffsets = new int[tokenCount + 1];
        var maxScores = new float[tokenCount];
        var lengths = new uint[tokenCount];
        var withPositions = postings.Positions is not null;
        var positionChunks = withPositions ? new ChunkWriter(postings.Positions!.Length * 5L) : null;
        var docOffsets = withPositions ? new int[postings.Docs.Length + 1] : null;
        var tokenOffsets = withPositions ? new int[tokenCount + 1] : null;
        for (var t = 0; t < tokenCount; t++)
        {
            if (t % 4096 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var first = postings.EntryStarts[t];
            var count = postings.EntryStarts[t + 1] - first;
            var docs = postings.Docs.AsSpan(first, count);
            var frequencies = postings.Frequencies.AsSpan(first, count);
            var scores = PostingEncoder.BlockMaxScores(docs, frequencies, numTokens, average);
            var max = float.MinValue;
            foreach (var s in scores)
            {
                max = Math.Max(max, s);
            }

            blocks.AddRange(PostingEncoder.Posting(docs, frequencies, scores));
            postingOffsets[t + 1] = blocks.Count;
            maxScores[t] = max;
            lengths[t] = (uint)docs.Length;
            if (positionChunks is not null)
            {
                for (var k = 0; k < count; k++)
                {
                    var e = first + k;
                    PostingEncoder.Positions(postings.Positions.AsSpan((int)postings.PositionStarts![e], (int)postings.Frequencies[e]), positionChunks);
                    docOffsets![e + 1] = positionChunks.Count;
                }

                tokenOffsets![t + 1] = first + count;
            }
        }

        var postingType = new ListType(new Field("item", LargeBinaryType.Default, true));
        var fields = new List<Field>
        {
            new("_posting", postingType, false),
            new("_max_score", FloatType.Default, false),
            new("_length", UInt32Type.Default, false),
        };
        var columns = new List<IArrowArray>
        {
            List(postingType, postingOffsets, LargeBinary(blocks)),
            new FloatArray.Builder().AppendRange(maxScores).Build(),
            new UInt32Array.Builder().AppendRange(lengths).Build(),
        };
        if (positionChunks is not null)
        {
            var innerType = new ListType(new Field("item", LargeBinaryType.Default, true));
            var outerType = new ListType(new Field("item", innerType, true));
            fields.Add(new Field("_position", outerType, false));
            columns.Add(List(outerType, tokenOffsets!, List(innerType, docOffsets!, positionChunks.Build())));
        }

        return new RecordBatch(new Schema(fields, null), columns, tokenCount);
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

    private static ListArray List(ListType type, int[] offsets, IArrowArray values)
    {
        var arrayData = new ArrayData(
            type, offsets.Length - 1, 0, 0,
            [ArrowBuffer.Empty, new ArrowBuffer(MemoryMarshal.AsBytes(offsets.AsSpan()).ToArray())],
            [values.Data]);
        return new ListArray(arrayData);
    }

    /// <summary>Collects many small binary values straight into one buffer and its offsets (a large-binary array without one array per value).</summary>
    internal sealed class ChunkWriter(long capacity)
    {
        private byte[] _data = new byte[Math.Max(64, Math.Min(capacity, System.Array.MaxLength))];
        private long[] _offsets = new long[1024];
        private long _length;

        /// <summary>The values written.</summary>
        public int Count { get; private set; }

        /// <summary>Starts a value of <paramref name="bytes"/> bytes and returns where to write it.</summary>
        public Span<byte> Next(int bytes)
        {
            if (_length + bytes > _data.Length)
            {
                System.Array.Resize(ref _data, (int)Math.Min(System.Array.MaxLength, Math.Max(_data.Length * 2L, _length + bytes)));
            }

            if (Count + 1 >= _offsets.Length)
            {
                System.Array.Resize(ref _offsets, _offsets.Length * 2);
            }

            var span = _data.AsSpan((int)_length, bytes);
            _length += bytes;
            _offsets[++Count] = _length;
            return span;
        }

        /// <summary>The values as a large-binary array.</summary>
        public LargeBinaryArray Build()
        {
            var arrayData = new ArrayData(
                LargeBinaryType.Default, Count, 0, 0,
                [ArrowBuffer.Empty, new ArrowBuffer(MemoryMarshal.AsBytes(_offsets.AsSpan(0, Count + 1)).ToArray()), new ArrowBuffer(_data.AsMemory(0, (int)_length))]);
            return new LargeBinaryArray(arrayData);
        }
    }
}
