namespace Lance.Orm;

/// <summary>How the distance between a query vector and a stored vector is measured (LanceDB's <c>distance_type</c>).</summary>
public enum DistanceMetric
{
    /// <summary>Squared Euclidean distance, LanceDB's default: <c>Σ (a−b)²</c>.</summary>
    L2 = 0,

    /// <summary>Cosine distance: <c>1 − cos(a, b)</c>, from 0 (same direction) to 2.</summary>
    Cosine = 1,

    /// <summary>Dot-product distance: <c>1 − a·b</c> (smaller is more similar).</summary>
    Dot = 2,

    /// <summary>
    /// Hamming distance over uint8 vectors: the number of bits in which the two differ. Exact search
    /// only (no IVF-PQ index measures it), as LanceDB's <c>hamming</c>; the query's items must be byte values.
    /// </summary>
    Hamming = 3,
}
