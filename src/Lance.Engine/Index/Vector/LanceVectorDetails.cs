using Lance.Engine.Format;
using Lance.Engine.Format.Protos.VectorIndex;

namespace Lance.Engine.Index.Vector;

/// <summary>
/// A vector index recorded in Lance's own format (type URL <c>/lance.index.pb.VectorIndexDetails</c>,
/// files <c>index.idx</c> and <c>auxiliary.idx</c> under <c>_indices/&lt;uuid&gt;/</c>), as its
/// manifest entry describes it: the kind (IVF_PQ, IVF_FLAT, IVF_HNSW_SQ, …), the distance and the
/// quantiser's parameters.
/// </summary>
internal sealed record LanceVectorDetails(string Kind, DistanceMetric Metric, int NumBits, int NumSubVectors)
{
    /// <summary>The type URL Lance records for vector indexes.</summary>
    public const string TypeUrl = "/lance.index.pb.VectorIndexDetails";

    /// <summary>The kind name of an IVF-PQ index, as Lance writes it in <c>lance:index</c>.</summary>
    public const string IvfPq = "IVF_PQ";

    /// <summary>The index file (IVF centroids, sub-index metadata).</summary>
    public const string IndexFileName = "index.idx";

    /// <summary>The auxiliary file (row ids and quantised vectors, partition by partition).</summary>
    public const string AuxiliaryFileName = "auxiliary.idx";

    /// <summary>Whether this engine searches indexes of this kind.</summary>
    public bool Usable => Kind switch
    {
        IvfPq or "IVF_SQ" or "IVF_HNSW_SQ" => NumBits == 8 && Metric != DistanceMetric.Hamming,
        "IVF_FLAT" => true,
        _ => false,
    };

    /// <summary>Whether <paramref name="metadata"/> records a vector index in Lance's format.</summary>
    public static bool IsLanceVector(IndexMetadata metadata) => metadata.DetailsTypeUrl.EndsWith("lance.index.pb.VectorIndexDetails", StringComparison.Ordinal);

    /// <summary>The details of a Lance vector index; null for other indexes and for old entries that record none.</summary>
    public static LanceVectorDetails? Of(IndexMetadata metadata)
    {
        if (!IsLanceVector(metadata) || metadata.Details.Length == 0)
        {
            return null;
        }

        VectorIndexDetails details;
        try
        {
            details = VectorIndexDetails.Parser.ParseFrom(metadata.Details);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return null;
        }

        var metric = details.MetricType switch
        {
            VectorMetricType.Cosine => DistanceMetric.Cosine,
            VectorMetricType.Dot => DistanceMetric.Dot,
            VectorMetricType.Hamming => DistanceMetric.Hamming,
            _ => DistanceMetric.L2,
        };
        var quantizer = details.CompressionCase switch
        {
            VectorIndexDetails.CompressionOneofCase.Pq => "PQ",
            VectorIndexDetails.CompressionOneofCase.Sq => "SQ",
            _ => "FLAT",
        };
        var kind = details.HnswIndexConfig is null ? $"IVF_{quantizer}" : $"IVF_HNSW_{quantizer}";
        var bits = (int)(details.Pq?.NumBits ?? details.Sq?.NumBits ?? 0);
        return new LanceVectorDetails(kind, metric, bits, (int)(details.Pq?.NumSubVectors ?? 0));
    }

    /// <summary>Lance's name of a distance (<c>l2</c>, <c>cosine</c>, <c>dot</c>, <c>hamming</c>).</summary>
    public static string MetricName(DistanceMetric metric) => metric switch
    {
        DistanceMetric.Cosine => "cosine",
        DistanceMetric.Dot => "dot",
        DistanceMetric.Hamming => "hamming",
        _ => "l2",
    };

    /// <summary>The distance Lance names <paramref name="name"/>.</summary>
    public static DistanceMetric? ParseMetric(string? name) => name?.ToLowerInvariant() switch
    {
        "l2" or "euclidean" => DistanceMetric.L2,
        "cosine" => DistanceMetric.Cosine,
        "dot" => DistanceMetric.Dot,
        "hamming" => DistanceMetric.Hamming,
        _ => null,
    };
}
