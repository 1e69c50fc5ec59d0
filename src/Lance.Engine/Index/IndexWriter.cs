using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Dataset;
using Lance.Engine.Format;

namespace Lance.Engine.Index;

/// <summary>
/// Builds IVF-PQ indexes over a <see cref="Snapshot"/>'s vector column, folds newly appended rows into
/// them, and commits them: the index files go to <c>_indices/&lt;uuid&gt;/</c> (in the dataset folder) in
/// Lance's format (an index of this engine's older private format keeps that format when optimised),
/// then a version recording it is published through the <see cref="CommitLog"/>. When another writer
/// commits first the index is recorded on top of its version (fragments it does not cover are
/// searched exactly); a failed commit removes the index folder.
/// </summary>
internal static class IndexWriter
{
    /// <summary>Builds an index over <paramref name="column"/> and commits it; <paramref name="committed"/> gets the new version.</summary>
    /// <exception cref="LanceIndexException">The column cannot be indexed with these options; nothing is committed.</exception>
    public static async Task<VectorIndexInfo> CreateAsync(
        Snapshot snapshot, IndexCache indexes, CommitLog log, string column, IvfPqOptions options, Action<Manifest> committed, CancellationToken cancellationToken)
    {
        var (field, dimension) = IndexableColumn(snapshot, column, VectorIndexKind.IvfPq, options.Metric);
        IndexCommit.CheckName(snapshot, options.Name ?? column + "_idx", column, options.Replace);
        var arrowField = snapshot.Schema.GetFieldByName(column);
        var sources = snapshot.Fragments.Select(f => new IndexSource(f.Id, (FixedSizeListArray)snapshot.ReadColumn(f, arrowField), snapshot.DeletedRows(f))).ToList();
        var rows = sources.Sum(s => (long)s.Vectors.Length - s.Vectors.NullCount - s.Deleted.Count);
        var where = $"Cannot build an index on column '{column}' of '{snapshot.Location}'";
        if (rows <= 0)
        {
            throw new LanceIndexException($"{where}: the table has no rows with a vector.");
        }

        var partitions = options.NumPartitions ?? (int)Math.Max(1, Math.Sqrt(rows));
        if (partitions < 1 || partitions > rows)
        {
            throw new LanceIndexException($"{where} with {partitions} partitions: it needs between 1 and the {rows} rows the table holds.");
        }

        var subVectors = options.NumSubVectors ?? DefaultSubVectors(dimension);
        if (subVectors < 1 || dimension % subVectors != 0)
        {
            throw new LanceIndexException(
                $"{where}: {subVectors} sub-vectors do not divide its dimension {dimension}. Choose a divisor of {dimension}, e.g. {DefaultSubVectors(dimension)}.");
        }

        if (options.MaxIterations < 1 || options.SampleRate < 1)
        {
            throw new LanceIndexException($"{where}: MaxIterations and SampleRate must be at least 1.");
        }

        // Lance's format quantises residuals for l2 and cosine, the vectors themselves for dot.
        var lanceOptions = options with { Residual = options.Metric != DistanceMetric.Dot };
        var index = await Task.Run(
            () => IvfPqBuilder.Build(sources, dimension, partitions, subVectors, lanceOptions, options.Progress, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        var manifest = await CommitAsync(snapshot, indexes, log, index, options.Name ?? column + "_idx", field, lanceFormat: true, options.Progress, cancellationToken).ConfigureAwait(false);
        committed(manifest);
        return IndexCatalog.Describe(manifest, indexes, manifest.Indices.First(i => i.Name == (options.Name ?? column + "_idx")));
    }

    /// <summary>Builds an index of the kind <paramref name="config"/> names over <paramref name="column"/> and commits it.</summary>
    /// <exception cref="LanceIndexException">The column cannot be indexed with this configuration; nothing is committed.</exception>
    public static async Task<VectorIndexInfo> CreateAsync(
        Snapshot snapshot, IndexCache indexes, CommitLog log, string column, IndexConfig config, Action<Manifest> committed, CancellationToken cancellationToken)
    {
        if (config.Kind == VectorIndexKind.IvfPq)
        {
            return await CreateAsync(snapshot, indexes, log, column, config.ToIvfPqOptions(), committed, cancellationToken).ConfigureAwait(false);
        }

        var where = $"Cannot build an index on column '{column}' of '{snapshot.Location}'";
        var (field, dimension) = IndexableColumn(snapshot, column, config.Kind, config.DistanceType);
        if (config.M < 2 || config.EfConstruction < 1 || config.MaxIterations < 1 || config.SampleRate < 1)
        {
            throw new LanceIndexException($"{where}: m must be at least 2, ef_construction, max_iterations and sample_rate at least 1 (got {config.M}, {config.EfConstruction}, {config.MaxIterations}, {config.SampleRate}).");
        }

        var sources = Sources(snapshot, column, _ => true);
        var rows = sources.Sum(s => (long)s.Vectors.Length - s.Vectors.NullCount - s.Deleted.Count);
        if (rows <= 0)
        {
            throw new LanceIndexException($"{where}: the table has no rows with a vector.");
        }

        var partitions = config.NumPartitions ?? (int)Math.Max(1, Math.Sqrt(rows));
        if (partitions < 1 || partitions > rows)
        {
            throw new LanceIndexException($"{where} with {partitions} partitions: it needs between 1 and the {rows} rows the table holds.");
        }

        IndexCommit.CheckName(snapshot, config.Name ?? column + "_idx", column, config.Replace);
        var kind = config.Kind switch
        {
            VectorIndexKind.IvfFlat => Vector.LanceIvfKind.Flat,
            VectorIndexKind.IvfSq => Vector.LanceIvfKind.Sq,
            _ => Vector.LanceIvfKind.HnswSq,
        };
        var index = await Task.Run(
            () => config.DistanceType == DistanceMetric.Hamming
                ? Vector.HammingIvfBuilder.Build(sources, dimension, partitions, config, cancellationToken)
                : Vector.LanceIvfBuilder.Build(sources, dimension, partitions, kind, config, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        var name = config.Name ?? column + "_idx";
        var manifest = await CommitAsync(snapshot, indexes, log, index, name, field, lanceFormat: true, config.Progress, cancellationToken).ConfigureAwait(false);
        committed(manifest);
        return IndexCatalog.Describe(manifest, indexes, manifest.Indices.First(i => i.Name == name));
    }

    private static List<IndexSource> Sources(Snapshot snapshot, string column, Func<ulong, bool> include)
    {
        var arrowField = snapshot.Schema.GetFieldByName(column);
        return snapshot.Fragments.Where(f => include(f.Id))
            .Select(f => new IndexSource(f.Id, (FixedSizeListArray)snapshot.ReadColumn(f, arrowField), snapshot.DeletedRows(f))).ToList();
    }

    /// <summary>
    /// Folds the rows of fragments appended since the index named <paramref name="name"/> (every
    /// vector index when null) was built into it and drops rows deleted since; one version per index.
    /// </summary>
    /// <exception cref="LanceIndexException">No index has that name.</exception>
    public static async Task OptimizeAsync(Snapshot snapshot, IndexCache indexes, CommitLog log, string? name, Action<Manifest> committed, CancellationToken cancellationToken)
    {
        // One merge per index name: an index of several entries (deltas) becomes one entry.
        var targets = snapshot.Manifest.Indices.Where(i => IndexCatalog.IsSearchable(i) && (name is null || i.Name == name))
            .GroupBy(i => i.Name).Select(g => g.First()).ToList();
        if (name is not null && targets.Count == 0)
        {
            throw new LanceIndexException($"'{snapshot.Location}' has no vector index named '{name}'. Indexes: {string.Join(", ", snapshot.Manifest.Indices.Select(i => i.Name))}.");
        }

        foreach (var metadata in targets)
        {
            var field = snapshot.Manifest.Schema.AllFields.First(f => f.Id == IndexCatalog.IndexedFieldId(metadata));
            if (indexes.Load(metadata) is Vector.LanceIvfIndex ivf)
            {
                // IVF_FLAT, IVF_SQ and IVF_HNSW_SQ are rebuilt over every live row (new rows need new codes and graph links);
                // a hamming IVF_FLAT (uint8 vectors, ours or LanceDB's) by k-modes again.
                var rebuilt = await Task.Run(
                    () => ivf.Metric == DistanceMetric.Hamming
                        ? Vector.HammingIvfBuilder.Build(Sources(snapshot, field.Name, _ => true), ivf.Dimension, ivf.Partitions, RebuildConfig(ivf), cancellationToken)
                        : Vector.LanceIvfBuilder.Build(Sources(snapshot, field.Name, _ => true), ivf.Dimension, ivf.Partitions, ivf.Kind, RebuildConfig(ivf), cancellationToken),
                    cancellationToken).ConfigureAwait(false);
                var next = await CommitAsync(snapshot, indexes, log, rebuilt, metadata.Name, field, lanceFormat: true, null, cancellationToken).ConfigureAwait(false);
                committed(next);
                snapshot = snapshot.Next(next);
                continue;
            }

            var old = (IvfPqIndex)indexes.Load(metadata);
            var arrowField = snapshot.Schema.GetFieldByName(field.Name);
            var covered = new HashSet<ulong>(metadata.Fragments);
            var sources = snapshot.Fragments.Where(f => !covered.Contains(f.Id))
                .Select(f => new IndexSource(f.Id, (FixedSizeListArray)snapshot.ReadColumn(f, arrowField), snapshot.DeletedRows(f))).ToList();
            var mask = new RowMask(snapshot.Fragments.Select(f => f.Id).DefaultIfEmpty(0UL).Max());
            var kept = snapshot.Fragments.Where(f => covered.Contains(f.Id)).ToList();
            foreach (var fragment in kept)
            {
                mask.Allow(fragment.Id, snapshot.LiveRows(fragment));
            }

            var merged = await Task.Run(
                () => IvfPqBuilder.Merge(old, IvfPqBuilder.Fill(old, sources, null, null, cancellationToken), mask.Allows, kept.Select(f => f.Id).Concat(sources.Select(s => s.FragmentId))),
                cancellationToken).ConfigureAwait(false);
            // An index keeps its format: Lance's, or (our older indexes) the private one.
            var lanceFormat = metadata.DetailsTypeUrl != IndexCatalog.IvfPqTypeUrl;
            var manifest = await CommitAsync(snapshot, indexes, log, merged, metadata.Name, field, lanceFormat, null, cancellationToken).ConfigureAwait(false);
            committed(manifest);
            snapshot = snapshot.Next(manifest);
        }
    }

    private static IndexConfig RebuildConfig(Vector.LanceIvfIndex index)
    {
        var graph = index.Graphs?.FirstOrDefault(g => g is not null);
        var config = index.Kind switch
        {
            Vector.LanceIvfKind.Flat => IndexConfig.IvfFlat(index.Partitions, index.Metric),
            Vector.LanceIvfKind.Sq => IndexConfig.IvfSq(index.Partitions, index.Metric),
            _ => IndexConfig.IvfHnswSq(index.Partitions, index.Metric, graph?.M ?? Vector.HnswGraph.DefaultM, graph?.EfConstruction ?? Vector.HnswGraph.DefaultEfConstruction),
        };
        return config;
    }

    private static async Task<Manifest> CommitAsync(
        Snapshot snapshot, IndexCache indexes, CommitLog log, IVectorIndex index, string name, LanceField field, bool lanceFormat,
        IProgress<IndexBuildProgress>? progress, CancellationToken cancellationToken)
    {
        progress?.Report(new IndexBuildProgress(IndexBuildStage.Committing, 0));
        var uuid = Guid.NewGuid();
        var folder = uuid.ToString("D");
        try
        {
            byte[] details;
            if (index is Vector.LanceIvfIndex ivf)
            {
                await Vector.LanceIvfWriter.WriteAsync(snapshot.Files, folder, ivf, cancellationToken).ConfigureAwait(false);
                details = Vector.LanceIvfWriter.Details(ivf);
            }
            else if (lanceFormat)
            {
                await Vector.LanceIvfPqWriter.WriteAsync(snapshot.Files, folder, (IvfPqIndex)index, cancellationToken).ConfigureAwait(false);
                details = Vector.LanceIvfPqWriter.Details((IvfPqIndex)index);
            }
            else
            {
                await IvfPqFile.WriteAsync(snapshot.Files, DatasetFiles.IndexKey(folder), (IvfPqIndex)index, cancellationToken).ConfigureAwait(false);
                details = BitConverter.GetBytes(field.Id);
            }

            var metadata = new IndexMetadata
            {
                Uuid = uuid,
                // Our older private format names the column in its details, not in Lance's field list:
                // LanceDB would otherwise pick the index for its own searches and fail to open the file.
                Fields = lanceFormat ? [field.Id] : [],
                Details = details,
                Name = name,
                DatasetVersion = snapshot.Manifest.Version,
                Fragments = index.Fragments.ToList(),
                DetailsTypeUrl = lanceFormat ? Vector.LanceVectorDetails.TypeUrl : IndexCatalog.IvfPqTypeUrl,
                IndexVersion = 1,
            };
            var manifest = await IndexCommit.PublishAsync(snapshot, log, name, metadata, cancellationToken).ConfigureAwait(false);
            indexes.Add(uuid, index is Vector.LanceIvfIndex written ? written.ForSearch() : index);
            progress?.Report(new IndexBuildProgress(IndexBuildStage.Committing, 1));
            return manifest;
        }
        catch
        {
            // Best effort: an index folder no manifest names is ignored by every reader.
            await snapshot.Files.TryDeleteIndexAsync(folder).ConfigureAwait(false);

            throw;
        }
    }

    /// <summary>
    /// The column's field and dimension, when an index of <paramref name="kind"/> for <paramref name="metric"/> can be
    /// built on it. As in LanceDB: float vectors take every kind for l2, cosine and dot; uint8 (binary) vectors only
    /// IVF_FLAT for hamming (LanceDB's PQ and SQ refuse uint8, its k-means has no hamming for floats).
    /// </summary>
    /// <exception cref="LanceIndexException">The column is missing, not a vector column, or the combination is not built.</exception>
    private static (LanceField Field, int Dimension) IndexableColumn(Snapshot snapshot, string column, VectorIndexKind kind, DistanceMetric metric)
    {
        var field = snapshot.Manifest.Schema.FindField(column)
            ?? throw new LanceIndexException($"Cannot build an index on column '{column}' of '{snapshot.Location}': there is no such column. Columns: {snapshot.ColumnList}.");
        var arrow = snapshot.Schema.GetFieldByName(column);
        var (list, binary) = arrow.DataType switch
        {
            FixedSizeListType { ValueDataType: FloatType } l => (l, false),
            FixedSizeListType { ValueDataType: UInt8Type } l => (l, true),
            _ => throw new LanceIndexException(
                $"Cannot build a vector index on column '{column}' of '{snapshot.Location}': it is {arrow.DataType.Name}, not a vector column (fixed_size_list<float>[dim], or fixed_size_list<uint8>[dim] for hamming)."),
        };
        var kindName = KindName(kind);
        var distance = Vector.LanceVectorDetails.MetricName(metric);
        var where = $"Cannot build an {kindName} index with the {distance} distance on column '{column}' of '{snapshot.Location}'";
        if (binary && metric != DistanceMetric.Hamming)
        {
            throw new LanceIndexException($"{where}: the column holds uint8 (binary) vectors, which only the hamming distance measures (LanceDB refuses them too). Use IndexConfig.IvfFlat(distanceType: DistanceMetric.Hamming).");
        }

        if (binary && kind != VectorIndexKind.IvfFlat)
        {
            throw new LanceIndexException($"{where}: hamming indexes over uint8 vectors are IVF_FLAT only (LanceDB's PQ and SQ quantisers refuse uint8 vectors). Use IndexConfig.IvfFlat(distanceType: DistanceMetric.Hamming).");
        }

        if (!binary && metric == DistanceMetric.Hamming)
        {
            throw new LanceIndexException($"{where}: the hamming distance measures uint8 (binary) vectors and the column holds {list.ValueDataType.Name} vectors (LanceDB cannot train hamming partitions on them either). Use l2, cosine or dot.");
        }

        return (field, list.ListSize);
    }

    private static string KindName(VectorIndexKind kind) => kind switch
    {
        VectorIndexKind.IvfPq => "IVF_PQ",
        VectorIndexKind.IvfFlat => "IVF_FLAT",
        VectorIndexKind.IvfSq => "IVF_SQ",
        _ => "IVF_HNSW_SQ",
    };

    private static int DefaultSubVectors(int dimension)
        => dimension % 16 == 0 ? dimension / 16 : dimension % 8 == 0 ? dimension / 8 : dimension;
}
