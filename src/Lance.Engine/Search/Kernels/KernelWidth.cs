namespace Lance.Engine.Search.Kernels;

/// <summary>
/// The register width a kernel runs at. Production code runs at <see cref="KernelWidths.Best"/>;
/// the internal overloads that take a width exist so that tests can run every path on one machine.
/// </summary>
internal enum KernelWidth
{
    /// <summary>No SIMD: plain loops, what runs where the JIT offers no vector registers.</summary>
    Scalar = 0,

    /// <summary>128-bit vectors (SSE on x64, NEON on ARM64).</summary>
    Vector128 = 128,

    /// <summary>256-bit vectors (AVX2).</summary>
    Vector256 = 256,

    /// <summary>512-bit vectors (AVX-512).</summary>
    Vector512 = 512,
}
