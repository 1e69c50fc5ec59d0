namespace Lance.Orm;

/// <summary>
/// How to build an IVF-PQ vector index. The defaults follow LanceDB's: about √rows partitions,
/// <c>dimension / 16</c> sub-vectors, squared L2, 256 training rows per centroid.
/// </summary>
public sealed record IvfPqOptions
{
    /// <summary>The number of IVF partitions (k-means centroids); √rows when null.</summary>
    public int? NumPartitions { get; init; }

    /// <summary>
    /// The number of PQ sub-vectors (one 8-bit code each); it must divide the dimension. When null:
    /// <c>dimension / 16</c>, or <c>dimension / 8</c>, or the dimension itself, whichever divides first.
    /// </summary>
    public int? NumSubVectors { get; init; }

    /// <summary>The distance the index serves; searches with another metric bypass it.</summary>
    public DistanceMetric Metric { get; init; } = DistanceMetric.L2;

    /// <summary>The most k-means iterations for the partitions and for each codebook (training stops earlier once stable).</summary>
    public int MaxIterations { get; init; } = 25;

    /// <summary>Training rows per centroid: k-means sees at most <c>SampleRate × partitions</c> rows, the codebooks <c>SampleRate × 256</c>.</summary>
    public int SampleRate { get; init; } = 256;

    /// <summary>
    /// Whether to quantise residuals from the partition centroid. New indexes are written in Lance's
    /// format, which decides this by distance (residuals for l2 and cosine, not for dot), so a build
    /// ignores this setting.
    /// </summary>
    public bool Residual { get; init; } = true;

    /// <summary>The seed of the sampling and k-means++ start, so a build is reproducible.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>The index name; <c>&lt;column&gt;_idx</c> when null, as LanceDB names it.</summary>
    public string? Name { get; init; }

    /// <summary>Told each stage of the build and how far it has come.</summary>
    public IProgress<IndexBuildProgress>? Progress { get; init; }
}

/// <summary>A stage of an index build.</summary>
public enum IndexBuildStage
{
    /// <summary>Reading the vectors and drawing the training sample.</summary>
    Sampling,

    /// <summary>k-means for the IVF partitions.</summary>
    TrainingPartitions,

    /// <summary>k-means for the PQ codebooks.</summary>
    TrainingCodebooks,

    /// <summary>Assigning every row to a partition and encoding it.</summary>
    Encoding,

    /// <summary>Writing the index file and committing the version that records it.</summary>
    Committing,
}

/// <summary>How far an index build has come.</summary>
/// <param name="Stage">The stage running.</param>
/// <param name="Fraction">The fraction of the stage done, 0 to 1.</param>
public readonly record struct IndexBuildProgress(IndexBuildStage Stage, double Fraction);

/// <summary>A vector index recorded in the current version of a dataset.</summary>
/// <param name="Name">The index name.</param>
/// <param name="Column">The indexed vector column.</param>
/// <param name="Uuid">The index's id (its folder under <c>_indices/</c>).</param>
/// <param name="Metric">The distance the index serves.</param>
/// <param name="NumPartitions">The IVF partitions.</param>
/// <param name="NumSubVectors">The PQ sub-vectors.</param>
/// <param name="IndexedRows">The rows the index holds (deleted rows may still be among them).</param>
/// <param name="IndexedFragments">The fragments of this version the index covers.</param>
/// <param name="UnindexedRows">Rows of this version in fragments the index does not cover (searched exactly).</param>
public sealed record VectorIndexInfo(
    string Name, string Column, Guid Uuid, DistanceMetric Metric, int NumPartitions, int NumSubVectors,
    long IndexedRows, IReadOnlyList<ulong> IndexedFragments, long UnindexedRows)
{
    /// <summary>The index kind (IVF_PQ, IVF_FLAT, IVF_SQ or IVF_HNSW_SQ).</summary>
    public VectorIndexKind Kind { get; init; } = VectorIndexKind.IvfPq;
}
