namespace Lance.Orm;

/// <summary>The vector index kinds, named as Lance and LanceDB name them.</summary>
public enum VectorIndexKind
{
    /// <summary>IVF_PQ: partitions, then product-quantised codes (smallest; approximate distances).</summary>
    IvfPq,

    /// <summary>IVF_FLAT: partitions holding the vectors themselves (exact distances within the probed partitions).</summary>
    IvfFlat,

    /// <summary>IVF_SQ: partitions holding 8-bit scalar-quantised vectors.</summary>
    IvfSq,

    /// <summary>IVF_HNSW_SQ: 8-bit scalar-quantised vectors and an HNSW graph in each partition (low latency at high recall).</summary>
    IvfHnswSq,
}
