using Apache.Arrow;
using Lance.Engine.Arrow;
using Lance.Engine.Format;

namespace Lance.Engine.Dataset;

/// <summary>
/// LanceDB's <c>merge_insert</c> over a <see cref="Snapshot"/>: source rows whose key matches a table
/// row replace it, new keys are inserted, and table rows no source row matches may be deleted, all in
/// one transaction (an append when it only inserts, as Lance records it). A null key never matches.
/// </summary>
internal static class MergeInsert
{
    /// <summary>The SQL condition of <see cref="MergeInsertOptions.NotMatchedBySourceCondition"/>, bound to <paramref name="schema"/>; null when there is none.</summary>
    /// <exception cref="LanceFilterException">The condition is invalid for this dataset.</exception>
    public static IRowPredicate? NotMatchedBySource(MergeInsertOptions options, Schema schema, string location)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.NotMatchedBySourceCondition is { } sql ? Query.Filtering.RowFilter.Parse(sql, schema, location) : null;
    }

    /// <summary>Checks the arguments of a merge and reads the source once (a merge that meets a concurrent change runs again on it).</summary>
    /// <exception cref="ArgumentException">No key column is given.</exception>
    public static List<RecordBatch> Validate(IReadOnlyList<string> on, IEnumerable<RecordBatch> source, MergeInsertOptions options, string location)
    {
        ArgumentNullException.ThrowIfNull(on);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        if (on.Count == 0)
        {
            throw new ArgumentException($"A merge into '{location}' needs at least one key column.", nameof(on));
        }

        return source.ToList();
    }

    /// <summary>The transaction merging <paramref name="source"/> by the key columns <paramref name="on"/>, and what it changes; none when nothing changes.</summary>
    /// <exception cref="LanceException">The source has a key twice, or a key matches several table rows while updating.</exception>
    public static async Task<(Transaction? Transaction, MergeInsertResult Result)> PlanAsync(
        Snapshot snapshot, IReadOnlyList<string> on, List<RecordBatch> source, MergeInsertOptions options, IRowPredicate? notMatchedBySource, CancellationToken cancellationToken)
    {
        var keyFields = snapshot.Project(on);
        var schema = snapshot.Schema;
        var manifest = snapshot.Manifest;
        var location = snapshot.Location;
        var batches = source.Select(b => SchemaAlignment.Align(b, schema, location)).Where(b => b.Length > 0).ToList();
        var incoming = batches.Count switch
        {
            0 => new RecordBatch(schema, schema.FieldsList.Select(f => ArrowEmpty.Create(f.DataType)), 0),
            1 => batches[0],
            _ => new RecordBatch(schema, Enumerable.Range(0, schema.FieldsList.Count).Select(c => ArrowConcat.Concatenate(batches.Select(b => b.Column(c)).ToList())), batches.Sum(b => b.Length)),
        };

        var sourceKeys = new Dictionary<MergeKeys.MergeKey, int>();
        var sourceKeyOf = MergeKeys.KeyReader(on.Select(name => incoming.Column(schema.GetFieldIndex(name))).ToList());
        for (var row = 0; row < incoming.Length; row++)
        {
            if (sourceKeyOf(row) is { } key && !sourceKeys.TryAdd(key, row))
            {
                throw new LanceException($"The rows merged into '{location}' have the key ({key}) on {string.Join(", ", on)} more than once; each key may appear once.");
            }
        }

        var matchedSource = new bool[incoming.Length];
        var updatedSource = new List<int>();
        var replaced = new Dictionary<ulong, DataFragment?>();
        var lineage = manifest.UsesStableRowIds ? new LineageBuilder() : null;
        long deletedBySource = 0;
        var bySourceFields = notMatchedBySource is null ? [] : snapshot.Project(notMatchedBySource.Columns);
        foreach (var fragment in snapshot.Fragments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var keys = snapshot.ReadFragment(fragment, keyFields, cancellationToken);
            var keyOf = MergeKeys.KeyReader(Enumerable.Range(0, keys.ColumnCount).Select(keys.Column).ToList());
            var existing = snapshot.DeletedRows(fragment);
            bool[]? bySourceMask = null;
            var rows = new List<int>();
            var updatedRows = new List<int>();
            for (var row = 0; row < keys.Length; row++)
            {
                if (existing.Contains(row))
                {
                    continue;
                }

                if (keyOf(row) is { } key && sourceKeys.TryGetValue(key, out var sourceRow))
                {
                    if (options.WhenMatchedUpdateAll)
                    {
                        if (matchedSource[sourceRow])
                        {
                            throw new LanceException(
                                $"The key ({key}) matches more than one row of '{location}', so the merge cannot tell which to update; nothing was committed.");
                        }

                        rows.Add(row);
                        updatedRows.Add(row);
                        updatedSource.Add(sourceRow);
                    }

                    matchedSource[sourceRow] = true;
                }
                else if (options.WhenNotMatchedBySourceDelete)
                {
                    if (notMatchedBySource is not null)
                    {
                        bySourceMask ??= notMatchedBySource.Evaluate(snapshot.ReadFragment(fragment, bySourceFields, cancellationToken));
                        if (!bySourceMask[row])
                        {
                            continue;
                        }
                    }

                    rows.Add(row);
                    deletedBySource++;
                }
            }

            if (rows.Count > 0)
            {
                replaced[fragment.Id] = RowDeleter.WithDeletedRows(snapshot, fragment, existing, rows);
            }

            // With stable row ids a replaced row keeps its id: they come first among the written rows.
            if (updatedRows.Count > 0)
            {
                lineage?.Add(snapshot.RowIds, fragment, [.. updatedRows], keepLastUpdated: false);
            }
        }

        var inserted = options.WhenNotMatchedInsertAll
            ? Enumerable.Range(0, incoming.Length).Where(r => !matchedSource[r]).ToList()
            : [];
        var toWrite = updatedSource.Concat(inserted).ToArray();
        if (toWrite.Length == 0 && replaced.Count == 0)
        {
            return (null, new MergeInsertResult(0, 0, 0));
        }

        // Only new rows: recorded as Lance records an insert-only merge, an append.
        var transaction = replaced.Count == 0
            ? new Transaction(TransactionKind.Append, "merge insert")
            : new Transaction(TransactionKind.Update, "merge insert") { Replaced = replaced, Lineage = lineage?.Build() };

        if (toWrite.Length > 0)
        {
            transaction.NewFragments.AddRange(await FragmentWriter.WriteFragmentsAsync(
                snapshot.Files, manifest.Schema, FragmentWriter.FileVersionFor(manifest, location), manifest.LegacyDictionaries,
                BatchStreams.From([ArrowTake.Take(incoming, toWrite)], cancellationToken), b => b, DatasetWriteOptions.Default, cancellationToken).ConfigureAwait(false));
        }

        return (transaction, new MergeInsertResult(inserted.Count, updatedSource.Count, deletedBySource));
    }
}
