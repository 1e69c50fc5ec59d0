using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Lance.Engine.Query;
using Lance.Engine.Search.Kernels;

namespace Lance.Engine.Index.Vector;

/// <summary>The vector index kinds that keep whole vectors or scalar-quantised codes per IVF partition.</summary>
internal enum LanceIvfKind
{
    /// <summary>IVF_FLAT: the vectors themselves, measured exactly.</summary>
    Flat,

    /// <summary>IVF_SQ: 8-bit scalar-quantised codes, every row of a probed partition measured.</summary>
    Sq,

    /// <summary>IVF_HNSW_SQ: 8-bit codes and an HNSW graph per partition.</summary>
    HnswSq,
}

/// <summary>
/// An IVF_FLAT, IVF_SQ or IVF_HNSW_SQ index as Lance lays it out: partition centroids, and per
/// partition the row ids with either the vectors (FLAT) or their SQ codes (one range for every
/// value), plus an HNSW graph per partition for IVF_HNSW_SQ. Cosine indexes hold unit vectors and
/// pick partitions by L2; their SQ distances are L2 between unit vectors, halved to give 1 − cos.
/// </summary>
internal sealed class LanceIvfIndex : IVectorIndex
{
    /// <summary>The kind.</summary>
    public required LanceIvfKind Kind { get; init; }

    /// <inheritdoc/>
    public required DistanceMetric Metric { get; init; }

    /// <inheritdoc/>
    public required int Dimension { get; init; }

    /// <inheritdoc/>
    public int Partitions => RowIds.Length;

    /// <inheritdoc/>
    public int SubVectors => 0;

    /// <summary>Partition centroids, <c>Partitions × Dimension</c>.</summary>
    public required float[] Centroids { get; init; }

    /// <summary>Row ids per partition (fragment id in the high 32 bits).</summary>
    public required long[][] RowIds { get; init; }

    /// <summary>FLAT: the vectors per partition, row-major (unit vectors for cosine).</summary>
    public float[][]? Vectors { get; init; }

    /// <summary>FLAT over uint8 vectors (hamming): the vectors' bytes per partition, row-major.</summary>
    public byte[][]? Bits { get; init; }

    /// <summary>SQ: the codes per partition, row-major.</summary>
    public byte[][]? Codes { get; init; }

    /// <summary>SQ: the value range.</summary>
    public ScalarQuantizer Quantizer { get; init; }

    /// <summary>IVF_HNSW_SQ: the graph of each partition.</summary>
    public HnswGraph?[]? Graphs { get; init; }

    /// <inheritdoc/>
    public required ulong[] Fragments { get; init; }

    /// <inheritdoc/>
    public long IndexedRows => RowIds.Sum(r => (long)r.Length);

    /// <summary>The Lance name of the kind (<c>IVF_FLAT</c>, <c>IVF_SQ</c>, <c>IVF_HNSW_SQ</c>).</summary>
    public string KindName => NameOf(Kind);

    /// <summary>The Lance name of a kind.</summary>
    public static string NameOf(LanceIvfKind kind) => kind switch
    {
        LanceIvfKind.Flat => "IVF_FLAT",
        LanceIvfKind.Sq => "IVF_SQ",
        _ => "IVF_HNSW_SQ",
    };

    /// <summary>The index as a search keeps it: its graphs (if any) without the neighbour distances written to the file.</summary>
    public LanceIvfIndex ForSearch() => Graphs is null ? this : new LanceIvfIndex
    {
        Kind = Kind,
        Metric = Metric,
        Dimension = Dimension,
        Centroids = Centroids,
        RowIds = RowIds,
        Vectors = Vectors,
        Bits = Bits,
        Codes = Codes,
        Quantizer = Quantizer,
        Graphs = Graphs.Select(g => g?.ForSearch()).ToArray(),
        Fragments = Fragments,
    };

    /// <inheritdoc/>
    public void Search(ReadOnlySpan<float> query, int nprobes, int ef, RowMask mask, TopK topK)
    {
        if (Metric == DistanceMetric.Hamming)
        {
            SearchBits(query, nprobes, mask, topK);
            return;
        }

        var q = query.ToArray();
        if (Metric == DistanceMetric.Cosine)
        {
            IvfPqIndex.Normalize(q);
        }

        var queryCodes = new byte[Dimension];
        Quantizer.Encode(q, queryCodes);
        var probed = NearestPartitions(q, Math.Min(nprobes, Partitions));
        if (probed.Length < 2 || Environment.ProcessorCount < 2)
        {
            var scratch = new HnswSearchScratch();
            foreach (var partition in probed)
            {
                SearchPartition(partition, q, queryCodes, ef, mask, topK, scratch);
            }

            return;
        }

        // The probed partitions are searched on every core, each worker keeping its own k nearest (and its own
        // search queues and visited marks); the merge gives the same rows as one pass would (TopK orders ties
        // by row id). The mask's lazily found prefix is found here, before the workers read it.
        _ = mask.AllowedPrefix;
        var gate = new object();
        ParallelLoops.For(
            0,
            probed.Length,
            () => (Nearest: new TopK(topK.Capacity), Scratch: new HnswSearchScratch()),
            (i, _, local) =>
            {
                SearchPartition(probed[i], q, queryCodes, ef, mask, local.Nearest, local.Scratch);
                return local;
            },
            local =>
            {
                lock (gate)
                {
                    topK.Merge(local.Nearest);
                }
            });
    }

    /// <summary>Offers the rows one partition finds for the (normalised) query to <paramref name="topK"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SearchPartition(int partition, float[] q, byte[] queryCodes, int ef, RowMask mask, TopK topK, HnswSearchScratch scratch)
    {
        var rows = RowIds[partition];
        if (rows.Length == 0)
        {
            return;
        }

        // With no deletions and no prefilter every row is allowed: skip the row-by-row check (and its array).
        var all = HighestFragment(partition) < mask.AllowedPrefix;
        bool[] allowed = [];
        if (!all)
        {
            allowed = new bool[rows.Length];
            all = true;
            for (var i = 0; i < rows.Length; i++)
            {
                allowed[i] = mask.Allows(rows[i]);
                all &= allowed[i];
            }
        }

        if (Kind == LanceIvfKind.HnswSq && Graphs?[partition] is { } graph)
        {
            var width = Math.Max(ef, topK.Capacity);
            if (Metric == DistanceMetric.Dot)
            {
                graph.Search(new DelegateDistance(Measure(partition, q, queryCodes)), width, all ? null : allowed, rows, topK, scratch);
            }
            else
            {
                var scale = Quantizer.Scale * (Metric == DistanceMetric.Cosine ? 0.5f : 1f);
                graph.Search(new SqL2Distance(Codes![partition], queryCodes, scale), width, all ? null : allowed, rows, topK, scratch);
            }

            return;
        }

        var distance = Measure(partition, q, queryCodes);

        for (var i = 0; i < rows.Length; i++)
        {
            if (all || allowed[i])
            {
                topK.Offer(distance(i), rows[i]);
            }
        }
    }

    /// <summary>
    /// A hamming search of uint8 vectors: the partitions whose (uint8) centroids differ from the query in
    /// the fewest bits, then every allowed row of them, measured exactly (the count of differing bits).
    /// </summary>
    private void SearchBits(ReadOnlySpan<float> query, int nprobes, RowMask mask, TopK topK)
    {
        var q = new byte[Dimension];
        for (var i = 0; i < q.Length; i++)
        {
            q[i] = (byte)query[i];
        }

        var nearest = new TopK(Math.Max(1, Math.Min(nprobes, Partitions)));
        var centroid = new byte[Dimension];
        for (var p = 0; p < Partitions; p++)
        {
            for (var i = 0; i < centroid.Length; i++)
            {
                centroid[i] = (byte)Centroids[(p * Dimension) + i];
            }

            nearest.Offer(Dataset.HammingScan.Distance(q, centroid), p);
        }

        foreach (var (_, partition) in nearest.ToSortedArray())
        {
            var rows = RowIds[partition];
            var bits = Bits![partition];
            for (var i = 0; i < rows.Length; i++)
            {
                if (mask.Allows(rows[i]))
                {
                    topK.Offer(Dataset.HammingScan.Distance(q, bits.AsSpan(i * Dimension, Dimension)), rows[i]);
                }
            }
        }
    }

    /// <summary>The highest fragment id among a partition's rows (-1 when empty), found once per partition.</summary>
    private long HighestFragment(int partition)
    {
        var highest = _highestFragment ??= new long[Partitions];
        if (highest[partition] == 0)
        {
            var max = -1L;
            foreach (var row in RowIds[partition])
            {
                max = Math.Max(max, (long)((ulong)row >> 32));
            }

            // Stored plus one, so that 0 means "not yet found" (races only repeat the same work).
            highest[partition] = max + 1;
        }

        return highest[partition] - 1;
    }

    private long[]? _highestFragment;

    /// <summary>The distance from the (normalised, for cosine) query to row <c>i</c> of a partition, in the metric's own scale.</summary>
    public Func<int, float> Measure(int partition, float[] query, byte[] queryCodes)
    {
        var dim = Dimension;
        if (Kind == LanceIvfKind.Flat)
        {
            var vectors = Vectors![partition];
            return Metric switch
            {
                DistanceMetric.Dot => i => 1f - TensorPrimitives.Dot(query, vectors.AsSpan(i * dim, dim)),
                DistanceMetric.Cosine => i => 1f - TensorPrimitives.Dot(query, vectors.AsSpan(i * dim, dim)),
                _ => i => VectorSums.SquaredDistance(query, vectors.AsSpan(i * dim, dim)),
            };
        }

        var codes = Codes![partition];
        var quantizer = Quantizer;
        if (Metric == DistanceMetric.Dot)
        {
            return i => quantizer.DotDistance(codes.AsSpan(i * dim, dim), queryCodes);
        }

        var scale = quantizer.Scale * (Metric == DistanceMetric.Cosine ? 0.5f : 1f);
        return i => ScalarQuantizer.SquaredDistance(codes.AsSpan(i * dim, dim), queryCodes) * scale;
    }

    /// <summary>The <paramref name="count"/> partitions nearest to the (normalised) query: by L2, or by dot product for dot indexes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int[] NearestPartitions(ReadOnlySpan<float> query, int count)
    {
        var best = new TopK(Math.Max(1, count));
        for (var p = 0; p < Partitions; p++)
        {
            var centroid = Centroids.AsSpan(p * Dimension, Dimension);
            var score = Metric == DistanceMetric.Dot ? -TensorPrimitives.Dot(query, centroid) : VectorSums.SquaredDistance(query, centroid);
            best.Offer(score, p);
        }

        return best.ToSortedArray().Select(x => (int)x.Row).ToArray();
    }
}
