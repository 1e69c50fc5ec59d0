using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Dataset;
using Lance.Engine.Format;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// Builds an inverted (full-text) index over a text column's live rows in Lance's own layout, writes
/// its files under <c>_indices/&lt;uuid&gt;/</c> and records it in a new version as LanceDB records its
/// own (the field id, the fragments covered, <c>lance.table.InvertedIndexDetails</c> with the tokenizer
/// options), so LanceDB's full-text search uses it and this engine's too.
/// </summary>
internal static class FullTextIndexBuilder
{
    /// <summary>Lance's inverted index version for a dictionary kept as an fst.</summary>
    public const int IndexVersion = 1;

    /// <summary>Builds and commits the index; returns its description.</summary>
    /// <exception cref="LanceIndexException">No such column, not a text column, unsupported options, or the name is taken and <paramref name="replace"/> is false.</exception>
    public static async Task<FullTextIndexInfo> CreateAsync(
        Snapshot snapshot, CommitLog log, string column, FullTextIndexOptions options, string? name, bool replace, Action<Manifest> committed, CancellationToken cancellationToken)
    {
        var where = $"Cannot build a full-text index on column '{column}' of '{snapshot.Location}'";
        var field = snapshot.Manifest.Schema.FindField(column)
            ?? throw new LanceIndexException($"{where}: there is no such column. Columns: {snapshot.ColumnList}.");
        var arrowField = snapshot.Schema.GetFieldByName(column);
        if (arrowField.DataType is not (StringType or LargeStringType))
        {
            throw new LanceIndexException($"{where}: it holds {arrowField.DataType.Name}; a full-text index takes a string column.");
        }

        TextAnalyzer analyzer;
        try
        {
            analyzer = new TextAnalyzer(options);
        }
        catch (LanceIndexException e)
        {
            throw new LanceIndexException($"{where}: {e.Message}", e);
        }

        name ??= column + "_idx";
        if (!replace && snapshot.Manifest.Indices.Any(i => i.Name == name))
        {
            throw new LanceIndexException($"{where}: an index named '{name}' exists; pass replace to rebuild it.");
        }

        var partition = await Task.Run(() => Build(snapshot, arrowField, analyzer, cancellationToken), cancellationToken).ConfigureAwait(false);
        var uuid = Guid.NewGuid();
        var folder = uuid.ToString("D");
        try
        {
            long bytes;
            using (partition)
            {
                bytes = await FullTextIndexFiles.WriteAsync(snapshot.Files, folder, options, [partition], cancellationToken).ConfigureAwait(false);
            }

            var metadata = new IndexMetadata
            {
                Uuid = uuid,
                Fields = [field.Id],
                Name = name,
                DatasetVersion = snapshot.Manifest.Version,
                Fragments = snapshot.Fragments.Select(f => f.Id).ToList(),
                DetailsTypeUrl = FullTextIndex.DetailsTypeUrl,
                Details = FullTextIndexFiles.Details(options),
                IndexVersion = IndexVersion,
            };
            var basis = snapshot.Manifest;
            for (var attempt = 0; ; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var next = basis.CopyForNextVersion();
                var replaced = basis.Indices.Where(i => i.Name == name).ToList();
                if (replaced.Count > 0 && !replace)
                {
                    throw new LanceIndexException($"{where}: an index named '{name}' was created meanwhile; pass replace to rebuild it.");
                }

                next.Indices = basis.Indices.Where(i => i.Name != name).Append(metadata).ToList();
                log.Observer?.BeforeAttempt(next.Version);
                if (await log.TryPublishAsync(next, TransactionRecord.CreateIndex(basis.Version, metadata, replaced)).ConfigureAwait(false))
                {
                    committed(next);
                    return new FullTextIndexInfo(name, column, uuid, partition.DocumentCount, partition.TokenCount, bytes);
                }

                // Pause before reading the newest version, so the next attempt builds on a fresh one.
                await Task.Delay(Transaction.Backoff(attempt), cancellationToken).ConfigureAwait(false);
                basis = await log.TryReadLatestAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new LanceFormatException($"The manifests of '{snapshot.Location}' disappeared during a commit.");
                if (attempt >= Transaction.CommitAttempts)
                {
                    throw new LanceCommitConflictException($"Could not commit the index '{name}' to '{snapshot.Location}' after {Transaction.CommitAttempts} attempts: other writers keep committing.");
                }
            }
        }
        catch
        {
            await snapshot.Files.TryDeleteIndexAsync(folder).ConfigureAwait(false);
            throw;
        }
    }

    // About as many token occurrences as rows [start, end) of the column hold: one per 8 bytes of text (a word and its
    // separator; stop words are dropped), so that a run's arrays rarely grow.
    private static int ExpectedOccurrences(IArrowArray values, int start, int end)
    {
        long bytes = values switch
        {
            StringArray s => s.ValueOffsets[end] - s.ValueOffsets[start],
            LargeStringArray l => l.ValueOffsets[end] - l.ValueOffsets[start],
            _ => 0,
        };
        return (int)Math.Min(1 << 26, bytes / 8);
    }

    /// <summary>
    /// Tokenizes every live row of the column into one partition: rows in chunks, chunks in parallel (one tokenizer per
    /// worker), joined in row order (so documents are numbered as the rows come).
    /// </summary>
    public static InvertedPartitionData Build(Snapshot snapshot, Field field, TextAnalyzer analyzer, CancellationToken cancellationToken)
        => Build(snapshot, snapshot.Fragments, field, analyzer, cancellationToken);

    /// <summary>Tokenizes every live row of <paramref name="fragments"/> (fragments of <paramref name="snapshot"/>) into one partition.</summary>
    public static InvertedPartitionData Build(Snapshot snapshot, IEnumerable<DataFragment> fragments, Field field, TextAnalyzer analyzer, CancellationToken cancellationToken)
    {
        const int ChunkRows = 8192;
        var fragmentList = fragments.ToList();
        var stable = snapshot.Manifest.UsesStableRowIds;
        var sources = new (IArrowArray Values, HashSet<int> Deleted, ulong[]? RowIds, ulong FragmentId)[fragmentList.Count];
        Parallel.For(0, fragmentList.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var fragment = fragmentList[i];
            sources[i] = (snapshot.ReadColumn(fragment, field, cancellationToken), snapshot.DeletedRows(fragment), stable ? snapshot.RowIds.Of(fragment) : null, fragment.Id);
        });

        var chunks = new List<(int Source, int Start, int End)>();
        for (var i = 0; i < sources.Length; i++)
        {
            for (var start = 0; start < sources[i].Values.Length; start += ChunkRows)
            {
                chunks.Add((i, start, Math.Min(sources[i].Values.Length, start + ChunkRows)));
            }
        }

        // One tokenizer per core, each taking the next chunk until none is left: its vocabulary and its cache of analysed
        // words warm once and serve all its chunks.
        var parts = new InvertedPartitionBuilder[chunks.Count];
        var workers = Math.Max(1, Math.Min(Environment.ProcessorCount, chunks.Count));
        var next = -1;
        Parallel.For(0, workers, new ParallelOptions { CancellationToken = cancellationToken }, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (_) =>
        {
            var tokenizer = new DocumentTokenizer(analyzer);
            for (var c = Interlocked.Increment(ref next); c < chunks.Count; c = Interlocked.Increment(ref next))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (source, start, end) = chunks[c];
                var (values, deleted, rowIds, fragmentId) = sources[source];
                var part = new InvertedPartitionBuilder(tokenizer, analyzer.Options.WithPosition, end - start, ExpectedOccurrences(values, start, end));
                for (var row = start; row < end; row++)
                {
                    if (values.IsNull(row) || deleted.Contains(row))
                    {
                        continue;
                    }

                    var text = values switch
                    {
                        StringArray s => s.GetBytes(row),
                        LargeStringArray l => l.GetBytes(row),
                        _ => [],
                    };
                    tokenizer.Add(text, rowIds is not null ? rowIds[row] : (fragmentId << 32) | (uint)row, part);
                }

                parts[c] = part;
            }
        });

        return InvertedPartitionBuilder.Finish(parts, analyzer.Options.WithPosition, cancellationToken);
    }
}
