using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Query;

namespace Lance.Engine.Dataset;

/// <summary>
/// Exact search by Hamming distance (LanceDB's <c>hamming</c>) over uint8 vectors: the number of bits
/// in which a stored vector differs from the query, counted 64 bits at a time.
/// </summary>
internal static class HammingScan
{
    /// <summary>The query as bytes: each item must be a whole number from 0 to 255.</summary>
    /// <exception cref="LanceSchemaException">An item is not a byte value.</exception>
    public static byte[] QueryBytes(ReadOnlySpan<float> query, string column, string location)
    {
        var bytes = new byte[query.Length];
        for (var i = 0; i < query.Length; i++)
        {
            var item = query[i];
            if (!(item >= 0 && item <= 255) || item != MathF.Floor(item))
            {
                throw new LanceSchemaException(
                    $"The query vector for a hamming search of uint8 column '{column}' of '{location}' holds {item.ToString(CultureInfo.InvariantCulture)} at {i}, which is not a byte (a whole number from 0 to 255).");
            }

            bytes[i] = (byte)item;
        }

        return bytes;
    }

    /// <summary>Scores <paramref name="rows"/> (offsets into <paramref name="vectors"/>) into <paramref name="topK"/>.</summary>
    public static void SearchRows(byte[] query, FixedSizeListArray vectors, ReadOnlySpan<int> rows, long rowIdBase, TopK topK, float lower, float upper)
    {
        var flat = Flat(vectors, query.Length);
        foreach (var row in rows)
        {
            Offer(query, flat, row, rowIdBase, topK, lower, upper);
        }
    }

    /// <summary>The number of differing bits between two byte vectors of one length.</summary>
    public static int Distance(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var bits = 0;
        var i = 0;
        for (; i + 8 <= a.Length; i += 8)
        {
            bits += BitOperations.PopCount(BinaryPrimitives.ReadUInt64LittleEndian(a[i..]) ^ BinaryPrimitives.ReadUInt64LittleEndian(b[i..]));
        }

        for (; i < a.Length; i++)
        {
            bits += BitOperations.PopCount((uint)(a[i] ^ b[i]));
        }

        return bits;
    }

    private static void Offer(byte[] query, ReadOnlySpan<byte> flat, int row, long rowIdBase, TopK topK, float lower, float upper)
    {
        var distance = (float)Distance(query, flat.Slice(row * query.Length, query.Length));
        if (DistanceKernels.InRange(distance, lower, upper))
        {
            topK.Offer(distance, rowIdBase + row);
        }
    }

    private static ReadOnlySpan<byte> Flat(FixedSizeListArray vectors, int dimension)
    {
        var size = ((FixedSizeListType)vectors.Data.DataType).ListSize;
        if (size != dimension || vectors.Values is not UInt8Array items)
        {
            throw new LanceSchemaException($"Hamming distance measures uint8 vectors of {dimension} items, not {vectors.Data.DataType.Name} of {size}.");
        }

        return items.Values.Slice(vectors.Offset * size, vectors.Length * size);
    }
}
