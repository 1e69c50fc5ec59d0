using Lance.Engine.Query;

namespace Lance.Engine.Index;

/// <summary>
/// A loaded vector index one search can use: IVF_PQ (<see cref="IvfPqIndex"/>) or one of the
/// kinds that keep vectors or scalar-quantised codes per partition (<see cref="Vector.LanceIvfIndex"/>).
/// </summary>
internal interface IVectorIndex
{
    /// <summary>The distance the index serves.</summary>
    DistanceMetric Metric { get; }

    /// <summary>The vector dimension.</summary>
    int Dimension { get; }

    /// <summary>The IVF partitions.</summary>
    int Partitions { get; }

    /// <summary>The PQ sub-vectors (0 for kinds without product quantisation).</summary>
    int SubVectors { get; }

    /// <summary>The rows the index holds.</summary>
    long IndexedRows { get; }

    /// <summary>The fragments whose rows the index holds.</summary>
    ulong[] Fragments { get; }

    /// <summary>
    /// Offers to <paramref name="topK"/> the index's candidates near <paramref name="query"/> among the
    /// rows <paramref name="mask"/> allows, from the <paramref name="nprobes"/> nearest partitions;
    /// <paramref name="ef"/> is the beam width of graph sub-indexes (ignored by the others).
    /// </summary>
    void Search(ReadOnlySpan<float> query, int nprobes, int ef, RowMask mask, TopK topK);
}
