namespace Lance.Engine.Search.Kernels;

/// <summary>
/// A distance metric as a type: kernels are generic over it, so the JIT compiles one loop per
/// metric with the distance inlined and nothing inside the loop asks which metric it is. The
/// <see cref="DistanceMetric"/> value is turned into this type once, at a query's entry, by
/// <see cref="DistanceDispatch"/>.
/// </summary>
/// <remarks>
/// Distances follow LanceDB: squared L2, <c>1 − cos</c>, <c>1 − a·b</c>. A metric over other
/// elements (hamming over packed bits) would be a sibling interface over <c>ReadOnlySpan&lt;byte&gt;</c>
/// dispatched the same way.
/// </remarks>
internal interface IDistance
{
    /// <summary>The metric this type stands for.</summary>
    static abstract DistanceMetric Metric { get; }

    /// <summary>Whatever the metric needs from the query alone, computed once per query (the query's norm for cosine).</summary>
    static abstract float QueryTerm<TWidth>(ReadOnlySpan<float> query)
        where TWidth : IKernelWidth;

    /// <summary>The distance between the query and one stored vector.</summary>
    static abstract float Distance<TWidth>(ReadOnlySpan<float> query, float queryTerm, ReadOnlySpan<float> vector)
        where TWidth : IKernelWidth;

    /// <summary>Whether <see cref="FromDot"/> reads the stored vector's squared norm (so a batch skips computing it when not).</summary>
    static abstract bool NeedsVectorNorm { get; }

    /// <summary>
    /// What <see cref="FromDot"/> needs from a query, from its squared norm: computed once per query and block of rows,
    /// not per row (the norm itself for cosine, the squared norm for L2; dot reads nothing).
    /// </summary>
    static abstract float DotQueryTerm(float querySquaredNorm);

    /// <summary>
    /// The distance from a dot product, the query's <see cref="DotQueryTerm"/> and the stored vector's squared norm, for
    /// batched search over <c>BlockDot</c> products.
    /// </summary>
    static abstract float FromDot(float dot, float queryTerm, float vectorSquaredNorm);
}
