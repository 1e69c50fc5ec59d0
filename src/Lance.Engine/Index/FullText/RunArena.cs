using System.Runtime.InteropServices;
using Lance.Engine.Storage;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// The memory of one build worker's runs (<see cref="InvertedPartitionBuilder"/>: token occurrences and positions, about
/// one byte per byte of text): slices of large native blocks on transparent huge pages, handed out one after another and
/// all freed by <see cref="Dispose"/> once the runs are joined. A run's arrays as managed arrays would be large objects,
/// each fresh 4 KiB page of them a page fault and their bytes a share of the collector's large-object budget (a gen 2
/// collection every few dozen runs, while the workers are busy); a 2 MiB block is one fault, and native memory is
/// not collected. Used by one thread at a time.
/// </summary>
internal sealed unsafe class RunArena : IDisposable
{
    // 16 MiB blocks (4 Mi ints), aligned to 2 MiB so that each 2 MiB of them can be one huge page.
    private const int BlockInts = 4 << 20;
    private const nuint Alignment = 2u << 20;

    private readonly List<nint> _blocks = [];
    private int* _next;
    private int _left;
    private bool _disposed;

    /// <summary>Frees the blocks if <see cref="Dispose"/> was not called.</summary>
    ~RunArena() => Free();

    /// <summary>
    /// <paramref name="length"/> ints, uninitialized, valid until <see cref="Dispose"/>: the rest of the current block, or a
    /// new block (of <paramref name="length"/> ints when more than a block).
    /// </summary>
    public int* Take(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (length > _left)
        {
            var ints = Math.Max(BlockInts, length);
            var bytes = ((nuint)ints * sizeof(int) + Alignment - 1) & ~(Alignment - 1);
            var block = (int*)NativeMemory.AlignedAlloc(bytes, Alignment);
            _blocks.Add((nint)block);
            if (OperatingSystem.IsLinux())
            {
                // Only advice: without transparent huge pages the memory is used as it is.
                _ = HugePages.Madvise((nint)block, bytes, HugePages.MadviseHugePage);
            }

            _next = block;
            _left = ints;
        }

        var slice = _next;
        _next += length;
        _left -= length;
        return slice;
    }

    /// <summary>Frees every block: no slice taken may be used after.</summary>
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        _disposed = true;
        for (var i = 0; i < _blocks.Count; i++)
        {
            var block = _blocks[i];
            _blocks[i] = 0;
            if (block != 0)
            {
                NativeMemory.AlignedFree((void*)block);
            }
        }

        _left = 0;
    }
}
