using Lance.Engine.Query;
using Lance.Engine.Search.Kernels;

namespace Lance.Engine.Index;

/// <summary>
/// A trained and filled IVF-PQ index: coarse centroids, one 256-entry codebook per sub-vector,
/// and per partition the row ids and 8-bit codes of its rows. Codes are stored sub-vector-major
/// (<c>[m][row]</c>) so the scan can gather eight rows' table entries with one instruction.
/// Vectors are quantised as residuals from their partition's centroid when
/// <see cref="Residual"/> is set; cosine indexes store unit vectors and search under L2.
/// </summary>
internal sealed record IvfPqIndex : IVectorIndex
{
    /// <summary>Codewords per sub-vector (8-bit codes).</summary>
    public const int CodebookSize = 256;

    public required DistanceMetric Metric { get; init; }

    public required int Dimension { get; init; }

    public required int Partitions { get; init; }

    public required int SubVectors { get; init; }

    public required bool Residual { get; init; }

    /// <summary>Partition centroids, <c>Partitions × Dimension</c>.</summary>
    public required float[] Centroids { get; init; }

    /// <summary>Codewords, <c>SubVectors × 256 × SubDimension</c>.</summary>
    public required float[] Codebook { get; init; }

    /// <summary>Row ids per partition (fragment id in the high 32 bits).</summary>
    public required long[][] RowIds { get; init; }

    /// <summary>Codes per partition, <c>[SubVectors][rows]</c>.</summary>
    public required byte[][] Codes { get; init; }

    /// <summary>The fragments whose rows the index holds.</summary>
    public required ulong[] Fragments { get; init; }

    public int SubDimension => Dimension / SubVectors;

    public long IndexedRows => RowIds.Sum(r => (long)r.Length);

    // Derived once: transposed codebooks and their norms, for ADC tables.
    private float[][]? _codebookTransposed;
    private float[]? _codebookNorms;
    private float[]? _centroidsTransposed;
    private float[]? _centroidNorms;

    /// <inheritdoc/>
    void IVectorIndex.Search(ReadOnlySpan<float> query, int nprobes, int ef, RowMask mask, TopK topK) => Search(query, nprobes, mask, topK);

    /// <summary>
    /// Scores the rows of the <paramref name="nprobes"/> partitions nearest to the query by
    /// asymmetric distance, offering those that <paramref name="mask"/> allows to <paramref name="topK"/>.
    /// </summary>
    public void Search(ReadOnlySpan<float> query, int nprobes, RowMask mask, TopK topK)
    {
        Prepare();
        var buffer = new float[Dimension];
        query.CopyTo(buffer);
        if (Metric == DistanceMetric.Cosine)
        {
            Normalize(buffer);
        }

        var probes = NearestPartitions(buffer, Math.Min(nprobes, Partitions));
        var table = new float[SubVectors * CodebookSize];
        var residual = new float[Dimension];
        if (!Residual || Metric == DistanceMetric.Dot)
        {
            BuildTable(buffer, table);
        }

        foreach (var partition in probes)
        {
            var rows = RowIds[partition];
            if (rows.Length == 0)
            {
                continue;
            }

            var centroid = Centroids.AsSpan(partition * Dimension, Dimension);
            float bias = 0;
            if (Metric == DistanceMetric.Dot)
            {
                // 1 − q·x ≈ 1 − q·c − Σ q_m·p_m (the table holds −q_m·p_m).
                bias = 1 - (Residual ? VectorSums.Dot(buffer, centroid) : 0);
            }
            else if (Residual)
            {
                for (var d = 0; d < Dimension; d++)
                {
                    residual[d] = buffer[d] - centroid[d];
                }

                BuildTable(residual, table);
            }

            var scale = Metric == DistanceMetric.Cosine ? 0.5f : 1f; // unit vectors: 1 − cos = ‖q − x‖² / 2
            AdcScan.Scan(KernelWidths.Best, table, SubVectors, bias, scale, rows, Codes[partition], mask, topK);
        }
    }

    /// <summary>The partition a (normalised, for cosine) vector falls in.</summary>
    public int[] NearestPartitions(ReadOnlySpan<float> vector, int count)
    {
        Prepare();
        var padded = BlockDot.Pad(Partitions);
        var dots = new float[padded];
        BlockDot.Compute(vector, 1, Dimension, Dimension, _centroidsTransposed, padded, dots);
        var best = new TopK(count);
        for (var p = 0; p < Partitions; p++)
        {
            var score = Metric == DistanceMetric.Dot ? -dots[p] : _centroidNorms![p] - (2 * dots[p]);
            best.Offer(score, p);
        }

        return best.ToSortedArray().Select(x => (int)x.Row).ToArray();
    }

    /// <summary>
    /// The asymmetric distance table of one (residual) query: <c>table[m·256 + j]</c> is the
    /// squared L2 distance (or, for dot, the negated dot product) between the query's m-th
    /// sub-vector and codeword j.
    /// </summary>
    public void BuildTable(ReadOnlySpan<float> query, Span<float> table)
    {
        Prepare();
        var sub = SubDimension;
        for (var m = 0; m < SubVectors; m++)
        {
            var part = query.Slice(m * sub, sub);
            var output = table.Slice(m * CodebookSize, CodebookSize);
            BlockDot.Compute(part, 1, sub, sub, _codebookTransposed![m], CodebookSize, output);
            if (Metric == DistanceMetric.Dot)
            {
                for (var j = 0; j < CodebookSize; j++)
                {
                    output[j] = -output[j];
                }

                continue;
            }

            var queryNorm = VectorSums.Dot(part, part);
            var norms = _codebookNorms.AsSpan(m * CodebookSize, CodebookSize);
            for (var j = 0; j < CodebookSize; j++)
            {
                output[j] = Math.Max(0, queryNorm + norms[j] - (2 * output[j]));
            }
        }
    }

    /// <summary>Scales a vector to unit length (left as is when it is all zeros).</summary>
    public static void Normalize(Span<float> vector)
    {
        var norm = MathF.Sqrt(VectorSums.Dot(vector, vector));
        if (norm > 0)
        {
            var inverse = 1 / norm;
            for (var d = 0; d < vector.Length; d++)
            {
                vector[d] *= inverse;
            }
        }
    }

    private readonly Lock _prepareLock = new();

    private void Prepare()
    {
        if (Volatile.Read(ref _codebookTransposed) is not null)
        {
            return;
        }

        lock (_prepareLock)
        {
            if (_codebookTransposed is null)
            {
                PrepareLocked();
            }
        }
    }

    private void PrepareLocked()
    {

        var sub = SubDimension;
        var transposed = new float[SubVectors][];
        var norms = new float[SubVectors * CodebookSize];
        for (var m = 0; m < SubVectors; m++)
        {
            var book = Codebook.AsSpan(m * CodebookSize * sub, CodebookSize * sub);
            transposed[m] = BlockDot.Transpose(book, CodebookSize, sub);
            BlockDot.SquaredNorms(book, CodebookSize, sub).CopyTo(norms, m * CodebookSize);
        }

        _centroidsTransposed = BlockDot.Transpose(Centroids, Partitions, Dimension);
        _centroidNorms = BlockDot.SquaredNorms(Centroids, Partitions, Dimension);
        _codebookNorms = norms;
        Volatile.Write(ref _codebookTransposed, transposed);
    }
}
