using System.Buffers.Binary;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.Format.Encodings;

/// <summary>Reads a full-zip page (see <see cref="FullZipEncoder"/> for the layout) into a <see cref="ColumnBuilder"/>.</summary>
internal static class FullZipDecoder
{
    /// <summary>Decodes <paramref name="rows"/> rows from the page's buffers (zipped values, then an optional repetition index).</summary>
    /// <exception cref="LanceFormatException">The page uses repetition or encodings not supported, or is corrupt.</exception>
    public static void Decode(Enc21.FullZipLayout layout, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long rows, ColumnBuilder builder, string columnName)
    {
        if (Compression.CompressedFullZipDecoder.Handles(layout))
        {
            Compression.CompressedFullZipDecoder.Decode(layout, buffers, rows, builder, columnName);
            return;
        }

        if (layout.BitsRep != 0)
        {
            throw new LanceFormatException($"Column '{columnName}' has repetition levels (lists); nested data is not supported yet.");
        }

        // The control word holds rep and def bits; without rep it is as wide as the def levels need.
        int controlBytes = layout.BitsDef switch
        {
            0 => 0,
            <= 8 => 1,
            <= 16 => 2,
            _ => 4,
        };
        var values = ValueEncoding.From(layout.ValueCompression, columnName);
        MiniBlockDecoder.CheckWidth(values, builder, columnName);
        var data = buffers[0].Span;
        int count = checked((int)rows);
        if (!values.IsVariable)
        {
            int width = values.Bits / 8;
            if (controlBytes == 0)
            {
                builder.AppendFixed(data, count);
                return;
            }

            int stride = controlBytes + width;
            for (int i = 0; i < count; i++)
            {
                var entry = data.Slice(i * stride, stride);
                builder.AppendFixed(entry[controlBytes..], 1);
                if (Control(entry, controlBytes) != 0)
                {
                    builder.SetNull(builder.Length - 1);
                }
            }

            return;
        }

        int lengthBytes = values.Bits / 8;
        int position = 0;
        for (int i = 0; i < count; i++)
        {
            if (controlBytes > 0)
            {
                uint control = Control(data[position..], controlBytes);
                position += controlBytes;
                if (control != 0)
                {
                    // A null (or an empty list above it) has no length or bytes.
                    builder.AppendNulls(1);
                    continue;
                }
            }

            long length = lengthBytes == 4
                ? BinaryPrimitives.ReadUInt32LittleEndian(data[position..])
                : (long)BinaryPrimitives.ReadUInt64LittleEndian(data[position..]);
            position += lengthBytes;
            builder.AppendVariable(data.Slice(position, checked((int)length)));
            position += (int)length;
        }
    }

    private static uint Control(ReadOnlySpan<byte> entry, int controlBytes) => controlBytes switch
    {
        1 => entry[0],
        2 => BinaryPrimitives.ReadUInt16LittleEndian(entry),
        _ => BinaryPrimitives.ReadUInt32LittleEndian(entry),
    };
}
