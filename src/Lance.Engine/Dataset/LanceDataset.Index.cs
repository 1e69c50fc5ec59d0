using Microsoft.Extensions.Logging;
using System.Collections.Concurrent;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Arrow;
using Lance.Engine.Dataset;
using Lance.Engine.Format;
using Lance.Engine.Index;
using Lance.Engine.Query;
using Lance.Engine.Query.Filtering;

namespace Lance.Engine;

/// <summary>Vector indexes: building, optimising, listing and searching through IVF-PQ.</summary>
public sealed partial class LanceDataset
{
    /// <summary>The folder under the dataset that holds index files.</summary>
    public const string IndicesFolder = "_indices";

    /// <summary>The type URL recorded in the manifest for this engine's IVF-PQ indexes.</summary>
    internal const string IvfPqTypeUrl = "type.googleapis.com/lance_csharp.IvfPqIndexDetails";

    private readonly ConcurrentDictionary<Guid, IvfPqIndex> _indexCache = new();
    private readonly ConcurrentDictionary<(ulong Fragment, string Deletion), bool[]> _liveRowsCache = new();

    /// <summary>The vector indexes recorded in the current version.</summary>
    public IReadOnlyList<VectorIndexInfo> ListIndices()
    {
        var manifest = _manifest;
        return manifest.Indices.Where(i => i.DetailsTypeUrl == IvfPqTypeUrl).Select(i => Describe(manifest, i)).ToList();
    }

    /// <summary>
    /// Indexes recorded in the current version that this engine keeps but does not use: those
    /// LanceDB (Lance) built, vector or scalar. Searches and filters on their columns run without
    /// them (exactly), and they stay in the manifest, so LanceDB keeps using them, until an
    /// operation rewrites the rows or the schema they cover.
    /// </summary>
    public IReadOnlyList<IgnoredIndexInfo> IgnoredIndices
    {
        get
        {
            var manifest = _manifest;
            return manifest.Indices.Where(i => i.DetailsTypeUrl != IvfPqTypeUrl).Select(i => new IgnoredIndexInfo(
                i.Name,
                i.Fields.Select(id => manifest.Schema.AllFields.FirstOrDefault(f => f.Id == id)?.Name ?? $"#{id}").ToList(),
                KindOf(i.DetailsTypeUrl),
                i.Uuid)).ToList();
        }
    }

    private static readonly Action<ILogger, string, string, string, string, Exception?> LogIgnoredIndex = LoggerMessage.Define<string, string, string, string>(
        LogLevel.Information,
        new EventId(1, "IgnoredIndex"),
        "Dataset '{Dataset}': index '{Index}' ({Kind}) on {Columns} was written by another Lance library; Lance.Engine keeps it for LanceDB but does not use it, so queries on those columns run without it.");

    private void LogIgnoredIndices(ILogger? logger)
    {
        if (logger is null || !logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        foreach (var index in IgnoredIndices)
        {
            LogIgnoredIndex(logger, Path, index.Name, index.Kind, string.Join(", ", index.Columns.Select(c => $"'{c}'")), null);
        }
    }

    private static string KindOf(string typeUrl)
    {
        var name = typeUrl[(typeUrl.LastIndexOf('/') + 1)..];
        return name.Length == 0 ? "an index with no recorded type" : name;
    }

    /// <summary>
    /// Builds an IVF-PQ index over <paramref name="column"/> from the rows of the current version
    /// and commits a new version that records it (replacing an index of the same name). Rows
    /// appended later are searched exactly until <see cref="OptimizeIndexAsync"/> folds them in.
    /// </summary>
    /// <exception cref="LanceIndexException">The column is not a float vector column, the table has no rows, there are more partitions than rows, or the sub-vectors do not divide the dimension. Nothing is committed.</exception>
    /// <exception cref="OperationCanceledException">The build was cancelled; nothing is committed and no index file is left.</exception>
    public async Task<VectorIndexInfo> CreateIndexAsync(string column, IvfPqOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        ThrowIfReadOnly();
        options ??= new IvfPqOptions();
        var manifest = _manifest;
        var (field, dimension) = IndexableColumn(manifest, column);
        var sources = manifest.Fragments.Select(f => new IndexSource(f.Id, (FixedSizeListArray)ReadColumn(f, _schema.GetFieldByName(column)), DeletedRows(f))).ToList();
        var rows = sources.Sum(s => (long)s.Vectors.Length - s.Vectors.NullCount - s.Deleted.Count);
        if (rows <= 0)
        {
            throw new LanceIndexException($"Cannot build an index on column '{column}' of '{Path}': the table has no rows with a vector.");
        }

        var partitions = options.NumPartitions ?? (int)Math.Max(1, Math.Sqrt(rows));
        if (partitions < 1 || partitions > rows)
        {
            throw new LanceIndexException(
                $"Cannot build an index on column '{column}' of '{Path}' with {partitions} partitions: it needs between 1 and the {rows} rows the table holds.");
        }

        var subVectors = options.NumSubVectors ?? DefaultSubVectors(dimension);
        if (subVectors < 1 || dimension % subVectors != 0)
        {
            throw new LanceIndexException(
                $"Cannot build an index on column '{column}' of '{Path}': {subVectors} sub-vectors do not divide its dimension {dimension}. Choose a divisor of {dimension}, e.g. {DefaultSubVectors(dimension)}.");
        }

        if (options.MaxIterations < 1 || options.SampleRate < 1)
        {
            throw new LanceIndexException($"Cannot build an index on column '{column}' of '{Path}': MaxIterations and SampleRate must be at least 1.");
        }

        var index = await Task.Run(
            () => IvfPqBuilder.Build(sources, dimension, partitions, subVectors, options, options.Progress, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        var name = options.Name ?? column + "_idx";
        return CommitIndex(manifest, index, name, field, options.Progress, cancellationToken);
    }

    /// <summary>
    /// Folds the rows of fragments appended since the index named <paramref name="name"/> (every
    /// vector index when null) was built into it, with the trained centroids and codebooks, and
    /// drops rows that were deleted or whose fragments are gone; commits a new version.
    /// </summary>
    /// <exception cref="LanceIndexException">No index has that name.</exception>
    public async Task OptimizeIndexAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        ThrowIfReadOnly();
        var manifest = _manifest;
        var targets = manifest.Indices.Where(i => i.DetailsTypeUrl == IvfPqTypeUrl && (name is null || i.Name == name)).ToList();
        if (name is not null && targets.Count == 0)
        {
            throw new LanceIndexException($"'{Path}' has no vector index named '{name}'. Indexes: {string.Join(", ", manifest.Indices.Select(i => i.Name))}.");
        }

        foreach (var metadata in targets)
        {
            var old = LoadIndex(metadata);
            var field = manifest.Schema.AllFields.First(f => f.Id == IndexedFieldId(metadata));
            var arrowField = _schema.GetFieldByName(field.Name);
            var covered = new HashSet<ulong>(metadata.Fragments);
            var sources = manifest.Fragments.Where(f => !covered.Contains(f.Id))
                .Select(f => new IndexSource(f.Id, (FixedSizeListArray)ReadColumn(f, arrowField), DeletedRows(f))).ToList();
            var mask = new RowMask(manifest.Fragments.Select(f => f.Id).DefaultIfEmpty(0UL).Max());
            var kept = manifest.Fragments.Where(f => covered.Contains(f.Id)).ToList();
            foreach (var fragment in kept)
            {
                mask.Allow(fragment.Id, LiveRows(fragment));
            }

            var merged = await Task.Run(
                () => IvfPqBuilder.Merge(old, IvfPqBuilder.Fill(old, sources, null, null, cancellationToken), mask.Allows, kept.Select(f => f.Id).Concat(sources.Select(s => s.FragmentId))),
                cancellationToken).ConfigureAwait(false);
            CommitIndex(manifest, merged, metadata.Name, field, null, cancellationToken);
            manifest = _manifest;
        }
    }

    /// <summary>
    /// Runs several searches that share everything but the query vector in one go: exact searches
    /// share one pass over the vectors (each block of rows meets every query while it is in
    /// cache); indexed searches run in parallel. Results are in the order of <paramref name="queries"/>.
    /// </summary>
    /// <param name="request">The search to run; its <see cref="VectorSearchRequest.Query"/> is ignored.</param>
    /// <param name="queries">The query vectors.</param>
    /// <param name="cancellationToken">Stops the searches.</param>
    public async Task<IReadOnlyList<RecordBatch>> SearchBatchAsync(VectorSearchRequest request, IReadOnlyList<ReadOnlyMemory<float>> queries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(queries);
        if (queries.Count == 0)
        {
            return [];
        }

        var manifest = _manifest;
        var dimension = VectorDimension(request.Column);
        foreach (var query in queries)
        {
            if (query.Length != dimension)
            {
                throw new LanceSchemaException(
                    $"A query vector has {query.Length} dimensions but column '{request.Column}' of '{Path}' holds vectors of {dimension}.");
            }
        }

        if (FindIndex(manifest, request) is not null)
        {
            var results = new RecordBatch[queries.Count];
            await Task.Run(() => Parallel.For(0, queries.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
                results[i] = SearchAsync(request with { Query = queries[i] }, cancellationToken).GetAwaiter().GetResult()), cancellationToken).ConfigureAwait(false);
            return results;
        }

        var ranked = await Task.Run(() => ExactBatch(manifest, request, queries, dimension, cancellationToken), cancellationToken).ConfigureAwait(false);
        var projection = Project(request.Columns);
        return ranked.Select(r => Materialize(manifest, projection, r, request.WithRowId)).ToList();
    }

    /// <summary>The index that can answer <paramref name="request"/> in <paramref name="manifest"/>, if any.</summary>
    private IndexMetadata? FindIndex(Manifest manifest, VectorSearchRequest request)
    {
        if (request.BypassIndex || manifest.Indices.Count == 0)
        {
            return null;
        }

        var field = manifest.Schema.FindField(request.Column);
        if (field is null)
        {
            return null;
        }

        foreach (var metadata in manifest.Indices)
        {
            if (metadata.DetailsTypeUrl == IvfPqTypeUrl && IndexedFieldId(metadata) == field.Id
                && LoadIndex(metadata).Metric == request.Metric)
            {
                return metadata;
            }
        }

        return null;
    }

    /// <summary>
    /// Approximate search: the index's candidates (k × refine factor of them, re-ranked with the
    /// exact vectors when a refine factor is given) merged with an exact search of the fragments
    /// the index does not cover. Deleted rows are never returned; a prefilter (and
    /// <paramref name="allowed"/>) limits the rows scored, a postfilter applies to the ranked rows,
    /// then the distance range, offset and limit, with the same semantics as exact search.
    /// </summary>
    /// <param name="manifest">The version searched.</param>
    /// <param name="metadata">The index.</param>
    /// <param name="request">The search.</param>
    /// <param name="filter">The request's filter, resolved, or null.</param>
    /// <param name="allowed">Extra row mask: per fragment id, the rows that may be returned (all rows of fragments not listed), or null.</param>
    private (float Distance, long Row)[] SearchIndexed(Manifest manifest, IndexMetadata metadata, VectorSearchRequest request, RowFilter? filter, IReadOnlyDictionary<ulong, bool[]>? allowed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(request.Nprobes, 1, nameof(request.Nprobes));
        if (request.RefineFactor is { } factor)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1, nameof(request.RefineFactor));
        }

        var index = LoadIndex(metadata);
        var vectorField = _schema.GetFieldByName(request.Column);
        var covered = new HashSet<ulong>(metadata.Fragments);
        var prefilter = filter is not null && request.Prefilter ? filter : null;
        var wanted = checked(request.K + request.Offset);
        var lower = request.DistanceLower ?? float.NegativeInfinity;
        var upper = request.DistanceUpper ?? float.PositiveInfinity;

        // Per fragment: the rows that may be scored (live, passing the prefilter and the mask).
        bool[]? Allowed(DataFragment fragment)
        {
            var mask = Combine(LiveRows(fragment), allowed?.GetValueOrDefault(fragment.Id));
            if (prefilter is null)
            {
                return mask;
            }

            var passing = PassingRows(fragment, prefilter, out _)!;
            var rows = new bool[fragment.PhysicalRows];
            foreach (var row in passing)
            {
                rows[row] = true;
            }

            return Combine(rows, mask);
        }

        var rowMask = new RowMask(manifest.Fragments.Select(f => f.Id).DefaultIfEmpty(0UL).Max());
        foreach (var fragment in manifest.Fragments.Where(f => covered.Contains(f.Id)))
        {
            rowMask.Allow(fragment.Id, Allowed(fragment));
        }

        var refine = request.RefineFactor ?? 0;
        var candidates = new TopK(wanted * Math.Max(1, refine));
        index.Search(request.Query.Span, request.Nprobes, rowMask, candidates);
        var result = new TopK(wanted);
        var queryNorm = MathF.Sqrt(SimdLoops.Dot(request.Query.Span, request.Query.Span));
        foreach (var (approximate, row) in candidates.ToSortedArray())
        {
            var distance = approximate;
            if (refine > 0)
            {
                var fragment = manifest.Fragments.First(f => f.Id == (ulong)row >> 32);
                var vectors = (FixedSizeListArray)ReadColumn(fragment, vectorField);
                var vector = ArrowTake.FlatValues(vectors).Slice((int)(row & 0xFFFFFFFF) * index.Dimension, index.Dimension);
                distance = request.Metric switch
                {
                    DistanceMetric.Cosine => CosineKernel.Distance(request.Query.Span, queryNorm, vector),
                    DistanceMetric.Dot => DotKernel.Distance(request.Query.Span, queryNorm, vector),
                    _ => L2Kernel.Distance(request.Query.Span, queryNorm, vector),
                };
            }

            if (DistanceKernels.InRange(distance, lower, upper))
            {
                result.Offer(distance, row);
            }
        }

        foreach (var fragment in manifest.Fragments.Where(f => !covered.Contains(f.Id)))
        {
            var vectors = (FixedSizeListArray)ReadColumn(fragment, vectorField);
            var mask = Allowed(fragment);
            var rowIdBase = (long)fragment.Id << 32;
            if (mask is null)
            {
                SearchFragment(request, vectors, index.Dimension, rowIdBase, DeletedRows(fragment), 0, result, lower, upper);
                continue;
            }

            var rows = Enumerable.Range(0, mask.Length).Where(r => mask[r] && !vectors.IsNull(r)).ToArray();
            SearchRows(request, vectors, index.Dimension, rows, rowIdBase, result, lower, upper);
        }

        var ranked = result.ToSortedArray();
        if (filter is not null && !request.Prefilter && ranked.Length > 0)
        {
            var passes = filter.Evaluate(Materialize(manifest, Project(filter.Columns), ranked, withRowId: false));
            ranked = ranked.Where((_, i) => passes[i]).ToArray();
        }

        return ranked.Skip(request.Offset).Take(request.K).ToArray();
    }

    /// <summary>
    /// The hook for prefiltered searches: answers through an index when one serves the request,
    /// returning only rows whose flag in <paramref name="allowed"/> (per fragment id, by row offset)
    /// is true; null when no index serves the request.
    /// </summary>
    internal RecordBatch? TrySearchIndexed(VectorSearchRequest request, IReadOnlyDictionary<ulong, bool[]>? allowed)
        => TrySearchIndexed(_manifest, request, ResolveFilter(request.Filter, request.FilterExpression), allowed);

    /// <summary>The search hook: answers through an index when one serves the request.</summary>
    private RecordBatch? TrySearchIndexed(Manifest manifest, VectorSearchRequest request, RowFilter? filter, IReadOnlyDictionary<ulong, bool[]>? allowed)
    {
        if (FindIndex(manifest, request) is not { } metadata)
        {
            return null;
        }

        var ranked = SearchIndexed(manifest, metadata, request, filter, allowed);
        return Materialize(manifest, Project(request.Columns), ranked, request.WithRowId);
    }

    private static bool[]? Combine(bool[]? live, bool[]? allowed)
    {
        if (live is null || allowed is null)
        {
            return live ?? allowed;
        }

        var result = new bool[Math.Min(live.Length, allowed.Length)];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = live[i] && allowed[i];
        }

        return result;
    }

    /// <summary>Per row of the fragment, whether it is not deleted; null when nothing is deleted.</summary>
    private bool[]? LiveRows(DataFragment fragment)
    {
        if (fragment.DeletionFile is not { } deletion)
        {
            return null;
        }

        return _liveRowsCache.GetOrAdd((fragment.Id, deletion.FileName(fragment.Id)), _ =>
        {
            var live = new bool[fragment.PhysicalRows];
            System.Array.Fill(live, true);
            foreach (var row in DeletedRows(fragment))
            {
                if (row < live.Length)
                {
                    live[row] = false;
                }
            }

            return live;
        });
    }

    private List<(float Distance, long Row)[]> ExactBatch(Manifest manifest, VectorSearchRequest request, IReadOnlyList<ReadOnlyMemory<float>> queries, int dimension, CancellationToken cancellationToken)
    {
        var queryCount = queries.Count;
        var flat = new float[queryCount * dimension];
        var queryNorms = new float[queryCount];
        for (var q = 0; q < queryCount; q++)
        {
            queries[q].Span.CopyTo(flat.AsSpan(q * dimension, dimension));
            queryNorms[q] = SimdLoops.Dot(queries[q].Span, queries[q].Span);
        }

        var padded = BlockDot.Pad(queryCount);
        var transposed = BlockDot.Transpose(flat, queryCount, dimension);
        var heaps = Enumerable.Range(0, queryCount).Select(_ => new TopK(request.K)).ToArray();
        var vectorField = _schema.GetFieldByName(request.Column);
        const int BlockRows = 64;
        foreach (var fragment in manifest.Fragments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var vectors = (FixedSizeListArray)ReadColumn(fragment, vectorField, cancellationToken);
            var live = LiveRows(fragment);
            var hasNulls = vectors.NullCount > 0;
            var rows = vectors.Length;
            var rowIdBase = (long)fragment.Id << 32;
            var blocks = (rows + BlockRows - 1) / BlockRows;
            var locals = new ConcurrentBag<TopK[]>();
            Parallel.For(0, blocks, new ParallelOptions { CancellationToken = cancellationToken },
                () => (Heaps: Enumerable.Range(0, queryCount).Select(_ => new TopK(request.K)).ToArray(), Dots: new float[BlockRows * padded]),
                (block, _, state) =>
                {
                    var start = block * BlockRows;
                    var count = Math.Min(BlockRows, rows - start);
                    var values = ArrowTake.FlatValues(vectors);
                    BlockDot.Compute(values[(start * dimension)..], count, dimension, dimension, transposed, padded, state.Dots);
                    for (var r = 0; r < count; r++)
                    {
                        var row = start + r;
                        if ((hasNulls && vectors.IsNull(row)) || (live is not null && !live[row]))
                        {
                            continue;
                        }

                        var vector = values.Slice(row * dimension, dimension);
                        var norm = request.Metric == DistanceMetric.Dot ? 0 : SimdLoops.Dot(vector, vector);
                        var dots = state.Dots.AsSpan(r * padded, queryCount);
                        for (var q = 0; q < queryCount; q++)
                        {
                            var distance = request.Metric switch
                            {
                                DistanceMetric.Dot => 1 - dots[q],
                                DistanceMetric.Cosine => queryNorms[q] * norm == 0 ? 1 : 1 - (dots[q] / MathF.Sqrt(queryNorms[q] * norm)),
                                _ => Math.Max(0, queryNorms[q] + norm - (2 * dots[q])),
                            };
                            if (!float.IsNaN(distance) && distance <= state.Heaps[q].Threshold)
                            {
                                state.Heaps[q].Offer(distance, rowIdBase + row);
                            }
                        }
                    }

                    return state;
                },
                state => locals.Add(state.Heaps));
            foreach (var local in locals)
            {
                for (var q = 0; q < queryCount; q++)
                {
                    heaps[q].Merge(local[q]);
                }
            }
        }

        return heaps.Select(h => h.ToSortedArray()).ToList();
    }

    private VectorIndexInfo CommitIndex(Manifest basis, IvfPqIndex index, string name, LanceField field, IProgress<IndexBuildProgress>? progress, CancellationToken cancellationToken)
    {
        progress?.Report(new IndexBuildProgress(IndexBuildStage.Committing, 0));
        var uuid = Guid.NewGuid();
        var folder = System.IO.Path.Combine(Path, IndicesFolder, uuid.ToString("D"));
        Directory.CreateDirectory(folder);
        try
        {
            IvfPqFile.Write(System.IO.Path.Combine(folder, IvfPqFile.FileName), index, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            var metadata = new IndexMetadata
            {
                Uuid = uuid,
                // The column is named in our details, not in Lance's field list: LanceDB would
                // otherwise pick the index for its own vector searches and fail to open our file.
                Fields = [],
                Details = BitConverter.GetBytes(field.Id),
                Name = name,
                DatasetVersion = basis.Version,
                Fragments = index.Fragments.ToList(),
                DetailsTypeUrl = IvfPqTypeUrl,
                IndexVersion = 1,
            };
            for (var attempt = 0; ; attempt++)
            {
                var indices = basis.Indices.Where(i => i.Name != name).Append(metadata).ToList();
                var next = NextVersion(basis, indices);
                if (TryCommit(Path, next, TransactionRecord.CreateIndex(basis.Version, metadata, basis.Indices.Where(i => i.Name == name))))
                {
                    _indexCache[uuid] = index;
                    SetManifest(next);
                    progress?.Report(new IndexBuildProgress(IndexBuildStage.Committing, 1));
                    return Describe(next, metadata);
                }

                // Another writer committed first: record the index on top of its version (the
                // fragments it does not cover are searched exactly).
                basis = TryReadLatest(Path) ?? throw new LanceFormatException($"The manifests of '{Path}' disappeared during a commit.");
                if (attempt >= Transaction.CommitAttempts)
                {
                    throw new LanceCommitConflictException($"Could not commit the index '{name}' to '{Path}' after {Transaction.CommitAttempts} attempts: other writers keep committing.");
                }

                cancellationToken.ThrowIfCancellationRequested();
                Thread.Sleep(Transaction.Backoff(attempt));
            }
        }
        catch
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: an index folder no manifest names is ignored by every reader.
            }

            throw;
        }
    }

    private static Manifest NextVersion(Manifest basis, IList<IndexMetadata> indices)
    {
        var next = basis.CopyForNextVersion();
        next.Indices = indices;
        return next;
    }

    private IvfPqIndex LoadIndex(IndexMetadata metadata)
        => _indexCache.GetOrAdd(metadata.Uuid, _ => IvfPqFile.Read(System.IO.Path.Combine(Path, IndicesFolder, metadata.FolderName, IvfPqFile.FileName)));

    private VectorIndexInfo Describe(Manifest manifest, IndexMetadata metadata)
    {
        var index = LoadIndex(metadata);
        var column = manifest.Schema.AllFields.FirstOrDefault(f => f.Id == IndexedFieldId(metadata))?.Name ?? "";
        var covered = new HashSet<ulong>(metadata.Fragments);
        var present = manifest.Fragments.Where(f => covered.Contains(f.Id)).Select(f => f.Id).ToList();
        var unindexed = manifest.Fragments.Where(f => !covered.Contains(f.Id))
            .Sum(f => (long)f.PhysicalRows - (long)(f.DeletionFile?.NumDeletedRows ?? 0));
        return new VectorIndexInfo(metadata.Name, column, metadata.Uuid, index.Metric, index.Partitions, index.SubVectors, index.IndexedRows, present, unindexed);
    }

    private (LanceField Field, int Dimension) IndexableColumn(Manifest manifest, string column)
    {
        var field = manifest.Schema.FindField(column)
            ?? throw new LanceIndexException($"Cannot build an index on column '{column}' of '{Path}': there is no such column. Columns: {string.Join(", ", _schema.FieldsList.Select(f => f.Name))}.");
        var arrow = _schema.GetFieldByName(column);
        if (arrow.DataType is not FixedSizeListType { ValueDataType: FloatType } list)
        {
            throw new LanceIndexException(
                $"Cannot build a vector index on column '{column}' of '{Path}': it is {arrow.DataType.Name}, not a vector column (fixed_size_list<float>[dim]).");
        }

        return (field, list.ListSize);
    }

    /// <summary>The field id of the indexed column: kept in our index details (little-endian int32).</summary>
    private static int IndexedFieldId(IndexMetadata metadata)
        => metadata.Details.Length == 4 ? BitConverter.ToInt32(metadata.Details) : metadata.Fields.Count == 1 ? metadata.Fields[0] : -1;

    private static int DefaultSubVectors(int dimension)
        => dimension % 16 == 0 ? dimension / 16 : dimension % 8 == 0 ? dimension / 8 : dimension;
}
