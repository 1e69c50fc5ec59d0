using Apache.Arrow.Types;
using Lance.Engine.DataFiles.Encodings;
using Lance.Engine.Format;
using File2 = Lance.Engine.Format.Protos.File2;

namespace Lance.Engine.DataFiles.V21;

/// <summary>
/// The pages of one flat column of a data file, to be decoded one at a time, by any thread, in any order: a reader that
/// goes through a large column once (a full-text index build) decodes each page into a builder it reuses and works on
/// that page's rows while other threads decode the next ones, instead of reading the whole column into fresh memory
/// first (<see cref="DataFileReader.ReadColumn"/>). The pages come in row order and together hold every row of the file.
/// </summary>
internal sealed class ColumnPages : IDisposable
{
    private readonly File21Columns _file;
    private readonly IReadOnlyList<File2.ColumnMetadata.Types.Page> _pages;
    private readonly IArrowType _type;
    private readonly string _name;
    private readonly long _maxInitialValueBytes;
    private readonly long[] _firstRows;

    /// <summary>The pages <paramref name="pages"/> (checked: they hold the file's rows) of a column of <paramref name="file"/>.</summary>
    public ColumnPages(File21Columns file, IReadOnlyList<File2.ColumnMetadata.Types.Page> pages, IArrowType type, string name, long maxInitialValueBytes)
    {
        _file = file;
        _pages = pages;
        _type = type;
        _name = name;
        _maxInitialValueBytes = maxInitialValueBytes;
        _firstRows = new long[pages.Count + 1];
        for (int i = 0; i < pages.Count; i++)
        {
            _firstRows[i + 1] = _firstRows[i] + (long)pages[i].Length;
        }
    }

    /// <summary>The number of pages.</summary>
    public int Count => _pages.Count;

    /// <summary>The number of rows in all pages (the file's).</summary>
    public long RowCount => _firstRows[^1];

    /// <summary>Disposed with the pages: the reader of the file, when the pages own it.</summary>
    public IDisposable? Owner { get; set; }

    /// <summary>The file's row that page <paramref name="page"/> starts at.</summary>
    public long FirstRowOf(int page) => _firstRows[page];

    /// <summary>The rows of page <paramref name="page"/>.</summary>
    public int RowsOf(int page) => checked((int)(_firstRows[page + 1] - _firstRows[page]));

    /// <summary>A builder to decode pages into (<see cref="Decode"/>), one per thread; reuse it for the next page once done with one.</summary>
    public ColumnBuilder NewBuilder() => new(_type, _pages.Count == 0 ? 0 : Enumerable.Range(0, _pages.Count).Max(RowsOf), _maxInitialValueBytes);

    /// <summary>
    /// Decodes page <paramref name="page"/> into <paramref name="builder"/> (emptied first; made by <see cref="NewBuilder"/>),
    /// reading its buffers into <paramref name="readBuffer"/>: row i of the builder is then row <see cref="FirstRowOf"/> + i of the file.
    /// </summary>
    /// <exception cref="LanceFormatException">The page uses an encoding this engine cannot read, or is corrupt.</exception>
    public void Decode(int page, ColumnBuilder builder, PageReadBuffer readBuffer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(page);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(page, _pages.Count);
        try
        {
            _file.DecodePageInto(_pages[page], _name, builder, readBuffer);
        }
        catch (Exception e) when (CorruptInput.IsCorruption(e))
        {
            throw CorruptInput.Wrap(_file.FileName, e, _name);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => Owner?.Dispose();
}

/// <summary>A buffer that a page's bytes are read into, reused from page to page by one thread (see <see cref="ColumnPages"/>).</summary>
internal sealed class PageReadBuffer
{
    // Buffers of a page lying further apart than this are read one by one into fresh memory.
    private const int MaxGap = 1 << 16;

    private byte[] _bytes = [];

    /// <summary>
    /// Reads <paramref name="ranges"/> of <paramref name="file"/> (a page's buffers, which lie together) in one read into this
    /// buffer and returns them as slices of it, valid until the next read.
    /// </summary>
    public ReadOnlyMemory<byte>[] Read(DataFileBytes file, IReadOnlyList<(long Position, int Length)> ranges)
    {
        if (file.IsInMemory || ranges.Count == 0)
        {
            return file.ReadRanges(ranges);
        }

        long first = long.MaxValue;
        long end = 0;
        long total = 0;
        foreach (var (position, length) in ranges)
        {
            first = Math.Min(first, position);
            end = Math.Max(end, position + length);
            total += length;
        }

        if (end - first > total + MaxGap || end - first > System.Array.MaxLength)
        {
            return file.ReadRanges(ranges);
        }

        int size = (int)(end - first);
        if (_bytes.Length < size)
        {
            _bytes = GC.AllocateUninitializedArray<byte>((int)Math.Min(System.Array.MaxLength, size + (long)size / 8));
        }

        file.ReadInto(first, _bytes.AsSpan(0, size));
        var result = new ReadOnlyMemory<byte>[ranges.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = _bytes.AsMemory((int)(ranges[i].Position - first), ranges[i].Length);
        }

        return result;
    }
}
