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
            var bytes = await FullTextIndexFiles.WriteAsync(snapshot.Files, folder, options, [partition], cancellationToken).ConfigureAwait(false);
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

                basis = await log.TryReadLatestAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new LanceFormatException($"The manifests of '{snapshot.Location}' disappeared during a commit.");
                if (attempt >= Transaction.CommitAttempts)
                {
                    throw new LanceCommitConflictException($"Could not commit the index '{name}' to '{snapshot.Location}' after {Transaction.CommitAttempts} attempts: other writers keep committing.");
                }

                await Task.Delay(Transaction.Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await snapshot.Files.TryDeleteIndexAsync(folder).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Tokenizes every live row of the column into one partition: rows in chunks, chunks in parallel (one analyzer session
    /// per worker), joined in row order (so documents are numbered as the rows come).
    /// </summary>
    public static InvertedPartitionData Build(Snapshot snapshot, Field field, TextAnalyzer analyzer, CancellationToken cancellationToken)
    {
        const int ChunkRows = 8192;
        var fragments = snapshot.Fragments.ToList();
        var stable = snapshot.Manifest.UsesStableRowIds;
        var sources = new (IArrowArray Values, HashSet<int> Deleted, ulong[]? RowIds, ulong FragmentId)[fragments.Count];
        Parallel.For(0, fragments.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var fragment = fragments[i];
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

        var parts = new InvertedPartitionBuilder[chunks.Count];

        // One analyzer session per worker thread, kept across its chunks: its cache of analysed words warms once.
        Parallel.For(
            0,
            chunks.Count,
            new ParallelOptions { CancellationToken = cancellationToken },
            () => (Session: analyzer.NewSession(), Tokens: new List<(string Token, int Position)>()),
            (c, _, local) =>
            {
                var (source, start, end) = chunks[c];
                var (values, deleted, rowIds, fragmentId) = sources[source];
                var part = new InvertedPartitionBuilder(analyzer.Options.WithPosition);
                for (var row = start; row < end; row++)
                {
                    var text = values switch
                    {
                        StringArray s => s.IsNull(row) ? null : s.GetString(row),
                        LargeStringArray l => l.IsNull(row) ? null : l.GetString(row),
                        _ => null,
                    };
                    if (text is null || deleted.Contains(row))
                    {
                        continue;
                    }

                    local.Session.AnalyzeInto(text, local.Tokens);
                    part.Add(rowIds is not null ? rowIds[row] : (fragmentId << 32) | (uint)row, local.Tokens);
                }

                parts[c] = part;
                return local;
            },
            _ => { });

        return InvertedPartitionBuilder.Finish(parts, analyzer.Options.WithPosition, cancellationToken);
    }
}
