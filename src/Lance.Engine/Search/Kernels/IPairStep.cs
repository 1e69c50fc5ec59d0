using System.Runtime.Intrinsics;

namespace Lance.Engine.Search.Kernels;

/// <summary>
/// One step of a sum over two vectors, <c>acc + f(x, y)</c>, at every width. A kernel is one loop
/// per width with the step as a type parameter, so a new sum is a new struct, not a new loop.
/// </summary>
internal interface IPairStep
{
    /// <summary>The step on one lane.</summary>
    static abstract float Step(float acc, float x, float y);

    /// <summary>The step on four lanes.</summary>
    static abstract Vector128<float> Step(Vector128<float> acc, Vector128<float> x, Vector128<float> y);

    /// <summary>The step on eight lanes.</summary>
    static abstract Vector256<float> Step(Vector256<float> acc, Vector256<float> x, Vector256<float> y);

    /// <summary>The step on sixteen lanes.</summary>
    static abstract Vector512<float> Step(Vector512<float> acc, Vector512<float> x, Vector512<float> y);
}
