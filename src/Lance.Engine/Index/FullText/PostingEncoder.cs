using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// Encodes posting lists and positions as Lance stores them (the inverse of
/// <see cref="InvertedPartition.Posting"/> and <see cref="InvertedPartition.Positions"/>): a posting
/// list is a list of blocks, each a float32 block max score then, for a full block of 128 documents,
/// the first document, the bits and the bit-packed differences of the documents, the bits and the
/// bit-packed frequencies; a last, partial block holds plain 32-bit documents then frequencies
/// (Lance's <c>fixed32_v1</c> tail). Positions of one document are a count, then per 128 positions
/// a sorted packed block, then the rest as plain 32-bit values.
/// </summary>
internal static class PostingEncoder
{
    /// <summary>BM25's term-frequency saturation, as Lance sets it.</summary>
    public const float K1 = 1.2f;

    /// <summary>BM25's length normalisation, as Lance sets it.</summary>
    public const float B = 0.75f;

    /// <summary>Per document, BM25's length normalisation <c>k1·(1 − b + b·length / average length)</c>, in single precision as Lance computes it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float[] Norms(uint[] numTokens, float averageLength)
    {
        var norms = new float[numTokens.Length];
        for (var d = 0; d < norms.Length; d++)
        {
            norms[d] = K1 * (1.0f - B + (B * numTokens[d] / averageLength));
        }

        return norms;
    }

    /// <summary>
    /// Per block of 128 documents, the highest BM25 score a document of the block can reach (Lance's block max scores,
    /// computed in single precision as Lance does, against the partition's statistics), into <paramref name="blocks"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BlockMaxScores(ReadOnlySpan<uint> docs, ReadOnlySpan<uint> frequencies, float[] norms, Span<float> blocks)
    {
        var length = docs.Length;
        var idf = Idf(length, norms.Length);
        var max = float.MinValue;
        for (var i = 0; i < length; i++)
        {
            var freq = (float)frequencies[i];
            var score = freq / (freq + norms[docs[i]]);
            if (score > max)
            {
                max = score;
            }

            if ((i + 1) % BitPacker4x.BlockLength == 0 || i + 1 == length)
            {
                blocks[i / BitPacker4x.BlockLength] = max * (idf * (K1 + 1.0f));
                max = float.MinValue;
            }
        }
    }

    /// <summary>Lance's inverse document frequency, in single precision.</summary>
    public static float Idf(int tokenDocs, int documents)
        => MathF.Log(((documents - tokenDocs + 0.5f) / (tokenDocs + 0.5f)) + 1.0f);

    /// <summary>Writes the blocks of one posting list to <paramref name="blocks"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Posting(ReadOnlySpan<uint> docs, ReadOnlySpan<uint> frequencies, ReadOnlySpan<float> blockMaxScores, InvertedPartitionData.ChunkWriter blocks)
    {
        var full = docs.Length / BitPacker4x.BlockLength;
        for (var b = 0; b < full; b++)
        {
            var blockDocs = docs.Slice(b * BitPacker4x.BlockLength, BitPacker4x.BlockLength);
            var blockFreqs = frequencies.Slice(b * BitPacker4x.BlockLength, BitPacker4x.BlockLength);
            var docBits = BitPacker4x.BitsNeededSorted(blockDocs[0], blockDocs);
            var freqBits = BitPacker4x.BitsNeeded(blockFreqs);
            var docBytes = BitPacker4x.PackedBytes(docBits);
            var freqBytes = BitPacker4x.PackedBytes(freqBits);
            var block = blocks.Next(4 + 4 + 1 + docBytes + 1 + freqBytes);
            block.Clear();
            BinaryPrimitives.WriteSingleLittleEndian(block, blockMaxScores[b]);
            BinaryPrimitives.WriteUInt32LittleEndian(block[4..], blockDocs[0]);
            block[8] = (byte)docBits;
            BitPacker4x.PackSorted(blockDocs, blockDocs[0], docBits, block.Slice(9, docBytes));
            block[9 + docBytes] = (byte)freqBits;
            BitPacker4x.Pack(blockFreqs, freqBits, block.Slice(10 + docBytes, freqBytes));
        }

        var rest = docs.Length - (full * BitPacker4x.BlockLength);
        if (rest > 0)
        {
            var block = blocks.Next(4 + (8 * rest));
            BinaryPrimitives.WriteSingleLittleEndian(block, blockMaxScores[full]);
            for (var i = 0; i < rest; i++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(block[(4 + (4 * i))..], docs[(full * BitPacker4x.BlockLength) + i]);
                BinaryPrimitives.WriteUInt32LittleEndian(block[(4 + (4 * (rest + i)))..], frequencies[(full * BitPacker4x.BlockLength) + i]);
            }
        }
    }

    /// <summary>Writes the chunks of one document's positions (ascending) to <paramref name="chunks"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Positions(ReadOnlySpan<uint> positions, InvertedPartitionData.ChunkWriter chunks)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(chunks.Next(4), (uint)positions.Length);
        var full = positions.Length / BitPacker4x.BlockLength;
        for (var b = 0; b < full; b++)
        {
            var block = positions.Slice(b * BitPacker4x.BlockLength, BitPacker4x.BlockLength);
            var bits = BitPacker4x.BitsNeededSorted(block[0], block);
            var bytes = BitPacker4x.PackedBytes(bits);
            var chunk = chunks.Next(5 + bytes);
            chunk.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(chunk, block[0]);
            chunk[4] = (byte)bits;
            BitPacker4x.PackSorted(block, block[0], bits, chunk[5..]);
        }

        var rest = positions.Length - (full * BitPacker4x.BlockLength);
        if (rest > 0)
        {
            var chunk = chunks.Next(4 * rest);
            for (var i = 0; i < rest; i++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(chunk[(4 * i)..], positions[(full * BitPacker4x.BlockLength) + i]);
            }
        }
    }
}
