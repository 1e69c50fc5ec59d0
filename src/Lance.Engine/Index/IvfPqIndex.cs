using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
    /// Probed rows from which a search splits its partitions among the cores (each core keeps its own
    /// heap; the heaps are merged at the end, which gives the same rows as one heap: the heap orders by
    /// distance, then row id). About a millisecond of scanning on one core: below that, waiting for a
    /// second thread on a busy machine costs more than the split saves.
    /// </summary>
    public const int ParallelMinimumRows = 262_144;

    /// <summary>
    /// Scores the rows of the <paramref name="nprobes"/> partitions nearest to the query by
    /// asymmetric distance, offering those that <paramref name="mask"/> allows to <paramref name="topK"/>;
    /// on several cores once the probed partitions hold <paramref name="parallelFrom"/> rows or more.
    /// </summary>
    public void Search(ReadOnlySpan<float> query, int nprobes, RowMask mask, TopK topK, int parallelFrom = ParallelMinimumRows)
    {
        Prepare();
        var buffer = new float[Dimension];
        query.CopyTo(buffer);
        if (Metric == DistanceMetric.Cosine)
        {
            Normalize(buffer);
        }

        var probes = NearestPartitions(buffer, Math.Min(nprobes, Partitions));
        float[]? shared = null;
        if (!Residual || Metric == DistanceMetric.Dot)
        {
            shared = new float[SubVectors * CodebookSize];
            BuildTable(buffer, shared);
        }

        long probed = 0;
        foreach (var partition in probes)
        {
            probed += RowIds[partition].Length;
        }

        var workers = Math.Min(Environment.ProcessorCount, probes.Length);
        if (workers < 2 || probed < parallelFrom)
        {
            var scratch = new Scratch(this, shared);
            foreach (var partition in probes)
            {
                ScanPartition(partition, buffer, scratch, mask, topK);
            }

            return;
        }

        // Partitions handed out as the workers free up (the calling thread takes the nearest first); each
        // worker keeps its own heap and buffers, merged under a lock at the end.
        var gate = new Lock();
        ParallelLoops.For(
            0,
            probes.Length,
            new ParallelOptions { MaxDegreeOfParallelism = workers },
            () => (Scratch: new Scratch(this, shared), Heap: new TopK(topK.Capacity)),
            (p, _, local) =>
            {
                ScanPartition(probes[p], buffer, local.Scratch, mask, local.Heap);
                return local;
            },
            local =>
            {
                lock (gate)
                {
                    topK.Merge(local.Heap);
                }
            });
    }

    /// <summary>One searcher's working buffers: the distance table (shared when it does not depend on the partition), residual and byte screen.</summary>
    private sealed class Scratch(IvfPqIndex index, float[]? shared)
    {
        public bool SharedTable { get; } = shared is not null;

        public float[] Table { get; } = shared ?? new float[index.SubVectors * CodebookSize];

        public float[] Residual { get; } = new float[index.Dimension];

        public byte[] Screen { get; } = new byte[index.SubVectors * CodebookSize];
    }

    private void ScanPartition(int partition, float[] query, Scratch scratch, RowMask mask, TopK topK)
    {
        var rows = RowIds[partition];
        if (rows.Length == 0)
        {
            return;
        }

        var centroid = Centroids.AsSpan(partition * Dimension, Dimension);
        float bias = 0;
        if (Metric == DistanceMetric.Dot)
        {
            // 1 − q·x ≈ 1 − q·c − Σ q_m·p_m (the table holds −q_m·p_m).
            bias = 1 - (Residual ? VectorSums.Dot(query, centroid) : 0);
        }
        else if (!scratch.SharedTable)
        {
            var residual = scratch.Residual;
            for (var d = 0; d < Dimension; d++)
            {
                residual[d] = query[d] - centroid[d];
            }

            BuildTable(residual, scratch.Table);
        }

        var scale = Metric == DistanceMetric.Cosine ? 0.5f : 1f; // unit vectors: 1 − cos = ‖q − x‖² / 2
        AdcScan.Scan(KernelWidths.Best, scratch.Table, SubVectors, bias, scale, rows, Codes[partition], mask, topK, scratch.Screen);
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
        if (query.Length < Dimension || table.Length < SubVectors * CodebookSize)
        {
            throw new ArgumentException("The query or the table is shorter than the index needs.", nameof(table));
        }

        var sub = SubDimension;
        var dot = Metric == DistanceMetric.Dot;
        for (var m = 0; m < SubVectors; m++)
        {
            var part = query.Slice(m * sub, sub);
            var output = table.Slice(m * CodebookSize, CodebookSize);
            var norms = _codebookNorms.AsSpan(m * CodebookSize, CodebookSize);
            var queryNorm = dot ? 0 : VectorSums.Dot(part, part);
            if (Vector256.IsHardwareAccelerated)
            {
                TableRow(part, _codebookTransposed![m], norms, queryNorm, dot, output);
                continue;
            }

            BlockDot.Compute(part, 1, sub, sub, _codebookTransposed![m], CodebookSize, output);
            for (var j = 0; j < CodebookSize; j++)
            {
                output[j] = dot ? -output[j] : Math.Max(0, queryNorm + norms[j] - (2 * output[j]));
            }
        }
    }

    /// <summary>
    /// One sub-vector's 256 table entries, eight codewords per register: each product one chain of fused
    /// multiply-adds in dimension order from zero, as <see cref="BlockDot"/> computes it at every width, so the
    /// entries keep their bits; then <c>−dot</c>, or <c>max(0, ‖q‖² + ‖c‖² − 2·dot)</c> (a NaN stays NaN; the
    /// doubling is exact, so a fused subtraction would round alike).
    /// </summary>
    private static void TableRow(ReadOnlySpan<float> part, float[] transposed, ReadOnlySpan<float> norms, float queryNorm, bool dot, Span<float> output)
    {
        ref var columns = ref MemoryMarshal.GetArrayDataReference(transposed);
        ref var normBase = ref MemoryMarshal.GetReference(norms);
        ref var outBase = ref MemoryMarshal.GetReference(output);
        var sub = part.Length;
        var q = Vector256.Create(queryNorm);
        for (var c = 0; c < CodebookSize; c += 8)
        {
            var acc = Vector256<float>.Zero;
            ref var column = ref Unsafe.Add(ref columns, c);
            for (var d = 0; d < sub; d++)
            {
                acc = Vector256.FusedMultiplyAdd(Vector256.Create(part[d]), Vector256.LoadUnsafe(ref column), acc);
                column = ref Unsafe.Add(ref column, CodebookSize);
            }

            Vector256<float> entries;
            if (dot)
            {
                entries = -acc;
            }
            else
            {
                var distance = (q + Vector256.LoadUnsafe(ref normBase, (nuint)c)) - (acc * 2);
                var keep = Vector256.GreaterThan(distance, Vector256<float>.Zero) | ~Vector256.Equals(distance, distance);
                entries = Vector256.ConditionalSelect(keep, distance, Vector256<float>.Zero);
            }

            entries.StoreUnsafe(ref outBase, (nuint)c);
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
