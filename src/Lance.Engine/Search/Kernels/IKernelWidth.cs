namespace Lance.Engine.Search.Kernels;

/// <summary>
/// A <see cref="KernelWidth"/> as a type, so that a kernel generic over it is compiled once per
/// width with the width's loop inlined.
/// </summary>
/// <remarks>
/// Every width adds in the same order, so every width returns the same bits (and so does ARM64 as
/// x64): sixteen partial sums, lane j taking elements j, j + 16, j + 32, …; then lanes j and j + 8
/// added; then, if eight or more elements remain, the next eight added into those eight lanes; then
/// lanes j and j + 4 added; then <c>(l0 + l2) + (l1 + l3)</c>; then the last (up to seven) elements
/// one by one. A 512-bit register holds the sixteen lanes, two 256-bit or four 128-bit registers do
/// the same, and the scalar path keeps sixteen floats.
/// </remarks>
internal interface IKernelWidth
{
    /// <summary>The width this type stands for.</summary>
    static abstract KernelWidth Width { get; }

    /// <summary>
    /// <c>Σ TFirst(aᵢ, bᵢ)</c> and <c>Σ TSecond(aᵢ, bᵢ)</c> in one pass (pass <see cref="NoSum"/>
    /// as <typeparamref name="TSecond"/> when one sum is enough).
    /// </summary>
    static abstract (float First, float Second) Sums<TFirst, TSecond>(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        where TFirst : IPairStep
        where TSecond : IPairStep;
}
