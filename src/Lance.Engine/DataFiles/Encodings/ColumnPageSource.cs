using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Format;

namespace Lance.Engine.DataFiles.Encodings;

/// <summary>
/// One column spread over the arrays of several record batches, read as a single run of rows: it
/// plans page boundaries and copies a page's rows into a <see cref="GatheredPage"/> with span
/// copies (whole runs at a time; only nulls and bools are visited value by value).
/// </summary>
internal sealed class ColumnPageSource
{
    private readonly ArrayData[] _arrays;
    private readonly long[] _starts; // global row where each array starts; one extra entry = total length
    private readonly bool _checkNulls;

    /// <summary>Wraps the column's arrays (one per batch, in order).</summary>
    public ColumnPageSource(LanceField field, IArrowType type, IReadOnlyList<IArrowArray> arrays)
        : this(field, type, arrays.Select(a => a.Data).ToList(), checkNulls: true)
    {
    }

    /// <summary>
    /// Wraps arrays of values; <paramref name="checkNulls"/> false for the leaf values of a nested
    /// column, whose nulls are judged by their levels (a value under a null struct may be null).
    /// </summary>
    public ColumnPageSource(LanceField field, IArrowType type, IReadOnlyList<ArrayData> arrays, bool checkNulls)
    {
        Field = field;
        Type = type;
        _checkNulls = checkNulls;
        _arrays = [.. arrays];
        _starts = new long[_arrays.Length + 1];
        for (int i = 0; i < _arrays.Length; i++)
        {
            _starts[i + 1] = _starts[i] + _arrays[i].Length;
        }

        BitsPerValue = LanceLogicalTypes.FixedWidthBits(type);
        IsVariable = LanceLogicalTypes.IsVariableWidth(type);
        LargeOffsets = LanceLogicalTypes.HasLargeOffsets(type);
    }

    /// <summary>The Lance field being written.</summary>
    public LanceField Field { get; }

    /// <summary>The column's Arrow type.</summary>
    public IArrowType Type { get; }

    /// <summary>The total number of rows.</summary>
    public long Length => _starts[^1];

    /// <summary>Bits per value for fixed-width types (1 for bool); 0 for variable-width ones.</summary>
    public int BitsPerValue { get; }

    /// <summary>Whether values are variable-width bytes.</summary>
    public bool IsVariable { get; }

    /// <summary>Whether the Arrow arrays use 64-bit offsets.</summary>
    public bool LargeOffsets { get; }

    /// <summary>
    /// Splits the rows into pages of at most <paramref name="maxPageBytes"/> value bytes and
    /// <paramref name="maxPageRows"/> rows (a single bigger value gets a page of its own).
    /// </summary>
    public List<(long Start, int Count)> PlanPages(int maxPageBytes, int maxPageRows)
    {
        var pages = new List<(long Start, int Count)>();
        long total = Length;
        if (!IsVariable)
        {
            long bytesPerRow = Math.Max(1, (BitsPerValue + 7) / 8);
            int rowsPerPage = (int)Math.Clamp(maxPageBytes / bytesPerRow, 1, maxPageRows);
            for (long start = 0; start < total; start += rowsPerPage)
            {
                pages.Add((start, (int)Math.Min(rowsPerPage, total - start)));
            }

            return pages;
        }

        var plan = new PagePlan(maxPageBytes, maxPageRows, pages);
        for (int a = 0; a < _arrays.Length; a++)
        {
            var data = _arrays[a];
            if (data.Length == 0)
            {
                continue;
            }

            if (LargeOffsets)
            {
                plan.Add(MemoryMarshal.Cast<byte, long>(data.Buffers[1].Span).Slice(data.Offset, data.Length + 1), _starts[a]);
            }
            else
            {
                plan.Add(MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(data.Offset, data.Length + 1), _starts[a]);
            }
        }

        if (total > plan.PageStart)
        {
            pages.Add((plan.PageStart, (int)(total - plan.PageStart)));
        }

        return pages;
    }

    // Cuts variable-width values into pages, array after array: a page ends before the value that would take it past the
    // byte limit, or at the row limit (a value bigger than the limit gets a page of its own).
    private struct PagePlan(int maxPageBytes, int maxPageRows, List<(long Start, int Count)> pages)
    {
        public long PageStart;
        private long _pageBytes;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Add<T>(ReadOnlySpan<T> offsets, long firstRow)
            where T : unmanaged, IBinaryInteger<T>
        {
            for (int i = 0; i + 1 < offsets.Length; i++)
            {
                long size = long.CreateTruncating(offsets[i + 1] - offsets[i]);
                long row = firstRow + i;
                if (row > PageStart && (_pageBytes + size > maxPageBytes || row - PageStart >= maxPageRows))
                {
                    pages.Add((PageStart, (int)(row - PageStart)));
                    PageStart = row;
                    _pageBytes = 0;
                }

                _pageBytes += size;
            }
        }
    }

    /// <summary>Copies rows [<paramref name="start"/>, start + <paramref name="count"/>) into <paramref name="page"/>.</summary>
    /// <exception cref="LanceSchemaException">A null in a non-nullable column.</exception>
    public void Gather(long start, int count, GatheredPage page)
    {
        if (IsVariable)
        {
            GatherVariable(start, count, page);
        }
        else
        {
            GatherFixed(start, count, page);
        }
    }

    private void GatherFixed(long start, int count, GatheredPage page)
    {
        bool isBool = BitsPerValue == 1;
        int byteWidth = BitsPerValue / 8;
        page.Reset(count, isBool ? (count + 7) / 8 : checked(count * byteWidth), variable: false);
        if (isBool)
        {
            page.Values.Clear();
        }

        int written = 0;
        foreach (var (data, local, n) in Segments(start, count))
        {
            if (isBool)
            {
                CopyBits(data.Buffers[1].Span, data.Offset + local, page.Values, written, n);
            }
            else if (data.DataType is FixedSizeListType fsl)
            {
                var child = data.Children[0];
                if (child.NullCount != 0 && HasNullItems(data, child, fsl.ListSize, local, n))
                {
                    // Vectors with null items: their validity bits go to the page with the items.
                    if (!page.HasNullItems)
                    {
                        page.BeginItemValidity(checked(count * fsl.ListSize));
                    }

                    ClearBits(child.Buffers[0].Span, checked((int)((((long)data.Offset + local) * fsl.ListSize) + child.Offset)), page.ItemValidity, written * fsl.ListSize, n * fsl.ListSize);
                }

                int itemBytes = byteWidth / fsl.ListSize;
                long firstItem = ((long)data.Offset + local) * fsl.ListSize + child.Offset;
                child.Buffers[1].Span.Slice(checked((int)(firstItem * itemBytes)), n * byteWidth)
                    .CopyTo(page.Values[(written * byteWidth)..]);
            }
            else
            {
                data.Buffers[1].Span.Slice((data.Offset + local) * byteWidth, n * byteWidth)
                    .CopyTo(page.Values[(written * byteWidth)..]);
            }

            GatherValidity(data, local, n, page, written);
            written += n;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void GatherVariable(long start, int count, GatheredPage page)
    {
        // First pass sizes the value buffer so that the copy below is one slice per array.
        long totalBytes = 0;
        foreach (var (data, local, n) in Segments(start, count))
        {
            totalBytes += OffsetAt(data, local + n) - OffsetAt(data, local);
        }

        if (totalBytes > System.Array.MaxLength)
        {
            throw new LanceSchemaException($"Column '{Field.Name}': a page of {count} values holds {totalBytes} bytes, more than one page can hold.");
        }

        page.Reset(count, (int)totalBytes, variable: true);
        var offsets = page.Offsets;
        offsets[0] = 0;
        int written = 0;
        long cursor = 0;
        foreach (var (data, local, n) in Segments(start, count))
        {
            long first = OffsetAt(data, local);
            long last = OffsetAt(data, local + n);
            data.Buffers[2].Span.Slice(checked((int)first), checked((int)(last - first))).CopyTo(page.Values[(int)cursor..]);
            if (LargeOffsets)
            {
                var source = MemoryMarshal.Cast<byte, long>(data.Buffers[1].Span).Slice(data.Offset + local, n + 1);
                for (int i = 1; i <= n; i++)
                {
                    offsets[written + i] = cursor + (source[i] - first);
                }
            }
            else
            {
                var source = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(data.Offset + local, n + 1);
                for (int i = 1; i <= n; i++)
                {
                    offsets[written + i] = cursor + (source[i] - first);
                }
            }

            GatherValidity(data, local, n, page, written);
            cursor += last - first;
            written += n;
        }
    }

    private void GatherValidity(ArrayData data, int local, int n, GatheredPage page, int written)
    {
        if (data.NullCount == 0 || data.Buffers[0].IsEmpty)
        {
            return;
        }

        var bitmap = data.Buffers[0].Span;
        var definitions = page.Definitions;
        int nulls = 0;
        for (int i = 0; i < n; i++)
        {
            int bit = data.Offset + local + i;
            if ((bitmap[bit >> 3] & (1 << (bit & 7))) == 0)
            {
                definitions[written + i] = 1;
                nulls++;
            }
        }

        if (nulls > 0 && !Field.Nullable && _checkNulls)
        {
            throw new LanceSchemaException($"Column '{Field.Name}' is not nullable but holds {nulls} null value(s).");
        }

        page.NullCount += nulls;
    }

    // Items under a null vector do not count: Arrow builders null them along with the vector.
    private static bool HasNullItems(ArrayData list, ArrayData child, int dimension, int local, int n)
    {
        var bitmap = child.Buffers[0].Span;
        if (bitmap.IsEmpty)
        {
            return false;
        }

        var listBitmap = list.NullCount == 0 ? default : list.Buffers[0].Span;
        for (int row = 0; row < n; row++)
        {
            int listBit = list.Offset + local + row;
            if (!listBitmap.IsEmpty && (listBitmap[listBit >> 3] & (1 << (listBit & 7))) == 0)
            {
                continue;
            }

            long first = ((long)listBit * dimension) + child.Offset;
            for (long bit = first; bit < first + dimension; bit++)
            {
                if ((bitmap[(int)(bit >> 3)] & (1 << (int)(bit & 7))) == 0)
                {
                    return true;
                }
            }
        }

        return false;
    }

    // Clears the destination bits whose source bit is clear (the destination starts all set).
    private static void ClearBits(ReadOnlySpan<byte> source, int sourceBit, Span<byte> destination, int destinationBit, int count)
    {
        for (int i = 0; i < count; i++)
        {
            int s = sourceBit + i;
            if ((source[s >> 3] & (1 << (s & 7))) == 0)
            {
                int d = destinationBit + i;
                destination[d >> 3] &= (byte)~(1 << (d & 7));
            }
        }
    }

    private static void CopyBits(ReadOnlySpan<byte> source, int sourceBit, Span<byte> destination, int destinationBit, int count)
    {
        for (int i = 0; i < count; i++)
        {
            int s = sourceBit + i;
            if ((source[s >> 3] & (1 << (s & 7))) != 0)
            {
                int d = destinationBit + i;
                destination[d >> 3] |= (byte)(1 << (d & 7));
            }
        }
    }

    private long OffsetAt(ArrayData data, int index) => LargeOffsets
        ? MemoryMarshal.Cast<byte, long>(data.Buffers[1].Span)[data.Offset + index]
        : MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span)[data.Offset + index];

    private long ValueSize(ArrayData data, int index) => OffsetAt(data, index + 1) - OffsetAt(data, index);

    // The pieces of each array that make up the global row range, in order.
    private IEnumerable<(ArrayData Data, int Local, int Count)> Segments(long start, int count)
    {
        int a = System.Array.BinarySearch(_starts, start);
        a = a >= 0 ? a : ~a - 1;
        long row = start;
        long end = start + count;
        while (row < end)
        {
            while (_starts[a + 1] <= row)
            {
                a++; // skips empty arrays
            }

            int local = (int)(row - _starts[a]);
            int n = (int)(Math.Min(end, _starts[a + 1]) - row);
            yield return (_arrays[a], local, n);
            row += n;
        }
    }
}
