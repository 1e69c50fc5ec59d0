namespace Lance.Engine.Search.Float64;

/// <summary>
/// A distance over float64 vectors as LanceDB computes it for float64 columns: the sums in float64, then
/// the float32 that <c>_distance</c> holds (L2 and dot are finished in float64 and rounded once; cosine
/// rounds its sums to float32 and finishes there, as LanceDB's does: <see cref="Float64Cosine"/>). One
/// struct per metric, made a type parameter once per search (<see cref="Float64Scan"/>).
/// </summary>
internal interface IFloat64Distance
{
    /// <summary>The distance between <paramref name="query"/> (whose squared norm is <paramref name="queryNorm"/>) and <paramref name="vector"/>.</summary>
    static abstract double Distance(ReadOnlySpan<double> query, double queryNorm, ReadOnlySpan<double> vector);
}
