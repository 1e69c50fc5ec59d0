using Lance.Engine;
using Microsoft.Extensions.VectorData;

namespace Lance.Orm.VectorData.Mapping;

/// <summary>
/// How an MEVD distance function is computed by the engine and how its <c>_distance</c> becomes
/// MEVD's score. The engine has squared L2, cosine distance (1 − cos) and dot distance (1 − a·b);
/// every MEVD function that is a monotone transform of one of those is supported.
/// </summary>
internal readonly record struct DistanceMapping(string Function, DistanceMetric Metric)
{
    /// <summary>MEVD's default for a Lance collection when a vector property names none.</summary>
    internal const string Default = DistanceFunction.CosineDistance;

    internal const string Supported =
        "CosineDistance, CosineSimilarity, DotProductSimilarity, NegativeDotProductSimilarity, EuclideanDistance, EuclideanSquaredDistance";

    /// <summary>The mapping for <paramref name="function"/> (null: <see cref="Default"/>).</summary>
    /// <exception cref="NotSupportedException">The engine has no metric that orders vectors as <paramref name="function"/> does.</exception>
    internal static DistanceMapping For(string? function, string property) => (function ?? Default) switch
    {
        DistanceFunction.CosineDistance => new(DistanceFunction.CosineDistance, DistanceMetric.Cosine),
        DistanceFunction.CosineSimilarity => new(DistanceFunction.CosineSimilarity, DistanceMetric.Cosine),
        DistanceFunction.DotProductSimilarity => new(DistanceFunction.DotProductSimilarity, DistanceMetric.Dot),
        DistanceFunction.NegativeDotProductSimilarity => new(DistanceFunction.NegativeDotProductSimilarity, DistanceMetric.Dot),
        DistanceFunction.EuclideanDistance => new(DistanceFunction.EuclideanDistance, DistanceMetric.L2),
        DistanceFunction.EuclideanSquaredDistance => new(DistanceFunction.EuclideanSquaredDistance, DistanceMetric.L2),
        var other => throw new NotSupportedException(
            $"Distance function '{other}' of vector property '{property}' is not supported by Lance (its engine has L2, cosine and dot metrics over float vectors); supported: {Supported}."),
    };

    /// <summary>MEVD's score for an engine distance.</summary>
    internal double Score(float distance) => Function switch
    {
        DistanceFunction.CosineSimilarity or DistanceFunction.DotProductSimilarity => 1.0 - distance,
        DistanceFunction.NegativeDotProductSimilarity => distance - 1.0,
        DistanceFunction.EuclideanDistance => Math.Sqrt(Math.Max(distance, 0f)),
        _ => distance,
    };

    /// <summary>
    /// The engine distance bound that keeps exactly the rows whose score passes <paramref name="threshold"/>
    /// (at least the threshold for similarities, at most for distances); inclusive.
    /// </summary>
    internal float UpperDistance(double threshold) => (float)(Function switch
    {
        DistanceFunction.CosineSimilarity or DistanceFunction.DotProductSimilarity => 1.0 - threshold,
        DistanceFunction.NegativeDotProductSimilarity => threshold + 1.0,
        DistanceFunction.EuclideanDistance => threshold < 0 ? -1.0 : threshold * threshold,
        _ => threshold,
    });
}
