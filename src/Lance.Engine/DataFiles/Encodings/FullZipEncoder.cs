using System.Buffers.Binary;
using System.Numerics;
using Lance.Engine.DataFiles.Nested;
using Lance.Engine.Format;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.DataFiles.Encodings;

/// <summary>
/// Writes pages in Lance 2.1's full-zip layout, used for wide values (vectors of 256 bytes or
/// more, long strings): each value is stored whole, preceded by a one-byte control word holding
/// its definition level when the page has nulls. Without nulls a vector page is therefore one flat
/// array of floats, which readers can scan in place.
/// </summary>
internal static class FullZipEncoder
{
    /// <summary>
    /// Encodes fixed-width values. Without nulls the page's gathered values are used as they are
    /// (the returned page aliases <paramref name="page"/>'s scratch memory: write it before reusing the page).
    /// </summary>
    public static EncodedPage EncodeFixed(GatheredPage page, int bitsPerValue, Enc21.CompressiveEncoding valueEncoding)
    {
        if (page.HasNullItems && valueEncoding.FixedSizeList is { HasValidity: true } fsl)
        {
            return EncodeVectorsWithNullItems(page, bitsPerValue, (int)fsl.ItemsPerValue, valueEncoding);
        }

        int width = bitsPerValue / 8;
        ReadOnlyMemory<byte> zipped;
        if (!page.HasNulls)
        {
            zipped = page.ValuesMemory;
        }
        else
        {
            var buffer = new byte[checked((long)page.Count * (width + 1))];
            var values = page.Values;
            var definitions = page.Definitions;
            for (int i = 0, position = 0; i < page.Count; i++, position += width + 1)
            {
                // A null keeps its (meaningless) value bytes: fixed-width items are always visible.
                buffer[position] = (byte)definitions[i];
                values.Slice(i * width, width).CopyTo(buffer.AsSpan(position + 1));
            }

            zipped = buffer;
        }

        var layout = Layout(page);
        layout.BitsPerValue = (uint)bitsPerValue;
        layout.ValueCompression = valueEncoding;
        return new EncodedPage([zipped], new Enc21.PageLayout { FullZipLayout = layout });
    }

    // Vectors with null items: per row [control byte when nullable][item validity bits, whole
    // bytes][items]; the layout's bits per value counts the validity bytes too, as Lance's does.
    private static EncodedPage EncodeVectorsWithNullItems(GatheredPage page, int bitsPerValue, int itemsPerValue, Enc21.CompressiveEncoding valueEncoding)
    {
        int width = bitsPerValue / 8;
        int validityBytes = (itemsPerValue + 7) / 8;
        int control = page.HasNulls ? 1 : 0;
        int stride = control + validityBytes + width;
        var buffer = new byte[checked((long)page.Count * stride)];
        var values = page.Values;
        var itemValidity = page.ItemValidity;
        var definitions = page.Definitions;
        for (int i = 0, position = 0; i < page.Count; i++, position += stride)
        {
            if (control > 0)
            {
                buffer[position] = (byte)definitions[i];
            }

            var validity = buffer.AsSpan(position + control, validityBytes);
            for (int k = 0; k < itemsPerValue; k++)
            {
                int bit = (i * itemsPerValue) + k;
                if ((itemValidity[bit >> 3] & (1 << (bit & 7))) != 0)
                {
                    validity[k >> 3] |= (byte)(1 << (k & 7));
                }
            }

            values.Slice(i * width, width).CopyTo(buffer.AsSpan(position + control + validityBytes));
        }

        var layout = Layout(page);
        layout.BitsPerValue = (uint)((validityBytes + width) * 8);
        layout.ValueCompression = valueEncoding;
        return new EncodedPage([buffer], new Enc21.PageLayout { FullZipLayout = layout });
    }

    /// <summary>
    /// Encodes variable-width values as <c>[control byte] length, bytes</c> per value (a null has
    /// only its control byte; the length is as wide as the offsets, 32 or 64 bits), plus a
    /// repetition index of <c>rows + 1</c> start offsets whose width (1, 2, 4 or 8 bytes) is the
    /// smallest that holds the buffer's length, as Lance picks it.
    /// </summary>
    public static EncodedPage EncodeVariable(GatheredPage page, int offsetBits)
    {
        int lengthBytes = offsetBits / 8;
        var offsets = page.Offsets;
        var definitions = page.Definitions;
        bool hasDefinitions = page.HasNulls;
        long total = 0;
        for (int i = 0; i < page.Count; i++)
        {
            total += hasDefinitions ? 1 : 0;
            if (definitions[i] == 0)
            {
                total += lengthBytes + (offsets[i + 1] - offsets[i]);
            }
        }

        var buffer = new byte[checked((int)total)];
        int indexWidth = total <= byte.MaxValue ? 1 : total <= ushort.MaxValue ? 2 : total <= uint.MaxValue ? 4 : 8;
        var index = new byte[(page.Count + 1) * indexWidth];
        var values = page.Values;
        int position = 0;
        for (int i = 0; i < page.Count; i++)
        {
            WriteIndex(index, i, indexWidth, position);
            if (hasDefinitions)
            {
                buffer[position++] = (byte)definitions[i];
            }

            if (definitions[i] == 0)
            {
                int length = (int)(offsets[i + 1] - offsets[i]);
                if (lengthBytes == 4)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(position), (uint)length);
                }
                else
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(position), (ulong)length);
                }

                values.Slice((int)offsets[i], length).CopyTo(buffer.AsSpan(position + lengthBytes));
                position += lengthBytes + length;
            }
        }

        WriteIndex(index, page.Count, indexWidth, position);
        var layout = Layout(page);
        layout.BitsPerOffset = (uint)offsetBits;
        layout.ValueCompression = EncodingProtos.Variable(offsetBits);
        return new EncodedPage([buffer, index], new Enc21.PageLayout { FullZipLayout = layout });
    }

    /// <summary>
    /// Encodes a page of a nested column: per entry a control word <c>(rep &lt;&lt; bits_def) | def</c>
    /// (1, 2 or 4 bytes), then, for an entry with a value, the value (fixed width: always; variable
    /// width: length and bytes, only when valid). Adds the repetition index (one start offset per
    /// row, then the end) whenever there are lists or the values are variable-width.
    /// </summary>
    /// <param name="page">The visible values, in order.</param>
    /// <param name="levels">The page's levels.</param>
    /// <param name="bits">Bits per value (fixed width) or per offset (variable width).</param>
    /// <param name="variable">Whether the values are variable-width.</param>
    /// <param name="valueEncoding">How the values are described.</param>
    public static EncodedPage EncodeNested(GatheredPage page, PageLevels levels, int bits, bool variable, Enc21.CompressiveEncoding valueEncoding)
    {
        int maxRep = 0;
        int maxDef = 0;
        for (int i = 0; i < levels.Count; i++)
        {
            maxRep = Math.Max(maxRep, levels.Rep?[i] ?? 0);
            maxDef = Math.Max(maxDef, levels.Def?[i] ?? 0);
        }

        int bitsRep = maxRep == 0 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)maxRep);
        int bitsDef = maxDef == 0 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)maxDef);
        int controlBytes = (bitsRep + bitsDef) switch
        {
            0 => 0,
            <= 8 => 1,
            <= 16 => 2,
            _ => 4,
        };
        int width = bits / 8;
        var values = page.Values;
        var offsets = variable ? page.Offsets : default;
        // Vectors with null items carry their items' validity bits (whole bytes) ahead of the items.
        int itemsPerValue = !variable && page.HasNullItems && valueEncoding.FixedSizeList is { HasValidity: true } fsl ? (int)fsl.ItemsPerValue : 0;
        var validity = new byte[(itemsPerValue + 7) / 8];

        // First the bytes and rows the page takes, so that it is written straight into one buffer of its size (the
        // posting lists of a full-text index are hundreds of MB of such pages: a growing stream copied them ~3 times).
        long total = 0;
        int rows = 0;
        int value = 0;
        for (int i = 0; i < levels.Count; i++)
        {
            if (levels.Rep is null || (levels.Rep[i]) == maxRep)
            {
                rows++;
            }

            total += controlBytes;
            if (!levels.IsVisible(i))
            {
                continue;
            }

            if (!variable)
            {
                total += validity.Length + width;
            }
            else if ((levels.Def?[i] ?? 0) == 0)
            {
                total += width + (offsets[value + 1] - offsets[value]);
            }

            value++;
        }

        if (value != page.Count)
        {
            throw new InvalidOperationException($"A nested page's levels name {value} values but it holds {page.Count}.");
        }

        var zipped = GC.AllocateUninitializedArray<byte>(checked((int)total));
        var rowStarts = new long[rows];
        Span<byte> scratch = stackalloc byte[8];
        int at = 0;
        int row = 0;
        value = 0;
        for (int i = 0; i < levels.Count; i++)
        {
            ushort rep = levels.Rep?[i] ?? 0;
            ushort def = levels.Def?[i] ?? 0;
            if (levels.Rep is null || rep == maxRep)
            {
                rowStarts[row++] = at;
            }

            uint control = ((uint)rep << bitsDef) | def;
            BinaryPrimitives.WriteUInt32LittleEndian(scratch, control);
            scratch[..controlBytes].CopyTo(zipped.AsSpan(at));
            at += controlBytes;
            if (!levels.IsVisible(i))
            {
                continue;
            }

            if (!variable)
            {
                if (itemsPerValue > 0)
                {
                    System.Array.Clear(validity);
                    for (int k = 0; k < itemsPerValue; k++)
                    {
                        int bit = (value * itemsPerValue) + k;
                        if ((page.ItemValidity[bit >> 3] & (1 << (bit & 7))) != 0)
                        {
                            validity[k >> 3] |= (byte)(1 << (k & 7));
                        }
                    }

                    validity.CopyTo(zipped.AsSpan(at));
                    at += validity.Length;
                }

                values.Slice(value * width, width).CopyTo(zipped.AsSpan(at));
                at += width;
            }
            else if (def == 0)
            {
                long length = offsets[value + 1] - offsets[value];
                BinaryPrimitives.WriteUInt64LittleEndian(scratch, (ulong)length);
                scratch[..width].CopyTo(zipped.AsSpan(at));
                at += width;
                values.Slice((int)offsets[value], (int)length).CopyTo(zipped.AsSpan(at));
                at += (int)length;
            }

            value++;
        }

        var layout = new Enc21.FullZipLayout
        {
            BitsRep = (uint)bitsRep,
            BitsDef = (uint)bitsDef,
            NumItems = (uint)levels.Count,
            NumVisibleItems = (uint)page.Count,
            ValueCompression = valueEncoding,
        };
        if (variable)
        {
            layout.BitsPerOffset = (uint)bits;
        }
        else
        {
            layout.BitsPerValue = (uint)(bits + (validity.Length * 8));
        }

        layout.Layers.AddRange(levels.Layout.LayersInnermostFirst);
        if (levels.Rep is null && !variable)
        {
            return new EncodedPage([zipped], new Enc21.PageLayout { FullZipLayout = layout });
        }

        int indexWidth = total <= byte.MaxValue ? 1 : total <= ushort.MaxValue ? 2 : total <= uint.MaxValue ? 4 : 8;
        var index = new byte[(rowStarts.Length + 1) * indexWidth];
        for (int r = 0; r < rowStarts.Length; r++)
        {
            WriteIndex(index, r, indexWidth, rowStarts[r]);
        }

        WriteIndex(index, rowStarts.Length, indexWidth, total);
        return new EncodedPage([zipped, index], new Enc21.PageLayout { FullZipLayout = layout });
    }

    private static Enc21.FullZipLayout Layout(GatheredPage page)
    {
        var layout = new Enc21.FullZipLayout
        {
            BitsRep = 0,
            BitsDef = page.HasNulls ? 1u : 0u,
            NumItems = (uint)page.Count,
            NumVisibleItems = (uint)page.Count,
        };
        layout.Layers.Add(page.HasNulls ? Enc21.RepDefLayer.RepdefNullableItem : Enc21.RepDefLayer.RepdefAllValidItem);
        return layout;
    }

    private static void WriteIndex(byte[] index, int entry, int width, long value)
    {
        var span = index.AsSpan(entry * width, width);
        switch (width)
        {
            case 1: span[0] = (byte)value; break;
            case 2: BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)value); break;
            case 4: BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)value); break;
            default: BinaryPrimitives.WriteUInt64LittleEndian(span, (ulong)value); break;
        }
    }
}
