using System.Buffers.Binary;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Lance.Engine.DataFiles.Compression;
using Lance.Engine.DataFiles.Encodings;
using Lance.Engine.Format;
using Enc20 = Lance.Engine.Format.Protos.Encodings20;
using File2 = Lance.Engine.Format.Protos.File2;
using Protos = Lance.Engine.Format.Protos;

namespace Lance.Engine.DataFiles.V20;

/// <summary>
/// Reads the pages of Lance file format 2.0 (footer version 0.3), which LanceDB writes for tables
/// created with storage version 2.0: <c>Nullable</c> (a validity bitmap over the values),
/// <c>Flat</c>, <c>Binary</c> (u64 end offsets, nulls shifted up by <c>null_adjustment</c>),
/// <c>FixedSizeList</c>, <c>FixedSizeBinary</c>, <c>Dictionary</c>, <c>Fsst</c> and <c>Constant</c>.
/// Every buffer index, length and count is checked against the page before use.
/// </summary>
internal static class ArrayEncodingDecoder
{
    /// <summary>The type URL of a 2.0 page encoding.</summary>
    public const string ArrayEncodingTypeUrl = "/lance.encodings.ArrayEncoding";

    /// <summary>Decodes one page of <paramref name="rows"/> rows into <paramref name="builder"/>.</summary>
    /// <exception cref="LanceFormatException">The page is corrupt or uses an encoding not supported.</exception>
    public static void Decode(File2.Encoding encoding, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long rows, ColumnBuilder builder, string columnName)
    {
        string what = $"Column '{columnName}'";
        var array = Read(encoding, what);
        if (array.ArrayEncodingCase is Enc20.ArrayEncoding.ArrayEncodingOneofCase.Struct or Enc20.ArrayEncoding.ArrayEncodingOneofCase.List)
        {
            throw new LanceFormatException($"{what} is a {array.ArrayEncodingCase} column of format 2.0; nested data is not supported yet.");
        }

        int count = rows <= int.MaxValue ? (int)rows : throw new LanceFormatException($"{what}: a page of {rows} rows.");
        var (values, validity) = DecodeArray(array, buffers, count, what);
        long first = builder.Length;
        if (!values.IsVariable && values.BitsPerValue == 0)
        {
            builder.AppendNulls(count); // an all-null page
            return;
        }

        CompressedMiniBlockDecoder.Append(values, builder, what);
        if (validity is not null)
        {
            for (int i = 0; i < count; i++)
            {
                if ((validity[i >> 3] & (1 << (i & 7))) == 0)
                {
                    builder.SetNull((int)(first + i));
                }
            }
        }
    }

    /// <summary>Unpacks a 2.0 page encoding.</summary>
    public static Enc20.ArrayEncoding Read(File2.Encoding encoding, string what)
    {
        if (encoding.LocationCase != File2.Encoding.LocationOneofCase.Direct)
        {
            throw new LanceFormatException($"{what}: page encoding stored as {encoding.LocationCase}; only direct encodings are supported.");
        }

        try
        {
            var any = Any.Parser.ParseFrom(encoding.Direct.Encoding);
            return any.TypeUrl.EndsWith(ArrayEncodingTypeUrl, StringComparison.Ordinal)
                ? Enc20.ArrayEncoding.Parser.ParseFrom(any.Value)
                : throw new LanceFormatException($"{what} has a page encoding of type '{any.TypeUrl}' in a format 2.0 file.");
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LanceFormatException($"{what}: its page encoding cannot be parsed.", e);
        }
    }

    /// <summary>Decodes <paramref name="count"/> values and, when some are null, an Arrow-style validity bitmap (1 = valid).</summary>
    internal static (DecodedValues Values, byte[]? Validity) DecodeArray(Enc20.ArrayEncoding encoding, IReadOnlyList<ReadOnlyMemory<byte>> buffers, int count, string what)
    {
        switch (encoding.ArrayEncodingCase)
        {
            case Enc20.ArrayEncoding.ArrayEncodingOneofCase.Nullable:
                var nullable = encoding.Nullable;
                switch (nullable.NullabilityCase)
                {
                    case Enc20.Nullable.NullabilityOneofCase.NoNulls:
                        return DecodeArray(nullable.NoNulls.Values ?? Missing(what), buffers, count, what);
                    case Enc20.Nullable.NullabilityOneofCase.SomeNulls:
                        var (values, inner) = DecodeArray(nullable.SomeNulls.Values ?? Missing(what), buffers, count, what);
                        var (bits, _) = DecodeArray(nullable.SomeNulls.Validity ?? Missing(what), buffers, count, what);
                        if (bits.BitsPerValue != 1)
                        {
                            throw new LanceFormatException($"{what} is corrupt: a validity bitmap of {bits.BitsPerValue}-bit values.");
                        }

                        var validity = bits.Span.ToArray();
                        if (inner is not null)
                        {
                            for (int i = 0; i < validity.Length; i++)
                            {
                                validity[i] &= inner[i];
                            }
                        }

                        return (values, validity);
                    case Enc20.Nullable.NullabilityOneofCase.AllNulls:
                        return (Zeros(count), new byte[(count + 7) / 8]);
                    default:
                        throw new LanceFormatException($"{what} is corrupt: a Nullable encoding without its case.");
                }

            case Enc20.ArrayEncoding.ArrayEncodingOneofCase.Flat:
                return (Flat(encoding.Flat, buffers, count, what), null);
            case Enc20.ArrayEncoding.ArrayEncodingOneofCase.FixedSizeList:
                var fsl = encoding.FixedSizeList;
                if (fsl.HasValidity || fsl.Dimension == 0)
                {
                    throw new LanceFormatException($"{what} uses a 2.0 FixedSizeList with item validity or no dimension, which Lance.Engine cannot decode.");
                }

                var (items, itemValidity) = DecodeArray(fsl.Items ?? Missing(what), buffers, checked(count * (int)fsl.Dimension), what);
                if (items.IsVariable || items.ItemValidity is not null)
                {
                    throw new LanceFormatException($"{what} uses a 2.0 FixedSizeList of variable-width items or of lists, which Lance.Engine cannot decode.");
                }

                // Nullable items (vectors with null items) keep their validity bits with the vectors.
                return (DecodedValues.FixedWithItemValidity(count, checked(items.BitsPerValue * (int)fsl.Dimension), items.Data, items.DataLength, itemValidity), null);
            case Enc20.ArrayEncoding.ArrayEncodingOneofCase.FixedSizeBinary:
                var fsb = encoding.FixedSizeBinary;
                var (bytes, _) = DecodeArray(fsb.Bytes ?? Missing(what), buffers, checked(count * (int)fsb.ByteWidth), what);
                if (bytes.BitsPerValue != 8 || bytes.DataLength < (long)count * fsb.ByteWidth)
                {
                    throw new LanceFormatException($"{what} is corrupt: fixed-size binary bytes do not fit {count} values of {fsb.ByteWidth} bytes.");
                }

                return (DecodedValues.Fixed(count, checked((int)fsb.ByteWidth * 8), bytes.Data, bytes.DataLength), null);
            case Enc20.ArrayEncoding.ArrayEncodingOneofCase.Binary:
                return Binary(encoding.Binary, buffers, count, what);
            case Enc20.ArrayEncoding.ArrayEncodingOneofCase.Fsst:
                var fsst = encoding.Fsst;
                var (compressed, fsstValidity) = DecodeArray(fsst.Binary ?? Missing(what), buffers, count, what);
                var table = new Fsst(fsst.SymbolTable.Span, what);
                byte[] output = new byte[Math.Max(16, compressed.DataLength * 3)];
                var offsets = new long[count + 1];
                int position = 0;
                for (int i = 0; i < count; i++)
                {
                    table.Decode(compressed.Value(i), ref output, ref position, what);
                    offsets[i + 1] = position;
                }

                return (DecodedValues.Variable(count, output, position, offsets), fsstValidity);
            case Enc20.ArrayEncoding.ArrayEncodingOneofCase.Dictionary:
                return Dictionary(encoding.Dictionary, buffers, count, what);
            case Enc20.ArrayEncoding.ArrayEncodingOneofCase.Constant:
                return (Decompressors.Repeat(encoding.Constant.Value.Span, count, what), null);
            default:
                throw new LanceFormatException(
                    $"{what} uses the Lance 2.0 encoding {encoding.ArrayEncodingCase}, which Lance.Engine cannot decode yet.");
        }
    }

    private static DecodedValues Flat(Enc20.Flat flat, IReadOnlyList<ReadOnlyMemory<byte>> buffers, int count, string what)
    {
        int bits = flat.BitsPerValue <= 4096 ? (int)flat.BitsPerValue : throw new LanceFormatException($"{what} is corrupt: Flat values of {flat.BitsPerValue} bits.");
        if (bits != 1 && (bits == 0 || bits % 8 != 0))
        {
            throw new LanceFormatException($"{what} is corrupt: Flat values of {bits} bits are not byte-aligned.");
        }

        var data = PageBuffer(flat.Buffer, buffers, what).Span;
        if (flat.Compression is { Scheme.Length: > 0 } compression)
        {
            var scheme = compression.Scheme.ToUpperInvariant() switch
            {
                "ZSTD" => Protos.Encodings21.CompressionScheme.CompressionAlgorithmZstd,
                "LZ4" => Protos.Encodings21.CompressionScheme.CompressionAlgorithmLz4,
                _ => throw new LanceFormatException($"{what} uses '{compression.Scheme}' buffer compression, which Lance.Engine cannot decode."),
            };
            data = GeneralCompression.Decompress(scheme, data, what);
        }

        long needed = bits == 1 ? (count + 7L) / 8 : (long)count * (bits / 8);
        if (data.Length < needed)
        {
            throw new LanceFormatException($"{what} is corrupt: {count} Flat({bits}) values need {needed} bytes but the page buffer has {data.Length}.");
        }

        return DecodedValues.Fixed(count, bits, data[..(int)needed].ToArray());
    }

    private static (DecodedValues, byte[]?) Binary(Enc20.Binary binary, IReadOnlyList<ReadOnlyMemory<byte>> buffers, int count, string what)
    {
        var (indices, indexValidity) = DecodeArray(binary.Indices ?? Missing(what), buffers, count, what);
        if (indices.BitsPerValue is not (32 or 64) || indexValidity is not null)
        {
            throw new LanceFormatException($"{what} is corrupt: 2.0 string indices must be plain 32- or 64-bit integers.");
        }

        var bytesEncoding = binary.Bytes ?? Missing(what);
        var bytes = bytesEncoding.ArrayEncodingCase == Enc20.ArrayEncoding.ArrayEncodingOneofCase.Flat
            ? PageBuffer(bytesEncoding.Flat.Buffer, buffers, what)
            : throw new LanceFormatException($"{what} uses 2.0 string bytes encoded as {bytesEncoding.ArrayEncodingCase}, which Lance.Engine cannot decode.");
        ulong adjustment = binary.NullAdjustment;
        var offsets = new long[count + 1];
        byte[]? validity = null;
        for (int i = 0; i < count; i++)
        {
            ulong raw = indices.BitsPerValue == 64
                ? BinaryPrimitives.ReadUInt64LittleEndian(indices.Span[(i * 8)..])
                : BinaryPrimitives.ReadUInt32LittleEndian(indices.Span[(i * 4)..]);
            bool valid = adjustment == 0 || raw < adjustment;
            ulong end = valid ? raw : raw - adjustment;
            if (end > (ulong)bytes.Length || (long)end < offsets[i])
            {
                throw new LanceFormatException($"{what} is corrupt: string {i} ends at {end}, outside [{offsets[i]}, {bytes.Length}].");
            }

            offsets[i + 1] = (long)end;
            if (!valid)
            {
                validity ??= AllValid(count);
                validity[i >> 3] &= (byte)~(1 << (i & 7));
            }
        }

        return (DecodedValues.Variable(count, bytes.ToArray(), bytes.Length, offsets), validity);
    }

    private static (DecodedValues, byte[]?) Dictionary(Enc20.Dictionary dictionary, IReadOnlyList<ReadOnlyMemory<byte>> buffers, int count, string what)
    {
        var (indices, indexValidity) = DecodeArray(dictionary.Indices ?? Missing(what), buffers, count, what);
        int items = (int)dictionary.NumDictionaryItems;
        var (values, itemValidity) = DecodeArray(dictionary.Items ?? Missing(what), buffers, items, what);
        if (indices.IsVariable)
        {
            throw new LanceFormatException($"{what} is corrupt: dictionary indices are variable-width.");
        }

        byte[]? validity = indexValidity;
        var offsets = values.IsVariable ? new long[count + 1] : null;
        int width = values.IsVariable ? 0 : values.BitsPerValue / 8;
        var output = values.IsVariable ? new List<byte>() : null;
        var fixedOutput = values.IsVariable ? null : new byte[count * width];
        // The 2.0 writer's own string dictionaries (8-bit indices) reserve index 0 for null and
        // number the items from 1; dictionaries of Arrow dictionary columns index items directly.
        bool oneBased = indices.BitsPerValue == 8;
        for (int i = 0; i < count; i++)
        {
            long index = indices.IndexAt(i);
            if (oneBased)
            {
                index = index == 0 ? items : index - 1;
            }

            bool valid = index >= 0 && index < items && (itemValidity is null || (itemValidity[index >> 3] & (1 << (int)(index & 7))) != 0);
            if ((index < 0 || index >= items) && !(oneBased && index == items))
            {
                throw new LanceFormatException($"{what} is corrupt: dictionary index {index} of {items} items.");
            }

            if (!valid)
            {
                validity ??= AllValid(count);
                validity[i >> 3] &= (byte)~(1 << (i & 7));
            }

            if (values.IsVariable)
            {
                if (valid)
                {
                    output!.AddRange(values.Value((int)index));
                }

                offsets![i + 1] = output!.Count;
            }
            else if (valid)
            {
                values.Span.Slice((int)index * width, width).CopyTo(fixedOutput.AsSpan(i * width));
            }
        }

        return values.IsVariable
            ? (DecodedValues.Variable(count, [.. output!], output!.Count, offsets!), validity)
            : (DecodedValues.Fixed(count, values.BitsPerValue, fixedOutput!), validity);
    }

    private static ReadOnlyMemory<byte> PageBuffer(Enc20.Buffer? buffer, IReadOnlyList<ReadOnlyMemory<byte>> buffers, string what)
    {
        if (buffer is null || buffer.BufferType != Enc20.Buffer.Types.BufferType.Page)
        {
            throw new LanceFormatException($"{what} refers to a {buffer?.BufferType.ToString() ?? "missing"} buffer; only page buffers are supported in 2.0 files.");
        }

        return buffer.BufferIndex < buffers.Count
            ? buffers[(int)buffer.BufferIndex]
            : throw new LanceFormatException($"{what} is corrupt: it refers to page buffer {buffer.BufferIndex} of {buffers.Count}.");
    }

    private static DecodedValues Zeros(int count) => DecodedValues.Fixed(count, 0, []);

    private static byte[] AllValid(int count)
    {
        var bits = new byte[(count + 7) / 8];
        bits.AsSpan().Fill(0xFF);
        return bits;
    }

    private static Enc20.ArrayEncoding Missing(string what) =>
        throw new LanceFormatException($"{what} is corrupt: a 2.0 encoding lacks an inner encoding.");
}
