namespace Lance.Engine.Search.Float64;

/// <summary>Squared Euclidean distance in float64: <c>Σ (a−b)²</c>.</summary>
internal readonly struct Float64L2 : IFloat64Distance
{
    /// <inheritdoc/>
    public static double Distance(ReadOnlySpan<double> query, double queryNorm, ReadOnlySpan<double> vector)
    {
        var sum = 0.0;
        for (var i = 0; i < query.Length; i++)
        {
            var d = query[i] - vector[i];
            sum += d * d;
        }

        return sum;
    }
}
