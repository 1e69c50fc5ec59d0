using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Lance.Engine.DataFiles.Nested;
using Lance.Engine.Format;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.DataFiles.Encodings;

/// <summary>Reads a full-zip page (see <see cref="FullZipEncoder"/> for the layout) into a <see cref="ColumnBuilder"/>.</summary>
internal static class FullZipDecoder
{
    /// <summary>Decodes <paramref name="rows"/> rows from the page's buffers (zipped values, then an optional repetition index).</summary>
    /// <param name="layout">The page's layout.</param>
    /// <param name="buffers">The page's buffers.</param>
    /// <param name="rows">The page's rows.</param>
    /// <param name="builder">Receives the values (for a nested column, the visible ones).</param>
    /// <param name="columnName">For messages.</param>
    /// <param name="levels">For a leaf of a nested column, receives its rep/def levels; null for a flat column.</param>
    /// <exception cref="LanceFormatException">The page uses encodings not supported, or is corrupt.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Decode(
        Enc21.FullZipLayout layout, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long rows, ColumnBuilder builder, string columnName,
        LevelCollector? levels = null)
    {
        if (Compression.CompressedFullZipDecoder.Handles(layout))
        {
            Compression.CompressedFullZipDecoder.Decode(layout, buffers, rows, builder, columnName, levels);
            return;
        }

        if (layout.BitsRep != 0 && levels is null)
        {
            throw new LanceFormatException($"Column '{columnName}' has repetition levels (lists) but its field is not a list.");
        }

        if (layout.BitsRep + layout.BitsDef > 32)
        {
            throw new LanceFormatException($"Column '{columnName}': a full-zip page's control words need {layout.BitsRep + layout.BitsDef} bits, more than 32.");
        }

        if (buffers.Count < 1)
        {
            throw new LanceFormatException($"Column '{columnName}': a full-zip page has no buffers.");
        }

        // The control word holds rep and def bits, padded to 1, 2 or 4 bytes.
        int controlBytes = (layout.BitsRep + layout.BitsDef) switch
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
        if (levels is not null)
        {
            levels.BeginPage(layout.Layers);
            DecodeNested(layout, data, controlBytes, values, builder, columnName, levels);
            return;
        }

        if (values.ItemValidityBytes != 0)
        {
            DecodeVectorsWithNullItems(data, controlBytes, values, count, builder, columnName);
            return;
        }

        if (!values.IsVariable)
        {
            int width = values.Bits / 8;
            int stride = controlBytes + width;
            if ((long)count * stride > data.Length)
            {
                throw new LanceFormatException($"Column '{columnName}': a full-zip page of {count} values of {stride} bytes holds only {data.Length} bytes.");
            }

            if (controlBytes == 0)
            {
                builder.AppendFixed(data, count);
                return;
            }

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

        var cursor = new Cursor(data, columnName);
        for (int i = 0; i < count; i++)
        {
            if (controlBytes > 0 && cursor.Control(controlBytes) != 0)
            {
                // A null (or an empty list above it) has no length or bytes.
                builder.AppendNulls(1);
                continue;
            }

            builder.AppendVariable(cursor.Value(values.Bits / 8));
        }
    }

    // Vectors with null items: per row a control word (when nullable), the items' validity bits
    // (whole bytes), then the items.
    private static void DecodeVectorsWithNullItems(
        ReadOnlySpan<byte> data, int controlBytes, ValueEncoding values, int count, ColumnBuilder builder, string columnName)
    {
        int width = values.Bits / 8;
        int stride = controlBytes + values.ItemValidityBytes + width;
        if ((long)count * stride > data.Length)
        {
            throw new LanceFormatException($"Column '{columnName}': a full-zip page of {count} values of {stride} bytes holds only {data.Length} bytes.");
        }

        for (int i = 0; i < count; i++)
        {
            var entry = data.Slice(i * stride, stride);
            builder.AppendFixed(entry[(controlBytes + values.ItemValidityBytes)..], 1);
            builder.ApplyItemValidity(entry.Slice(controlBytes, values.ItemValidityBytes), 1, 0, $"Column '{columnName}'");
            if (controlBytes > 0 && Control(entry, controlBytes) != 0)
            {
                builder.SetNull(builder.Length - 1);
            }
        }
    }

    private static void DecodeNested(
        Enc21.FullZipLayout layout, ReadOnlySpan<byte> data, int controlBytes, ValueEncoding values, ColumnBuilder builder, string columnName,
        LevelCollector levels)
    {
        int bitsDef = (int)layout.BitsDef;
        uint defMask = bitsDef == 0 ? 0 : (uint)((1L << bitsDef) - 1);
        var cursor = new Cursor(data, columnName);
        int width = values.Bits / 8;
        for (long i = 0; i < layout.NumItems; i++)
        {
            uint control = controlBytes == 0 ? 0 : cursor.Control(controlBytes);
            ushort rep = (ushort)(control >> bitsDef);
            ushort def = (ushort)(control & defMask);
            if (!levels.Add(rep, def, out bool valid))
            {
                continue;
            }

            if (!values.IsVariable)
            {
                var validity = cursor.Take(values.ItemValidityBytes);
                builder.AppendFixed(cursor.Take(width), 1);
                if (values.ItemValidityBytes != 0)
                {
                    builder.ApplyItemValidity(validity, 1, 0, $"Column '{columnName}'");
                }

                if (!valid)
                {
                    builder.SetNull(builder.Length - 1);
                }
            }
            else if (valid)
            {
                builder.AppendVariable(cursor.Value(width));
            }
            else
            {
                builder.AppendNulls(1);
            }
        }
    }

    private static uint Control(ReadOnlySpan<byte> entry, int controlBytes) => controlBytes switch
    {
        1 => entry[0],
        2 => BinaryPrimitives.ReadUInt16LittleEndian(entry),
        _ => BinaryPrimitives.ReadUInt32LittleEndian(entry),
    };

    /// <summary>Walks the zipped buffer, refusing to read past its end.</summary>
    private ref struct Cursor(ReadOnlySpan<byte> data, string columnName)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public ReadOnlySpan<byte> Take(long length)
        {
            if (length < 0 || _position + length > _data.Length)
            {
                throw new LanceFormatException(
                    $"Column '{columnName}': a full-zip page names {length} bytes at {_position}, past the end of its {_data.Length}-byte buffer.");
            }

            var result = _data.Slice(_position, (int)length);
            _position += (int)length;
            return result;
        }

        public uint Control(int controlBytes) => FullZipDecoder.Control(Take(controlBytes), controlBytes);

        // A length as wide as the offsets (4 or 8 bytes), then that many bytes.
        public ReadOnlySpan<byte> Value(int lengthBytes)
        {
            var prefix = Take(lengthBytes);
            long length = lengthBytes == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(prefix) : (long)BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            return Take(length);
        }
    }
}
