using Lance.Engine.Dataset;
using Lance.Engine.Format;
using Lance.Engine.Query;
using Microsoft.Extensions.Logging;

namespace Lance.Engine.Index;

/// <summary>
/// What a manifest says about indexes: the IVF-PQ indexes this engine searches (Lance's format, and
/// this engine's older private format whose column is kept in the index details), and the others,
/// which this engine keeps for LanceDB but does not use.
/// </summary>
internal static class IndexCatalog
{
    /// <summary>The folder under the dataset that holds index files.</summary>
    public const string IndicesFolder = "_indices";

    /// <summary>The type URL recorded in the manifest for this engine's IVF-PQ indexes.</summary>
    public const string IvfPqTypeUrl = "type.googleapis.com/lance_csharp.IvfPqIndexDetails";

    private static readonly Action<ILogger, string, string, string, string, Exception?> LogIgnoredIndex = LoggerMessage.Define<string, string, string, string>(
        LogLevel.Information,
        new EventId(1, "IgnoredIndex"),
        "Dataset '{Dataset}': index '{Index}' ({Kind}) on {Columns} was written by another Lance library; Lance.Engine keeps it for LanceDB but does not use it, so queries on those columns run without it.");

    /// <summary>The vector indexes of <paramref name="snapshot"/> this engine built.</summary>
    public static IReadOnlyList<VectorIndexInfo> List(Snapshot snapshot, IndexCache indexes)
        => snapshot.Manifest.Indices.Where(IsSearchable).GroupBy(i => i.Name)
            .Select(g => Describe(snapshot.Manifest, indexes, g.ToList())).ToList();

    /// <summary>Whether this engine searches the vector index <paramref name="metadata"/> records.</summary>
    public static bool IsSearchable(IndexMetadata metadata)
        => metadata.DetailsTypeUrl == IvfPqTypeUrl || Vector.LanceVectorDetails.Of(metadata) is { Usable: true };

    /// <summary>The distance a searchable index serves (read from its details, or its files for our older format).</summary>
    public static DistanceMetric MetricOf(IndexMetadata metadata, IndexCache indexes)
        => Vector.LanceVectorDetails.Of(metadata)?.Metric ?? indexes.Load(metadata).Metric;

    /// <summary>The indexes of <paramref name="manifest"/> another Lance library built.</summary>
    public static IReadOnlyList<IgnoredIndexInfo> Ignored(Manifest manifest)
        => manifest.Indices.Where(i => !IsSearchable(i) && Scalar.ScalarIndexFormat.KindOf(i) is null && !FullText.FullTextIndex.IsFullText(i)).Select(i => new IgnoredIndexInfo(
            i.Name,
            i.Fields.Select(id => manifest.Schema.AllFields.FirstOrDefault(f => f.Id == id)?.Name ?? $"#{id}").ToList(),
            Vector.LanceVectorDetails.Of(i)?.Kind ?? KindOf(i.DetailsTypeUrl),
            i.Uuid)).ToList();

    /// <summary>Tells <paramref name="logger"/> (at Information) about each ignored index.</summary>
    public static void LogIgnored(Manifest manifest, string location, ILogger? logger)
    {
        if (logger is null || !logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        foreach (var index in Ignored(manifest))
        {
            LogIgnoredIndex(logger, location, index.Name, index.Kind, string.Join(", ", index.Columns.Select(c => $"'{c}'")), null);
        }
    }

    /// <summary>An index as <see cref="LanceDatasetIndexing.ListIndices"/> reports it.</summary>
    public static VectorIndexInfo Describe(Manifest manifest, IndexCache indexes, IndexMetadata metadata) => Describe(manifest, indexes, [metadata]);

    /// <summary>An index recorded in one or more entries of one name (Lance adds one per optimise delta).</summary>
    public static VectorIndexInfo Describe(Manifest manifest, IndexCache indexes, IReadOnlyList<IndexMetadata> entries)
    {
        var metadata = entries[0];
        var index = indexes.Load(metadata);
        var column = manifest.Schema.AllFields.FirstOrDefault(f => f.Id == IndexedFieldId(metadata))?.Name ?? "";
        var covered = new HashSet<ulong>(entries.SelectMany(e => e.Fragments));
        var present = manifest.Fragments.Where(f => covered.Contains(f.Id)).Select(f => f.Id).ToList();
        var unindexed = manifest.Fragments.Where(f => !covered.Contains(f.Id))
            .Sum(f => (long)f.PhysicalRows - (long)(f.DeletionFile?.NumDeletedRows ?? 0));
        return new VectorIndexInfo(metadata.Name, column, metadata.Uuid, index.Metric, index.Partitions, index.SubVectors, entries.Sum(e => indexes.Load(e).IndexedRows), present, unindexed)
        {
            Kind = index is Vector.LanceIvfIndex ivf ? ivf.Kind switch
            {
                Vector.LanceIvfKind.Flat => VectorIndexKind.IvfFlat,
                Vector.LanceIvfKind.Sq => VectorIndexKind.IvfSq,
                _ => VectorIndexKind.IvfHnswSq,
            } : VectorIndexKind.IvfPq,
        };
    }

    /// <summary>The field id of the indexed column: kept in our older index details (little-endian int32), in Lance's field list otherwise.</summary>
    public static int IndexedFieldId(IndexMetadata metadata)
        => metadata.DetailsTypeUrl == IvfPqTypeUrl && metadata.Details.Length == 4 ? BitConverter.ToInt32(metadata.Details)
            : metadata.Fields.Count == 1 ? metadata.Fields[0] : -1;

    private static string KindOf(string typeUrl)
    {
        var name = typeUrl[(typeUrl.LastIndexOf('/') + 1)..];
        return name.Length == 0 ? "an index with no recorded type" : name;
    }
}
