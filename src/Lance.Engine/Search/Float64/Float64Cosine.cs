namespace Lance.Engine.Search.Float64;

/// <summary>
/// Cosine distance over float64 vectors as LanceDB computes it: the dot product and the vector's squared norm summed in
/// float64, then each rounded to float32 and the distance finished in float32, <c>1 − a·b / ‖a‖ / ‖b‖</c> (so a tie at
/// zero rounds as LanceDB's does). NaN for an all-zero vector, which a search leaves out.
/// </summary>
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

        return 1f - ((float)dot / (float)Math.Sqrt(queryNorm) / MathF.Sqrt((float)norm));
    }
}
