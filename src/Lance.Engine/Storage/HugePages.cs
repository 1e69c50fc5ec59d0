using System.Buffers;
using System.Runtime.InteropServices;

namespace Lance.Engine.Storage;

/// <summary>
/// <c>madvise(2)</c> for large buffers about to be filled (Linux only; elsewhere nothing is done). A buffer touched
/// for the first time is faulted in 4 KiB at a time, once per page by whichever side writes it (the kernel, when a
/// socket or file read fills it) and again when user code first reads it; on a virtual machine that keeps shadow page
/// tables each of those faults is an exit to the hypervisor, which made filling a fresh 150 MB buffer cost 0.6-1 s of
/// CPU. <see cref="Advise"/> asks for transparent huge pages and <see cref="Populate"/> faults a range in with one call.
/// </summary>
internal static partial class HugePages
{
    /// <summary><c>MADV_HUGEPAGE</c>: back the range with transparent huge pages where the system allows.</summary>
    public const int MadviseHugePage = 14;

    /// <summary><c>MADV_POPULATE_WRITE</c> (Linux 5.14): fault the range in, writable, now (older kernels answer EINVAL).</summary>
    public const int MadvisePopulateWrite = 23;

    /// <summary>Buffers smaller than this are left to fault in as they are written.</summary>
    public const int PrefaultMinBytes = 4 << 20;

    private const long HugePage = 2L << 20;

    /// <summary>
    /// Before <paramref name="buffer"/> is filled: <see cref="Advise"/>, then <see cref="Populate"/>. Only advice: the
    /// bytes are not changed, and a call the system refuses is ignored.
    /// </summary>
    public static void Prefault(Memory<byte> buffer)
    {
        Advise(buffer);
        Populate(buffer);
    }

    /// <summary>
    /// On Linux, when <paramref name="buffer"/> is at least <see cref="PrefaultMinBytes"/>: advises the whole 2 MiB blocks
    /// inside it for transparent huge pages (nothing is faulted in yet; a later fault of any part of such a block takes
    /// the whole block as one page).
    /// </summary>
    public static unsafe void Advise(Memory<byte> buffer)
    {
        if (buffer.Length < PrefaultMinBytes || !OperatingSystem.IsLinux())
        {
            return;
        }

        using MemoryHandle pinned = buffer.Pin();
        var start = (long)pinned.Pointer;
        var first = (start + HugePage - 1) & ~(HugePage - 1);
        var end = (start + buffer.Length) & ~(HugePage - 1);
        if (end > first)
        {
            _ = Madvise((nint)first, (nuint)(end - first), MadviseHugePage);
        }
    }

    /// <summary>
    /// On Linux, when <paramref name="buffer"/> is at least <see cref="PrefaultMinBytes"/>: faults in, writable, the
    /// pages that lie wholly inside it, with one call (the caller is about to write all of it).
    /// </summary>
    public static unsafe void Populate(Memory<byte> buffer)
    {
        if (buffer.Length < PrefaultMinBytes || !OperatingSystem.IsLinux())
        {
            return;
        }

        using MemoryHandle pinned = buffer.Pin();
        var start = (long)pinned.Pointer;
        var page = (long)Environment.SystemPageSize;
        var first = (start + page - 1) & ~(page - 1);
        var end = (start + buffer.Length) & ~(page - 1);
        if (end > first)
        {
            _ = Madvise((nint)first, (nuint)(end - first), MadvisePopulateWrite);
        }
    }

    /// <summary><c>madvise(2)</c>.</summary>
    [LibraryImport("libc", EntryPoint = "madvise")]
    public static partial int Madvise(nint address, nuint length, int advice);
}
