using System.Buffers.Binary;
using Lance.Engine.DataFiles.Encodings;
using Lance.Engine.DataFiles.Nested;
using Lance.Engine.Format;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.DataFiles.Compression;

/// <summary>
/// Reads full-zip pages whose values are compressed one by one: per row an optional control word, a
/// length, and that many compressed bytes. LanceDB writes long strings with FSST, and values over
/// 32 KiB (strings and binaries alike) each as one LZ4 or ZSTD buffer (a <c>General</c> encoding).
/// </summary>
internal static class CompressedFullZipDecoder
{
    /// <summary>Whether the page needs this decoder rather than the plain one.</summary>
    public static bool Handles(Enc21.FullZipLayout layout) =>
        layout.ValueCompression?.CompressionCase is Enc21.CompressiveEncoding.CompressionOneofCase.Fsst
            or Enc21.CompressiveEncoding.CompressionOneofCase.General;

    /// <summary>Decodes a page of <paramref name="rows"/> rows of compressed values into <paramref name="builder"/> (and, for a leaf of a nested column, its levels into <paramref name="levels"/>).</summary>
    /// <exception cref="LanceFormatException">The page is corrupt or uses an encoding not supported.</exception>
    public static void Decode(
        Enc21.FullZipLayout layout, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long rows, ColumnBuilder builder, string columnName,
        LevelCollector? levels = null)
    {
        string what = $"Column '{columnName}'";
        if (layout.BitsRep != 0 && levels is null)
        {
            throw new LanceFormatException($"{what} has repetition levels (lists) but its field is not a list.");
        }

        if (layout.BitsRep + layout.BitsDef > 32)
        {
            throw new LanceFormatException($"{what}: a full-zip page's control words need {layout.BitsRep + layout.BitsDef} bits, more than 32.");
        }

        if (!builder.IsVariable)
        {
            throw new LanceFormatException($"{what}: its pages store compressed variable-width values, which does not match its type.");
        }

        if (buffers.Count < 1)
        {
            throw new LanceFormatException($"{what} is corrupt: a full-zip page has no buffers.");
        }

        var general = layout.ValueCompression.CompressionCase == Enc21.CompressiveEncoding.CompressionOneofCase.General
            ? Decompressors.FullZipGeneral(layout.ValueCompression.General, what)
            : (Enc21.CompressionScheme?)null;
        var fsst = general is null ? Decompressors.FullZipFsst(layout.ValueCompression.Fsst, what) : null;
        int controlBytes = (layout.BitsRep + layout.BitsDef) switch { 0 => 0, <= 8 => 1, <= 16 => 2, _ => 4 };
        int bitsDef = (int)layout.BitsDef;
        uint defMask = bitsDef == 0 ? 0 : (uint)((1L << bitsDef) - 1);
        levels?.BeginPage(layout.Layers);
        // With levels, entries are the page's items (levels without a visible item take no bytes).
        long entries = levels is null ? rows : layout.NumItems;
        int lengthBytes = layout.DetailsCase == Enc21.FullZipLayout.DetailsOneofCase.BitsPerOffset && layout.BitsPerOffset == 64 ? 8 : 4;
        var data = buffers[0].Span;
        byte[] scratch = new byte[256];
        int position = 0;
        for (long row = 0; row < entries; row++)
        {
            if (controlBytes > 0 || levels is not null)
            {
                uint control = 0;
                if (controlBytes > 0)
                {
                    Need(data, position, controlBytes, what);
                    control = controlBytes switch
                    {
                        1 => data[position],
                        2 => BinaryPrimitives.ReadUInt16LittleEndian(data[position..]),
                        _ => BinaryPrimitives.ReadUInt32LittleEndian(data[position..]),
                    };
                    position += controlBytes;
                }

                bool valid = control == 0;
                if (levels is not null && !levels.Add((ushort)(control >> bitsDef), (ushort)(control & defMask), out valid))
                {
                    continue; // an empty or null list: no item, no bytes
                }

                if (!valid)
                {
                    builder.AppendNulls(1);
                    continue;
                }
            }

            Need(data, position, lengthBytes, what);
            ulong length = lengthBytes == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(data[position..]) : BinaryPrimitives.ReadUInt64LittleEndian(data[position..]);
            position += lengthBytes;
            if (length > (ulong)(data.Length - position))
            {
                throw new LanceFormatException($"{what} is corrupt: row {row} claims {length} bytes but only {data.Length - position} remain in its page.");
            }

            var compressed = data.Slice(position, (int)length);
            if (fsst is not null)
            {
                int written = 0;
                fsst.Decode(compressed, ref scratch, ref written, what);
                builder.AppendVariable(scratch.AsSpan(0, written));
            }
            else
            {
                // Lance compresses even an empty value on its own; an empty buffer is an empty value too.
                builder.AppendVariable(compressed.IsEmpty ? [] : GeneralCompression.Decompress(general!.Value, compressed, what));
            }

            position += (int)length;
        }
    }

    private static void Need(ReadOnlySpan<byte> data, int position, int bytes, string what)
    {
        if (bytes > data.Length - position)
        {
            throw new LanceFormatException($"{what} is corrupt: a full-zip page ends in the middle of a value.");
        }
    }
}
