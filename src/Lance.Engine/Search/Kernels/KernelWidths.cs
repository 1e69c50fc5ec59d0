using System.Runtime.Intrinsics;

namespace Lance.Engine.Search.Kernels;

/// <summary>Which <see cref="KernelWidth"/> this process runs its kernels at.</summary>
internal static class KernelWidths
{
    /// <summary>
    /// The widest width the JIT accelerates here; fixed for the life of the process (the JIT reads
    /// the CPU and the <c>DOTNET_Enable…</c> settings once, at start).
    /// </summary>
    public static readonly KernelWidth Best =
        Vector512.IsHardwareAccelerated ? KernelWidth.Vector512
        : Vector256.IsHardwareAccelerated ? KernelWidth.Vector256
        : Vector128.IsHardwareAccelerated ? KernelWidth.Vector128
        : KernelWidth.Scalar;

    /// <summary>Every width, narrowest first: each one runs anywhere (unaccelerated vectors are emulated), only more slowly.</summary>
    public static IReadOnlyList<KernelWidth> All { get; } = [KernelWidth.Scalar, KernelWidth.Vector128, KernelWidth.Vector256, KernelWidth.Vector512];
}
