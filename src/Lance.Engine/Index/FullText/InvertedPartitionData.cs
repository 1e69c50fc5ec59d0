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
    byte[] fst, uint nextId, long totalLength, ulong[] rowIds, uint[] numTokens, InvertedPartitionBuilder.Posting[] postings, bool withPositions)
{
    /// <summary>The documents.</summary>
    public int DocumentCount => rowIds.Length;

    /// <summary>The distinct tokens.</summary>
    public int TokenCount => postings.Length;

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
        var blocks = new List<byte[]>();
        var postingOffsets = new int[postings.Length + 1];
        var maxScores = new float[postings.Length];
        var lengths = new uint[postings.Length];
        var positionChunks = withPositions ? new List<byte[]>() : null;
        var docOffsets = withPositions ? new List<int> { 0 } : null;
        var tokenOffsets = withPositions ? new int[postings.Length + 1] : null;
        for (var t = 0; t < postings.Length; t++)
        {
            if (t % 4096 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var posting = postings[t];
            var docs = CollectionsMarshal.AsSpan(posting.Docs);
            var frequencies = CollectionsMarshal.AsSpan(posting.Frequencies);
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
                for (var k = 0; k < docs.Length; k++)
                {
                    positionChunks.AddRange(PostingEncoder.Positions(posting.PositionsOf(k)));
                    docOffsets!.Add(positionChunks.Count);
                }

                tokenOffsets![t + 1] = docOffsets!.Count - 1;
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
            columns.Add(List(outerType, tokenOffsets!, List(innerType, [.. docOffsets!], LargeBinary(positionChunks))));
        }

        return new RecordBatch(new Schema(fields, null), columns, postings.Length);
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
}
