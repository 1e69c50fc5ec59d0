using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace Lance.Engine.Storage;

/// <summary>
/// A read-only range of a memory-mapped data file, handed to Arrow as a buffer without copying:
/// the pages stay in the OS page cache and a scan reads them in place. The view is unmapped when
/// this object is disposed or collected. Data files never change once written, so the mapped bytes
/// never change under a reader.
/// </summary>
/// <remarks>
/// A span over this memory does not keep it alive: whoever takes spans from an Arrow array over it
/// must keep that array reachable while using them (the dataset's column cache does). That is why
/// mapping is an opt-in of <see cref="DataFileReader"/>.
/// </remarks>
internal sealed unsafe class MappedFileMemory : MemoryManager<byte>
{
    private readonly MemoryMappedViewAccessor _view;
    private byte* _pointer;
    private readonly int _length;

    private MappedFileMemory(MemoryMappedViewAccessor view, int length)
    {
        _view = view;
        _length = length;
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        _pointer = start + view.PointerOffset;
    }

#pragma warning disable CA2015 // Unmapping when collected is the point; see the remarks on keeping arrays reachable.
    /// <summary>Finalizes: unmaps the view if nobody disposed it.</summary>
    ~MappedFileMemory() => Dispose(false);
#pragma warning restore CA2015

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="file"/> from <paramref name="position"/>.</summary>
    public static MappedFileMemory Map(MemoryMappedFile file, long position, int length) =>
        new(file.CreateViewAccessor(position, length, MemoryMappedFileAccess.Read), length);

    /// <inheritdoc/>
    public override Span<byte> GetSpan() => _pointer is null
        ? throw new ObjectDisposedException(nameof(MappedFileMemory))
        : new Span<byte>(_pointer, _length);

    /// <inheritdoc/>
    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    /// <inheritdoc/>
    public override void Unpin()
    {
        // Mapped memory never moves.
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (_pointer is null)
        {
            return;
        }

        _pointer = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        if (disposing)
        {
            _view.Dispose();
        }
    }
}
