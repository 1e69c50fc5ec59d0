using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Dataset;
using Lance.Engine.DataFiles.V21;
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

    /// <summary>
    /// Tokenizes every live row of the column into one partition: rows in chunks, chunks in parallel (one tokenizer per
    /// worker), joined in row order (so documents are numbered as the rows come).
    /// </summary>
    public static InvertedPartitionData Build(Snapshot snapshot, Field field, TextAnalyzer analyzer, CancellationToken cancellationToken)
        => Build(snapshot, snapshot.Fragments, field, analyzer, cancellationToken);

    /// <summary>Tokenizes every live row of <paramref name="fragments"/> (fragments of <paramref name="snapshot"/>) into one partition.</summary>
    public static InvertedPartitionData Build(Snapshot snapshot, IEnumerable<DataFragment> fragments, Field field, TextAnalyzer analyzer, CancellationToken cancellationToken)
    {
        // Pages are read while earlier ones are tokenized (see TextPageQueue). One tokenizer per core, each taking the next
        // chunk until none is left: its vocabulary and its cache of analysed words warm once and serve all its chunks.
        using var queue = new TextPageQueue(snapshot, fragments.ToList(), field, cancellationToken);
        var parts = new InvertedPartitionBuilder[queue.ChunkCount];
        var workers = Math.Max(1, Math.Min(Environment.ProcessorCount, queue.ChunkCount));

        // Each worker's runs keep their occurrences in an arena of its own, freed once the runs are joined.
        var arenas = new RunArena[workers];
        try
        {
            ParallelLoops.For(0, workers, new ParallelOptions { CancellationToken = cancellationToken }, w =>
            {
                try
                {
                    Tokenize(queue, analyzer, parts, arenas[w] = new RunArena(), cancellationToken);
                }
                catch
                {
                    queue.Fail();
                    throw;
                }
            });

            return InvertedPartitionBuilder.Finish(parts, analyzer.Options.WithPosition, cancellationToken);
        }
        finally
        {
            foreach (var arena in arenas)
            {
                arena?.Dispose();
            }
        }
    }

    // One worker: takes chunks (decoding pages when none is ready) and tokenizes their live rows, each chunk into a run of
    // its own, numbered as the chunk.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tokenize(TextPageQueue queue, TextAnalyzer analyzer, InvertedPartitionBuilder[] parts, RunArena arena, CancellationToken cancellationToken)
    {
        // A worker meets about one distinct word per two rows of a large column (a Zipf vocabulary; more rows, fewer new
        // words): sizing its word cache for that at once spares the rehashing of a table grown from small.
        var tokenizer = new DocumentTokenizer(analyzer, (int)Math.Min(int.MaxValue, (long)queue.ChunkCount * TextPageQueue.ChunkRows / 2));
        var readBuffer = new PageReadBuffer();
        while (queue.TryTake(readBuffer, out var chunk))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (deleted, rowIds, fragmentId, firstRow) = (chunk.Deleted, chunk.RowIds, chunk.FragmentId, chunk.FirstRow);
            var part = new InvertedPartitionBuilder(tokenizer, analyzer.Options.WithPosition, arena, chunk.End - chunk.Start, chunk.ExpectedOccurrences());
            for (var row = chunk.Start; row < chunk.End; row++)
            {
                var fragmentRow = firstRow + row;
                if (!chunk.TryGetText(row, out var text) || deleted.Contains(fragmentRow))
                {
                    continue;
                }

                tokenizer.Add(text, rowIds is not null ? rowIds[fragmentRow] : (fragmentId << 32) | (uint)fragmentRow, part);
            }

            parts[chunk.Index] = part;
            queue.Done(chunk);
        }
    }
}
