namespace Lance.Engine.Search.Float64;

/// <summary>Cosine distance in float64: <c>1 − a·b / (‖a‖ ‖b‖)</c>.</summary>
internal readonly struct Float64Cosine : IFloat64Distance
{
    /// <inheritdoc/>
    public static double Distance(ReadOnlySpan<double> query, double queryNorm, ReadOnlySpan<double> vector)
    {
        double dot = 0, norm = 0;
        for (var i = 0; i < query.Length; i++)
        {
            dot += query[i] * vector[i];
            norm += vector[i] * vector[i];
        }

        return 1 - (dot / (Math.Sqrt(queryNorm) * Math.Sqrt(norm)));
    }
}
