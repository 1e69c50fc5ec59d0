using System.Buffers;
using System.Runtime.InteropServices;
using Apache.Arrow;

namespace Lance.Engine.Dataset;

/// <summary>
/// A buffer of a decoded column allocated outside the managed heap, so that the
/// <see cref="ColumnCache"/> can free it the moment it evicts the column (and no lease pins it)
/// instead of leaving hundreds of megabytes for the garbage collector to find later. Only columns
/// that are handed out through leases alone are read into it (see <see cref="Snapshot.LeaseSearchColumn"/>):
/// nothing may read the memory after the lease that pinned it is disposed.
/// </summary>
internal sealed unsafe class NativeColumnMemory : MemoryManager<byte>
{
    private readonly int _length;
    private nint _address;

    /// <summary>Allocates <paramref name="length"/> bytes (not zeroed), aligned for vector loads.</summary>
    public NativeColumnMemory(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _length = length;
        _address = (nint)NativeMemory.AlignedAlloc((nuint)Math.Max(length, 1), 64);
    }

#pragma warning disable CA2015 // Freeing when collected is the fallback when a cache is dropped without being cleared; leases keep the arrays reachable while in use.
    /// <summary>Finalizes: frees the memory if nobody did.</summary>
    ~NativeColumnMemory() => Dispose(false);
#pragma warning restore CA2015

    /// <summary>Whether the memory was freed.</summary>
    public bool IsFreed => Volatile.Read(ref _address) == 0;

    /// <summary>Frees every buffer of <paramref name="data"/> (and its children's) that is native column memory.</summary>
    public static void Free(ArrayData data)
    {
        foreach (var buffer in data.Buffers ?? [])
        {
            if (MemoryMarshal.TryGetMemoryManager<byte, NativeColumnMemory>(buffer.Memory, out var native))
            {
                ((IDisposable)native).Dispose();
            }
        }

        foreach (var child in data.Children ?? [])
        {
            Free(child);
        }
    }

    /// <inheritdoc/>
    public override Span<byte> GetSpan() => _address == 0
        ? throw new ObjectDisposedException(nameof(NativeColumnMemory))
        : new Span<byte>((byte*)_address, _length);

    /// <inheritdoc/>
    public override MemoryHandle Pin(int elementIndex = 0) => new((byte*)_address + elementIndex);

    /// <inheritdoc/>
    public override void Unpin()
    {
        // Native memory never moves.
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        var address = Interlocked.Exchange(ref _address, 0);
        if (address == 0)
        {
            return;
        }

        NativeMemory.AlignedFree((void*)address);
    }
}
