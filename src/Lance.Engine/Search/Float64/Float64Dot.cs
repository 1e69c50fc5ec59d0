namespace Lance.Engine.Search.Float64;

/// <summary>Dot-product distance in float64: <c>1 − a·b</c>.</summary>
internal readonly struct Float64Dot : IFloat64Distance
{
    /// <inheritdoc/>
    public static double Distance(ReadOnlySpan<double> query, double queryNorm, ReadOnlySpan<double> vector)
    {
        var dot = 0.0;
        for (var i = 0; i < query.Length; i++)
        {
            dot += query[i] * vector[i];
        }

        return 1 - dot;
    }
}
