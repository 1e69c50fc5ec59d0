using File2 = Lance.Engine.Format.Protos.File2;

namespace Lance.Engine.DataFiles.Encodings;

/// <summary>
/// Holds the pages of a streaming file's narrow columns in memory (up to <see cref="LimitBytes"/>)
/// and writes them in one run later, so that the pages of the file's widest column (its vectors,
/// typically) lie back to back in the file, as they would had the file been written column by
/// column: a reader can then map that column as one view. Past the limit the held pages are written
/// at once, which bounds the memory whatever the file's size.
/// </summary>
internal sealed class PageSpool : IDisposable
{
    /// <summary>The most bytes of pages held before they are written.</summary>
    public const int LimitBytes = 32 << 20;

    private const int Alignment = 64;
    private readonly MemoryStream _bytes = new();
    private readonly List<File2.ColumnMetadata.Types.Page> _pages = [];

    /// <summary>An empty spool.</summary>
    public PageSpool() => Sink = new FileSink(_bytes);

    /// <summary>Where held pages are written; positions count from the spool's start.</summary>
    public FileSink Sink { get; private set; }

    /// <summary>Whether the spool holds more than <see cref="LimitBytes"/>.</summary>
    public bool IsFull => Sink.Position > LimitBytes;

    /// <summary>Records that <paramref name="page"/>'s buffers were written to <see cref="Sink"/>: their offsets are moved when the spool is written out.</summary>
    public File2.ColumnMetadata.Types.Page Track(File2.ColumnMetadata.Types.Page page)
    {
        _pages.Add(page);
        return page;
    }

    /// <summary>Writes the held pages to <paramref name="target"/> (64-byte aligned, so their buffers stay aligned) and empties the spool.</summary>
    public void WriteTo(FileSink target)
    {
        if (Sink.Position == 0)
        {
            return;
        }

        long start = target.WriteAligned(_bytes.GetBuffer().AsSpan(0, checked((int)_bytes.Length)), Alignment);
        foreach (var page in _pages)
        {
            for (int i = 0; i < page.BufferOffsets.Count; i++)
            {
                page.BufferOffsets[i] += (ulong)start;
            }
        }

        _pages.Clear();
        _bytes.SetLength(0);
        Sink = new FileSink(_bytes);
    }

    /// <summary>Drops the held pages and their memory.</summary>
    public void Dispose()
    {
        _pages.Clear();
        _bytes.Dispose();
    }
}
