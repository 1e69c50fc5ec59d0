namespace Lance.Engine.Search.Float64;

/// <summary>
/// A distance over float64 vectors computed in float64, as LanceDB computes it for float64 columns,
/// and only then rounded to the float32 that <c>_distance</c> holds. One struct per metric, made a
/// type parameter once per search (<see cref="Float64Scan"/>).
/// </summary>
internal interface IFloat64Distance
{
    /// <summary>The distance between <paramref name="query"/> (whose squared norm is <paramref name="queryNorm"/>) and <paramref name="vector"/>.</summary>
    static abstract double Distance(ReadOnlySpan<double> query, double queryNorm, ReadOnlySpan<double> vector);
}
