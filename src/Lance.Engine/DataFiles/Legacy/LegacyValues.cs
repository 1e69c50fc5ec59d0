using System.Buffers.Binary;
using Apache.Arrow;
using Lance.Engine.Format;

namespace Lance.Engine.DataFiles.Legacy;

/// <summary>
/// The two value layouts of legacy (0.1) pages. <b>Plain</b>: a fixed-width page is its values back
/// to back (bools bit-packed, least significant bit first; fixed-size lists their items), with no
/// validity: Lance wrote whatever lay under a null. <b>Var-binary</b>: the page position points at
/// <c>rows + 1</c> little-endian i64 absolute file positions, and the bytes of value <c>i</c> lie at
/// <c>[p[i], p[i+1])</c>, before them; an empty value of a nullable field reads as null.
/// Both read a column's pages of every batch into one Arrow buffer.
/// </summary>
internal static class LegacyValues
{
    /// <summary>One page of a column: where it starts and how many values it holds.</summary>
    public readonly record struct Page(long Position, int Rows);

    /// <summary>
    /// Reads fixed-width values of <paramref name="bytesPerValue"/> bytes from each page into one
    /// buffer: one read per page, straight into the buffer, or a mapped view when there is one page
    /// and <paramref name="map"/> is set.
    /// </summary>
    public static ArrowBuffer ReadFixed(ILegacyFileBytes file, IReadOnlyList<Page> pages, long bytesPerValue, bool map, string column)
    {
        long total = 0;
        foreach (var page in pages)
        {
            if (bytesPerValue <= 0 || page.Rows > file.Length / bytesPerValue)
            {
                throw new LanceFormatException(
                    $"'{file.Name}' is corrupt: a page of column '{column}' claims {page.Rows} values of {bytesPerValue} bytes, more than the {file.Length}-byte file holds.");
            }

            long bytes = page.Rows * bytesPerValue;
            CheckRange(file, page.Position, bytes, column);
            total += bytes;
            if (total > file.Length)
            {
                throw new LanceFormatException($"'{file.Name}' is corrupt: the pages of column '{column}' claim more bytes than the {file.Length}-byte file holds.");
            }
        }

        if (total > System.Array.MaxLength)
        {
            throw new LanceFormatException($"'{file.Name}': column '{column}' holds {total} bytes, more than one Arrow buffer can.");
        }

        if (map && pages.Count == 1 && total >= DataFileReader.MinMappedColumnBytes && file.TryMap(pages[0].Position, (int)total) is { } mapped)
        {
            return new ArrowBuffer(mapped);
        }

        var values = GC.AllocateUninitializedArray<byte>((int)total);
        int at = 0;
        foreach (var page in pages)
        {
            int bytes = (int)(page.Rows * bytesPerValue);
            file.ReadInto(page.Position, values.AsSpan(at, bytes));
            at += bytes;
        }

        return new ArrowBuffer(values);
    }

    /// <summary>Reads bit-packed bools from each page into one bitmap (pages need not end on a byte).</summary>
    public static ArrowBuffer ReadBits(ILegacyFileBytes file, IReadOnlyList<Page> pages, string column)
    {
        long totalBits = 0;
        foreach (var page in pages)
        {
            CheckRange(file, page.Position, (page.Rows + 7L) / 8, column);
            totalBits += page.Rows;
            if (totalBits > file.Length * 8)
            {
                throw new LanceFormatException($"'{file.Name}' is corrupt: the pages of column '{column}' claim more bits than the {file.Length}-byte file holds.");
            }
        }

        if ((totalBits + 7) / 8 > System.Array.MaxLength)
        {
            throw new LanceFormatException($"'{file.Name}': column '{column}' holds {totalBits} bools, more than one Arrow buffer can.");
        }

        var bits = new byte[(totalBits + 7) / 8];
        long at = 0;
        foreach (var page in pages)
        {
            var source = file.Read(page.Position, (page.Rows + 7) / 8).Span;
            if (at % 8 == 0)
            {
                source.CopyTo(bits.AsSpan((int)(at / 8)));
                int tail = page.Rows % 8;
                if (tail != 0)
                {
                    // Bits past the page's last value are not values: clear them for the next page.
                    bits[(at + page.Rows) / 8] &= (byte)((1 << tail) - 1);
                }
            }
            else
            {
                for (int i = 0; i < page.Rows; i++)
                {
                    if ((source[i >> 3] & (1 << (i & 7))) != 0)
                    {
                        long d = at + i;
                        bits[d >> 3] |= (byte)(1 << (int)(d & 7));
                    }
                }
            }

            at += page.Rows;
        }

        return new ArrowBuffer(bits);
    }

    /// <summary>
    /// Reads var-binary pages into Arrow offsets (32- or 64-bit), values and validity (when
    /// <paramref name="nullable"/>, empty values are null, as Lance reads them).
    /// </summary>
    public static ArrayData ReadBinary(ILegacyFileBytes file, IReadOnlyList<Page> pages, Apache.Arrow.Types.IArrowType type, bool nullable, string column)
    {
        bool large = LanceLogicalTypes.HasLargeOffsets(type);
        var positions = new long[pages.Count][];
        long totalBytes = 0;
        long totalRows = 0;
        for (int p = 0; p < pages.Count; p++)
        {
            var page = pages[p];
            long tableBytes = (page.Rows + 1L) * 8;
            CheckRange(file, page.Position, tableBytes, column);
            var raw = file.Read(page.Position, (int)tableBytes).Span;
            var table = new long[page.Rows + 1];
            for (int i = 0; i <= page.Rows; i++)
            {
                table[i] = BinaryPrimitives.ReadInt64LittleEndian(raw[(i * 8)..]);
                if (table[i] < 0 || table[i] > file.Length || (i > 0 && table[i] < table[i - 1]))
                {
                    throw new LanceFormatException(
                        $"'{file.Name}' is corrupt: value {i} of a page of column '{column}' is said to end at byte {table[i]} of a {file.Length}-byte file"
                        + (i > 0 ? $", before it starts (byte {table[i - 1]})." : "."));
                }
            }

            totalBytes += table[page.Rows] - table[0];
            totalRows += page.Rows;
            if (totalBytes > file.Length || totalRows > System.Array.MaxLength - 1)
            {
                throw new LanceFormatException($"'{file.Name}' is corrupt: the pages of column '{column}' claim more values than the {file.Length}-byte file holds.");
            }

            positions[p] = table;
        }

        if (totalBytes > System.Array.MaxLength)
        {
            // Also keeps 32-bit offsets (string, binary) in range.
            throw new LanceFormatException($"'{file.Name}': column '{column}' holds {totalBytes} bytes, more than one Arrow buffer can.");
        }

        int rows = (int)totalRows;
        var values = GC.AllocateUninitializedArray<byte>((int)totalBytes);
        var offsets = large ? new byte[(rows + 1L) * 8] : new byte[(rows + 1L) * 4];
        var validity = nullable ? new byte[(rows + 7) / 8] : [];
        int nulls = 0;
        int row = 0;
        long written = 0;
        for (int p = 0; p < pages.Count; p++)
        {
            var table = positions[p];
            long first = table[0];
            int count = pages[p].Rows;
            file.ReadInto(first, values.AsSpan((int)written, (int)(table[count] - first)));
            for (int i = 0; i < count; i++, row++)
            {
                long end = written + (table[i + 1] - first);
                WriteOffset(offsets, row + 1, end, large);
                if (nullable)
                {
                    if (table[i + 1] == table[i])
                    {
                        nulls++;
                    }
                    else
                    {
                        validity[row >> 3] |= (byte)(1 << (row & 7));
                    }
                }
            }

            written += table[count] - first;
        }

        var validityBuffer = nulls == 0 ? ArrowBuffer.Empty : new ArrowBuffer(validity);
        return new ArrayData(type, rows, nulls, 0, [validityBuffer, new ArrowBuffer(offsets), new ArrowBuffer(values)]);
    }

    /// <summary>Throws unless <c>[position, position + bytes)</c> lies inside the file.</summary>
    public static void CheckRange(ILegacyFileBytes file, long position, long bytes, string column)
    {
        if (position < 0 || bytes < 0 || bytes > file.Length || position > file.Length - bytes)
        {
            throw new LanceFormatException(
                $"'{file.Name}' is corrupt or truncated: a page of column '{column}' needs bytes [{position}, {position + bytes}) of a {file.Length}-byte file.");
        }
    }

    private static void WriteOffset(byte[] offsets, int index, long value, bool large)
    {
        if (large)
        {
            BinaryPrimitives.WriteInt64LittleEndian(offsets.AsSpan(index * 8), value);
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(offsets.AsSpan(index * 4), (int)value);
        }
    }
}
