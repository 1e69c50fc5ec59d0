using System.Runtime.InteropServices;
using Lance.Engine.Storage;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// An uninitialized buffer of <typeparamref name="T"/> for the index build's large, short-lived arrays. On Linux, a
/// buffer of <see cref="NativeThreshold"/> bytes or more is native memory aligned to 2 MiB and advised for transparent huge
/// pages (<c>madvise(MADV_HUGEPAGE)</c>), so touching it for the first time faults in 2 MiB at a time instead of 4 KiB;
/// elsewhere, or when smaller, it is a managed array. Freed by <see cref="Dispose"/> (or, failing that, the finalizer).
/// </summary>
internal sealed unsafe class HugePageBuffer<T> : IDisposable
    where T : unmanaged
{
    /// <summary>The smallest buffer, in bytes, kept in native memory.</summary>
    public const long NativeThreshold = 16L << 20;

    private const nuint HugePage = 2u << 20;

    private readonly T[]? _array;
    private nint _native;

    /// <summary>An uninitialized buffer of <paramref name="length"/> values.</summary>
    public HugePageBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        var bytes = (long)length * sizeof(T);
        if (bytes >= NativeThreshold && OperatingSystem.IsLinux())
        {
            var size = ((nuint)bytes + HugePage - 1) & ~(HugePage - 1);
            _native = (nint)NativeMemory.AlignedAlloc(size, HugePage);
            GC.AddMemoryPressure((long)size);

            // Only advice: without transparent huge pages the memory is used as it is.
            _ = HugePages.Madvise(_native, size, HugePages.MadviseHugePage);
        }
        else
        {
            _array = GC.AllocateUninitializedArray<T>(length);
            GC.SuppressFinalize(this);
        }
    }

    /// <summary>Frees native memory the owner did not dispose.</summary>
    ~HugePageBuffer() => Free();

    /// <summary>The number of values.</summary>
    public int Length { get; }

    /// <summary>Whether the values are in native memory.</summary>
    public bool IsNative => _array is null;

    /// <summary>The values; not to be used after <see cref="Dispose"/>.</summary>
    public Span<T> Span
    {
        get
        {
            if (_array is not null)
            {
                return _array;
            }

            ObjectDisposedException.ThrowIf(_native == 0, this);
            return new Span<T>((void*)_native, Length);
        }
    }

    /// <summary>Frees native memory (once); a managed array is left to the collector.</summary>
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        var native = Interlocked.Exchange(ref _native, 0);
        if (native != 0)
        {
            NativeMemory.AlignedFree((void*)native);
            GC.RemoveMemoryPressure(((long)Length * sizeof(T) + (long)HugePage - 1) & ~((long)HugePage - 1));
        }
    }
}
