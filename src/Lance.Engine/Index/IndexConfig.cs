namespace Lance.Orm;

/// <summary>
/// How to build a vector index, with LanceDB's parameter names: <c>IndexConfig.IvfPq(...)</c>,
/// <c>IndexConfig.IvfFlat(...)</c>, <c>IndexConfig.IvfSq(...)</c> or <c>IndexConfig.IvfHnswSq(...)</c>.
/// Every kind is written in Lance's own format, so LanceDB uses it too. At query time
/// <c>nprobes</c>, <c>refine_factor</c> and (for HNSW) <c>ef</c> tune the search.
/// </summary>
public sealed record IndexConfig
{
    private IndexConfig(VectorIndexKind kind) => Kind = kind;

    /// <summary>The index kind.</summary>
    public VectorIndexKind Kind { get; }

    /// <summary>LanceDB's <c>num_partitions</c>: the IVF partitions (k-means centroids); √rows when null.</summary>
    public int? NumPartitions { get; init; }

    /// <summary>LanceDB's <c>num_sub_vectors</c> (IVF_PQ only): PQ sub-vectors, a divisor of the dimension; dimension / 16 when null.</summary>
    public int? NumSubVectors { get; init; }

    /// <summary>LanceDB's <c>distance_type</c>: the distance the index serves (searches with another one run exactly).</summary>
    public DistanceMetric DistanceType { get; init; } = DistanceMetric.L2;

    /// <summary>LanceDB's <c>m</c> (IVF_HNSW_SQ): graph neighbours per node above level 0 (twice as many on level 0).</summary>
    public int M { get; init; } = 20;

    /// <summary>LanceDB's <c>ef_construction</c> (IVF_HNSW_SQ): the beam width while building the graphs.</summary>
    public int EfConstruction { get; init; } = 300;

    /// <summary>LanceDB's <c>max_iterations</c>: the most k-means iterations for the partitions.</summary>
    public int MaxIterations { get; init; } = 50;

    /// <summary>LanceDB's <c>sample_rate</c>: k-means sees at most <c>sample_rate × num_partitions</c> rows.</summary>
    public int SampleRate { get; init; } = 256;

    /// <summary>The seed of the sampling, k-means and HNSW levels, so a build is reproducible.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>The index name; <c>&lt;column&gt;_idx</c> when null, as LanceDB names it.</summary>
    public string? Name { get; init; }

    /// <summary>Whether an index of the same name is rebuilt (LanceDB's default); when false that is a <see cref="LanceIndexExistsException"/>.</summary>
    public bool Replace { get; init; } = true;

    /// <summary>Told each stage of the build and how far it has come.</summary>
    public IProgress<IndexBuildProgress>? Progress { get; init; }

    /// <summary>An IVF_PQ index (LanceDB's <c>Index.ivfPq</c>).</summary>
    public static IndexConfig IvfPq(int? numPartitions = null, int? numSubVectors = null, DistanceMetric distanceType = DistanceMetric.L2)
        => new(VectorIndexKind.IvfPq) { NumPartitions = numPartitions, NumSubVectors = numSubVectors, DistanceType = distanceType, MaxIterations = 25 };

    /// <summary>
    /// An IVF_FLAT index (LanceDB's <c>Index.ivfFlat</c>): over float vectors for l2, cosine or dot, or with
    /// <see cref="DistanceMetric.Hamming"/> over uint8 (binary) vectors, the one kind LanceDB builds for hamming.
    /// </summary>
    public static IndexConfig IvfFlat(int? numPartitions = null, DistanceMetric distanceType = DistanceMetric.L2)
        => new(VectorIndexKind.IvfFlat) { NumPartitions = numPartitions, DistanceType = distanceType };

    /// <summary>An IVF_SQ index (Lance's IVF_SQ).</summary>
    public static IndexConfig IvfSq(int? numPartitions = null, DistanceMetric distanceType = DistanceMetric.L2)
        => new(VectorIndexKind.IvfSq) { NumPartitions = numPartitions, DistanceType = distanceType };

    /// <summary>An IVF_HNSW_SQ index (LanceDB's <c>Index.hnswSq</c>).</summary>
    public static IndexConfig IvfHnswSq(int? numPartitions = null, DistanceMetric distanceType = DistanceMetric.L2, int m = 20, int efConstruction = 300)
        => new(VectorIndexKind.IvfHnswSq) { NumPartitions = numPartitions, DistanceType = distanceType, M = m, EfConstruction = efConstruction };

    /// <summary>The IVF_PQ configuration of <paramref name="options"/>.</summary>
    public static IndexConfig From(IvfPqOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(VectorIndexKind.IvfPq)
        {
            NumPartitions = options.NumPartitions,
            NumSubVectors = options.NumSubVectors,
            DistanceType = options.Metric,
            MaxIterations = options.MaxIterations,
            SampleRate = options.SampleRate,
            Seed = options.Seed,
            Name = options.Name,
            Replace = options.Replace,
            Progress = options.Progress,
        };
    }

    /// <summary>The IVF-PQ build options this configuration stands for.</summary>
    public IvfPqOptions ToIvfPqOptions() => new()
    {
        NumPartitions = NumPartitions,
        NumSubVectors = NumSubVectors,
        Metric = DistanceType,
        MaxIterations = MaxIterations,
        SampleRate = SampleRate,
        Seed = Seed,
        Name = Name,
        Replace = Replace,
        Progress = Progress,
    };
}
