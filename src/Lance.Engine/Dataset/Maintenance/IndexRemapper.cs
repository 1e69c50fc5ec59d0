using Lance.Engine.Format;
using Lance.Engine.Index;
using Lance.Engine.Index.FullText;
using Lance.Engine.Index.Scalar;
using Lance.Engine.Index.Vector;
using Microsoft.Extensions.Logging;

namespace Lance.Engine.Dataset;

/// <summary>An index a compaction remapped: the entry it replaces (by id) and the new entry, whose files are written.</summary>
/// <param name="OldUuid">The id of the entry replaced.</param>
/// <param name="Index">The new entry: a new id, the same name, fields and build version, the fragments after the compaction.</param>
internal sealed record RemappedIndex(Guid OldUuid, IndexMetadata Index);

/// <summary>
/// Carries the indexes over a compaction, as Lance does when it rewrites fragments: each index entry that covers a
/// rewritten fragment is read, every row address it holds passed through the <see cref="RowAddressMap"/> (deleted
/// rows leave it), and written again under a new id with the fragment bitmap recalculated; the compaction's version
/// records it in place of the old entry. Scalar indexes (BTREE, BITMAP, LABEL_LIST) keep their keys; vector indexes
/// (IVF_FLAT, IVF_SQ, IVF_PQ, IVF_HNSW_SQ, hamming IVF_FLAT) keep their centroids, codebooks and codes, and an
/// IVF_HNSW_SQ partition that lost rows gets its graph built again over the codes left. A full-text index is
/// built again, with its own options, over the same live rows at their new places (its documents are just those
/// rows' tokens). Kinds this engine cannot remap (this engine's older private IVF_PQ, any index of a stable-row-id
/// dataset) are left to the commit's older rule and logged.
/// </summary>
internal static class IndexRemapper
{
    private static readonly Action<ILogger, string, string, string, string, Exception?> LogNotRemapped = LoggerMessage.Define<string, string, string, string>(
        LogLevel.Information,
        new EventId(2, "IndexNotRemapped"),
        "Dataset '{Dataset}': compaction cannot remap index '{Index}' ({Kind}); {Outcome}");

    /// <summary>Writes the remapped indexes of <paramref name="snapshot"/>; on failure removes what it wrote.</summary>
    public static async Task<List<RemappedIndex>> RemapAsync(
        Snapshot snapshot, Func<Snapshot> compacted, IndexCache indexes, RowAddressMap map, ILogger? logger, CancellationToken cancellationToken)
    {
        var manifest = snapshot.Manifest;
        var after = new Lazy<Snapshot>(compacted);
        var result = new List<RemappedIndex>();
        try
        {
            foreach (var entry in manifest.Indices)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!entry.Fragments.Any(map.Replaces))
                {
                    continue;
                }

                var fragments = map.Fragments(entry.Fragments);
                var remapped = fragments is null || manifest.UsesStableRowIds ? null
                    : ScalarIndexFormat.KindOf(entry) is { } kind && IndexAdmin.ColumnsOf(manifest, entry) is [var column]
                        ? await RemapScalarAsync(snapshot, entry, kind, column, map, fragments, cancellationToken).ConfigureAwait(false)
                        : entry.DetailsTypeUrl != IndexCatalog.IvfPqTypeUrl && IndexCatalog.IsSearchable(entry)
                            ? await RemapVectorAsync(snapshot, indexes, entry, map, fragments, cancellationToken).ConfigureAwait(false)
                            : FullTextIndex.IsFullText(entry) && IndexAdmin.ColumnsOf(manifest, entry) is [var text]
                                ? await RebuildFullTextAsync(snapshot, after.Value, entry, text, fragments, cancellationToken).ConfigureAwait(false)
                                : null;
                if (remapped is not null)
                {
                    result.Add(new RemappedIndex(entry.Uuid, remapped));
                }
                else if (logger is not null && logger.IsEnabled(LogLevel.Information))
                {
                    LogNotRemapped(logger, snapshot.Location, entry.Name, IndexAdmin.TypeNames(entry).Stats, Outcome(manifest, entry), null);
                }
            }
        }
        catch
        {
            await DiscardAsync(snapshot.Files, result).ConfigureAwait(false);
            throw;
        }

        return result;
    }

    /// <summary>Removes the folders of <paramref name="remapped"/> (a compaction that was not committed).</summary>
    public static Task DiscardAsync(DatasetFiles files, IEnumerable<RemappedIndex> remapped)
        => Task.WhenAll(remapped.Select(r => files.TryDeleteIndexAsync(r.Index.FolderName)));

    private static string Outcome(Manifest manifest, IndexMetadata entry)
    {
        var why = manifest.UsesStableRowIds ? "the dataset has stable row ids" : "Lance.Engine does not remap this kind";
        return entry.IsForeign && ScalarIndexFormat.KindOf(entry) is null && !FullTextIndex.IsFullText(entry) && !IndexCatalog.IsSearchable(entry)
            ? $"{why}, so the version the compaction writes drops it (build it again, or run LanceDB's optimize)."
            : $"{why}, so it keeps covering only the fragments it covered; the rows the compaction moved are searched without it until the index is optimised or built again.";
    }

    private static async Task<IndexMetadata> RemapScalarAsync(
        Snapshot snapshot, IndexMetadata entry, ScalarIndexKind kind, string column, RowAddressMap map, List<ulong> fragments, CancellationToken cancellationToken)
    {
        var loaded = ScalarIndexReader.Load(snapshot.Files, snapshot.Manifest, entry, kind, column);
        var remapped = await Task.Run(() => loaded.Remap(map.Map), cancellationToken).ConfigureAwait(false);
        var metadata = NewEntry(entry, fragments, ScalarIndexFormat.TypeUrl(kind), [], indexVersion: ScalarIndexFormat.Version(kind));
        await ScalarIndexFiles.WriteAsync(snapshot.Files, metadata.FolderName, remapped, cancellationToken).ConfigureAwait(false);
        ScalarIndexReader.Remember(snapshot.Files, metadata.Uuid, remapped);
        return metadata;
    }

    /// <summary>
    /// A full-text index's documents are its rows' token lists: the same documents at their new addresses are the
    /// covered fragments' live rows tokenized again, with the index's own options, in the compacted version.
    /// </summary>
    private static async Task<IndexMetadata> RebuildFullTextAsync(
        Snapshot snapshot, Snapshot after, IndexMetadata entry, string column, List<ulong> fragments, CancellationToken cancellationToken)
    {
        var old = FullTextIndex.Get(snapshot, entry);
        var covered = fragments.ToHashSet();
        var field = after.Schema.GetFieldByName(column);
        var partition = await Task.Run(
            () => FullTextIndexBuilder.Build(after, after.Fragments.Where(f => covered.Contains(f.Id)), field, old.Analyzer, cancellationToken), cancellationToken).ConfigureAwait(false);
        var metadata = NewEntry(entry, fragments, FullTextIndex.DetailsTypeUrl, FullTextIndexFiles.Details(old.Options), FullTextIndexBuilder.IndexVersion);
        using (partition)
        {
            await FullTextIndexFiles.WriteAsync(snapshot.Files, metadata.FolderName, old.Options, [partition], cancellationToken).ConfigureAwait(false);
        }
        return metadata;
    }

    private static async Task<IndexMetadata> RemapVectorAsync(
        Snapshot snapshot, IndexCache indexes, IndexMetadata entry, RowAddressMap map, List<ulong> fragments, CancellationToken cancellationToken)
    {
        var loaded = indexes.Load(entry);
        var covered = fragments.ToArray();
        IVectorIndex remapped = loaded switch
        {
            LanceIvfIndex ivf => await Task.Run(() => Remap(ivf, map, covered, cancellationToken), cancellationToken).ConfigureAwait(false),
            IvfPqIndex pq => await Task.Run(() => Remap(pq, map, covered), cancellationToken).ConfigureAwait(false),
            _ => throw new LanceIndexException($"Cannot remap index '{entry.Name}' of '{snapshot.Location}': it loaded as {loaded.GetType().Name}."),
        };
        var metadata = remapped is LanceIvfIndex written
            ? NewEntry(entry, fragments, LanceVectorDetails.TypeUrl, LanceIvfWriter.Details(written), indexVersion: 1)
            : NewEntry(entry, fragments, LanceVectorDetails.TypeUrl, LanceIvfPqWriter.Details((IvfPqIndex)remapped), indexVersion: 1);
        if (remapped is LanceIvfIndex ivfIndex)
        {
            await LanceIvfWriter.WriteAsync(snapshot.Files, metadata.FolderName, ivfIndex, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await LanceIvfPqWriter.WriteAsync(snapshot.Files, metadata.FolderName, (IvfPqIndex)remapped, cancellationToken).ConfigureAwait(false);
        }

        indexes.Add(metadata.Uuid, remapped);
        return metadata;
    }

    private static IndexMetadata NewEntry(IndexMetadata entry, List<ulong> fragments, string typeUrl, byte[] details, int indexVersion) => new()
    {
        Uuid = Guid.NewGuid(),
        Fields = entry.Fields.ToList(),
        Name = entry.Name,
        // As Lance: the entry still describes the data of the version it was built on, now at new addresses.
        DatasetVersion = entry.DatasetVersion,
        Fragments = fragments,
        DetailsTypeUrl = typeUrl,
        Details = details,
        IndexVersion = indexVersion,
    };

    /// <summary>The rows of one partition that stay (their positions in it) and their new addresses.</summary>
    private static (int[] Kept, long[] Addresses) Keep(long[] rows, RowAddressMap map)
    {
        var kept = new List<int>(rows.Length);
        var addresses = new List<long>(rows.Length);
        for (var i = 0; i < rows.Length; i++)
        {
            if (map.Map((ulong)rows[i]) is { } moved)
            {
                kept.Add(i);
                addresses.Add((long)moved);
            }
        }

        return ([.. kept], [.. addresses]);
    }

    /// <summary>The rows <paramref name="kept"/> of a row-major block of <paramref name="rows"/> equal rows.</summary>
    private static T[] Take<T>(T[] block, int rows, int[] kept)
    {
        if (kept.Length == rows)
        {
            return block;
        }

        var stride = rows == 0 ? 0 : block.Length / rows;
        var result = new T[kept.Length * stride];
        for (var i = 0; i < kept.Length; i++)
        {
            System.Array.Copy(block, kept[i] * stride, result, i * stride, stride);
        }

        return result;
    }

    private static LanceIvfIndex Remap(LanceIvfIndex index, RowAddressMap map, ulong[] fragments, CancellationToken cancellationToken)
    {
        var partitions = index.Partitions;
        var rowIds = new long[partitions][];
        var vectors = index.Vectors is null ? null : new float[partitions][];
        var bits = index.Bits is null ? null : new byte[partitions][];
        var codes = index.Codes is null ? null : new byte[partitions][];
        var graphs = index.Graphs is null ? null : new HnswGraph?[partitions];
        ParallelLoops.For(0, partitions, new ParallelOptions { CancellationToken = cancellationToken }, p =>
        {
            var rows = index.RowIds[p].Length;
            var (kept, addresses) = Keep(index.RowIds[p], map);
            rowIds[p] = addresses;
            if (vectors is not null)
            {
                vectors[p] = Take(index.Vectors![p], rows, kept);
            }

            if (bits is not null)
            {
                bits[p] = Take(index.Bits![p], rows, kept);
            }

            if (codes is not null)
            {
                codes[p] = Take(index.Codes![p], rows, kept);
            }

            if (graphs is not null)
            {
                // A graph's nodes are the partition's rows by position: it stays when every row does, else it is built
                // again over the codes left (as Lance rebuilds an HNSW partition on remap).
                var graph = index.Graphs![p];
                graphs[p] = kept.Length == rows || graph is null ? graph
                    : LanceIvfBuilder.BuildGraph(codes![p], kept.Length, index.Dimension, index.Quantizer, index.Metric, graph.M, graph.EfConstruction, graph.MaxLevel, 42 + p, cancellationToken);
            }
        });

        return new LanceIvfIndex
        {
            Kind = index.Kind,
            Metric = index.Metric,
            Dimension = index.Dimension,
            Centroids = index.Centroids,
            RowIds = rowIds,
            Vectors = vectors,
            Bits = bits,
            Codes = codes,
            Quantizer = index.Quantizer,
            Graphs = graphs,
            Fragments = fragments,
        };
    }

    private static IvfPqIndex Remap(IvfPqIndex index, RowAddressMap map, ulong[] fragments)
    {
        var m = index.SubVectors;
        var rowIds = new long[index.Partitions][];
        var codes = new byte[index.Partitions][];
        for (var p = 0; p < index.Partitions; p++)
        {
            var rows = index.RowIds[p].Length;
            var (kept, addresses) = Keep(index.RowIds[p], map);
            rowIds[p] = addresses;
            if (kept.Length == rows)
            {
                codes[p] = index.Codes[p];
                continue;
            }

            // Codes are sub-vector-major: [sub-vector][row].
            var n = kept.Length;
            var target = new byte[(long)n * m];
            for (var s = 0; s < m; s++)
            {
                for (var i = 0; i < n; i++)
                {
                    target[(s * n) + i] = index.Codes[p][(s * rows) + kept[i]];
                }
            }

            codes[p] = target;
        }

        return index with { RowIds = rowIds, Codes = codes, Fragments = fragments };
    }
}
