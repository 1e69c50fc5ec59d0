using Lance.Engine.Dataset;
using Lance.Engine.Format;
using Lance.Engine.Index.Scalar;
using Lance.Engine.Index.Vector;

namespace Lance.Engine.Index;

/// <summary>
/// Index management as LanceDB offers it, over every index a manifest records (vector, scalar and
/// full-text; ours and LanceDB's): listing, statistics, dropping and optimising. Counts come from the
/// manifest as Lance computes them: the live rows of the fragments an index covers, and the rest.
/// </summary>
internal static class IndexAdmin
{
    /// <summary>One description per index name, ordered by name as LanceDB lists them.</summary>
    public static IReadOnlyList<IndexDescription> List(Manifest manifest)
        => manifest.Indices.GroupBy(i => i.Name).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var first = g.First();
            return new IndexDescription(g.Key, TypeNames(first).Listed, ColumnsOf(manifest, first), first.Uuid, first.DetailsTypeUrl);
        }).ToList();

    /// <summary>The statistics of the index named <paramref name="name"/>; null when there is none (as LanceDB answers).</summary>
    public static IndexStatistics? Stats(Manifest manifest, IndexCache indexes, string name)
    {
        var entries = manifest.Indices.Where(i => i.Name == name).ToList();
        if (entries.Count == 0)
        {
            return null;
        }

        var covered = new HashSet<ulong>(entries.SelectMany(e => e.Fragments));
        var indexed = manifest.Fragments.Where(f => covered.Contains(f.Id)).Sum(LiveRows);
        var all = manifest.Fragments.Sum(LiveRows);
        var first = entries[0];
        return new IndexStatistics(indexed, all - indexed, TypeNames(first).Stats, DistanceOf(first, indexes), entries.Count);
    }

    /// <summary>Commits a version without the index named <paramref name="name"/> (its files stay until old versions are cleaned up).</summary>
    /// <exception cref="LanceIndexException">There is no index of that name.</exception>
    public static async Task DropAsync(Snapshot snapshot, CommitLog log, string name, Action<Manifest> committed, CancellationToken cancellationToken)
    {
        if (!snapshot.Manifest.Indices.Any(i => i.Name == name))
        {
            throw new LanceIndexException($"Cannot drop index '{name}' of '{snapshot.Location}': there is no index of that name. Indexes: {Names(snapshot.Manifest)}.");
        }

        committed(await IndexCommit.PublishAsync(snapshot, log, name, null, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Brings the index named <paramref name="name"/> (every index this engine can rebuild when null) up to the current
    /// version, as LanceDB's optimize does: rows appended since it was built are folded in and deleted rows leave it;
    /// the result is one entry covering every fragment. One version per index. Full-text indexes and vector kinds this
    /// engine does not build are left as they are (their unindexed rows are still searched).
    /// </summary>
    /// <exception cref="LanceIndexException">No index has that name, or this engine cannot rebuild that kind.</exception>
    public static async Task OptimizeAsync(Snapshot snapshot, IndexCache indexes, CommitLog log, string? name, Action<Manifest> committed, CancellationToken cancellationToken)
    {
        var firsts = snapshot.Manifest.Indices.Where(i => name is null || i.Name == name).GroupBy(i => i.Name).Select(g => g.First()).ToList();
        if (name is not null && firsts.Count == 0)
        {
            throw new LanceIndexException($"Cannot optimise index '{name}' of '{snapshot.Location}': there is no index of that name. Indexes: {Names(snapshot.Manifest)}.");
        }

        var current = snapshot;
        void Follow(Manifest manifest)
        {
            current = current.Next(manifest);
            committed(manifest);
        }

        foreach (var metadata in firsts)
        {
            if (IndexCatalog.IsSearchable(metadata))
            {
                await IndexWriter.OptimizeAsync(current, indexes, log, metadata.Name, Follow, cancellationToken).ConfigureAwait(false);
            }
            else if (ScalarIndexFormat.KindOf(metadata) is { } kind && ColumnsOf(current.Manifest, metadata) is [var column])
            {
                await ScalarIndexBuilder.CreateAsync(current, log, column, kind, metadata.Name, replace: true, Follow, cancellationToken).ConfigureAwait(false);
            }
            else if (name is not null)
            {
                throw new LanceIndexException(
                    $"Cannot optimise index '{name}' of '{snapshot.Location}': Lance.Engine does not rebuild {TypeNames(metadata).Listed} indexes yet (LanceDB's optimize does; rows it does not cover are still searched).");
            }
        }
    }

    /// <summary>The names LanceDB gives an index's kind: in <c>listIndices</c> and in <c>indexStats</c>.</summary>
    public static (string Listed, string Stats) TypeNames(IndexMetadata metadata)
    {
        if (ScalarIndexFormat.KindOf(metadata) is { } kind)
        {
            return kind switch
            {
                ScalarIndexKind.BTree => ("BTree", "BTREE"),
                ScalarIndexKind.Bitmap => ("Bitmap", "BITMAP"),
                _ => ("LabelList", "LABEL_LIST"),
            };
        }

        if (FullText.FullTextIndex.IsFullText(metadata))
        {
            return ("FTS", "FTS");
        }

        var vector = metadata.DetailsTypeUrl == IndexCatalog.IvfPqTypeUrl ? LanceVectorDetails.IvfPq : LanceVectorDetails.Of(metadata)?.Kind;
        if (vector is not null)
        {
            // IVF_HNSW_SQ is listed as IvfHnswSq.
            return (string.Concat(vector.Split('_').Select(p => p[..1] + p[1..].ToLowerInvariant())), vector);
        }

        var type = metadata.DetailsTypeUrl[(metadata.DetailsTypeUrl.LastIndexOf('/') + 1)..];
        return (type, type);
    }

    /// <summary>The names of the columns an index covers (for our older private vector format, the one its details name).</summary>
    public static IReadOnlyList<string> ColumnsOf(Manifest manifest, IndexMetadata metadata)
    {
        var ids = metadata.DetailsTypeUrl == IndexCatalog.IvfPqTypeUrl ? [IndexCatalog.IndexedFieldId(metadata)] : metadata.Fields;
        return ids.Select(id => manifest.Schema.AllFields.FirstOrDefault(f => f.Id == id)?.Name ?? $"#{id}").ToList();
    }

    private static string? DistanceOf(IndexMetadata metadata, IndexCache indexes)
    {
        var metric = LanceVectorDetails.Of(metadata)?.Metric
            ?? (metadata.DetailsTypeUrl == IndexCatalog.IvfPqTypeUrl || IndexCatalog.IsSearchable(metadata) ? IndexCatalog.MetricOf(metadata, indexes) : null);
        return metric is { } m ? LanceVectorDetails.MetricName(m) : null;
    }

    private static long LiveRows(DataFragment fragment) => (long)fragment.PhysicalRows - (long)(fragment.DeletionFile?.NumDeletedRows ?? 0);

    private static string Names(Manifest manifest)
    {
        var names = manifest.Indices.Select(i => i.Name).Distinct().ToList();
        return names.Count == 0 ? "none" : string.Join(", ", names.Select(n => $"'{n}'"));
    }
}
