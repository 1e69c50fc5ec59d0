using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Arrow;
using Lance.Engine.Dataset;
using Lance.Engine.Format;

namespace Lance.Engine;

/// <summary>Changing rows: delete, update and merge-insert.</summary>
public sealed partial class LanceDataset
{
    /// <summary>
    /// Deletes the rows matching <paramref name="predicate"/> through deletion files (data files are
    /// not rewritten; a fragment whose rows are all deleted is dropped), as one new version.
    /// </summary>
    /// <returns>The number of rows deleted (0 commits nothing).</returns>
    internal Task<long> DeleteAsync(IRowPredicate predicate, CancellationToken cancellationToken = default)
        => DeleteAsync(predicate, "", cancellationToken);

    /// <summary>
    /// Deletes the rows matching <paramref name="predicate"/> (described by <paramref name="description"/>,
    /// its SQL text when it has one, in the transaction record), as one new version. When another
    /// writer changes the same fragments meanwhile, the delete runs again on the newest version.
    /// </summary>
    /// <returns>The number of rows deleted (0 commits nothing).</returns>
    internal Task<long> DeleteAsync(IRowPredicate predicate, string description, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ThrowIfReadOnly();
        return RetryOnConflictAsync(ct => DeleteOnceAsync(predicate, description, ct), cancellationToken);
    }

    private async Task<long> DeleteOnceAsync(IRowPredicate predicate, string description, CancellationToken cancellationToken)
    {
        var manifest = _manifest;
        var fields = Project(predicate.Columns);
        var transaction = new Transaction(TransactionKind.Delete, "delete") { Predicate = description };
        long deleted = 0;
        foreach (var fragment in manifest.Fragments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var mask = predicate.Evaluate(ReadFragment(fragment, fields, cancellationToken));
            var existing = DeletedRows(fragment);
            var rows = new List<int>();
            for (var row = 0; row < mask.Length; row++)
            {
                if (mask[row] && !existing.Contains(row))
                {
                    rows.Add(row);
                }
            }

            if (rows.Count > 0)
            {
                deleted += rows.Count;
                transaction.Replaced[fragment.Id] = WithDeletedRows(fragment, existing, rows, manifest.Version);
            }
        }

        if (deleted > 0)
        {
            await CommitAsync(transaction, cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }

    /// <summary>
    /// Sets columns of the rows matching <paramref name="predicate"/> (every row when null) to
    /// values computed from each matching row, as one new version: the matching rows are deleted
    /// from their fragments and written, changed, as new fragments (as Lance does).
    /// </summary>
    /// <param name="predicate">Which rows; null for all.</param>
    /// <param name="setters">Per column, a function from a batch of the matching rows (all columns) to the column's new values.</param>
    /// <param name="cancellationToken">Stops the update before it commits.</param>
    /// <returns>The number of rows updated (0 commits nothing).</returns>
    internal async Task<long> UpdateAsync(
        IRowPredicate? predicate, IReadOnlyDictionary<string, Func<RecordBatch, IArrowArray>> setters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(setters);
        ThrowIfReadOnly();
        if (setters.Count == 0)
        {
            throw new ArgumentException($"An update of '{Path}' needs at least one column to set.", nameof(setters));
        }

        _ = setters.Keys.Select(name => _schema.FieldsList.FirstOrDefault(f => f.Name == name)
            ?? throw new LanceSchemaException($"Cannot update column '{name}': it does not exist in '{Path}'. Columns: {string.Join(", ", _schema.FieldsList.Select(f => f.Name))}.")).ToList();
        predicate ??= LambdaPredicate.All;
        return await RetryOnConflictAsync(ct => UpdateOnceAsync(predicate, setters, ct), cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> UpdateOnceAsync(IRowPredicate predicate, IReadOnlyDictionary<string, Func<RecordBatch, IArrowArray>> setters, CancellationToken cancellationToken)
    {
        var manifest = _manifest;
        var schema = _schema;
        var targets = setters.Keys.Select(name => schema.FieldsList.FirstOrDefault(f => f.Name == name)
            ?? throw new LanceSchemaException($"Cannot update column '{name}': it does not exist in '{Path}'.")).ToList();
        var filterFields = Project(predicate.Columns);
        var lineage = manifest.UsesStableRowIds ? new LineageBuilder() : null;
        var changed = new List<RecordBatch>();
        var replaced = new Dictionary<ulong, DataFragment?>();
        foreach (var fragment in manifest.Fragments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var mask = predicate.Evaluate(ReadFragment(fragment, filterFields, cancellationToken));
            var existing = DeletedRows(fragment);
            var rows = Enumerable.Range(0, mask.Length).Where(r => mask[r] && !existing.Contains(r)).ToArray();
            if (rows.Length == 0)
            {
                continue;
            }

            // With stable row ids an updated row keeps its id (and its creation version), as in Lance.
            lineage?.Add(_rowIds, fragment, rows, keepLastUpdated: false);

            var matching = ArrowTake.Take(ReadFragment(fragment), rows);
            var columns = Enumerable.Range(0, matching.ColumnCount).Select(matching.Column).ToList();
            foreach (var field in targets)
            {
                var values = setters[field.Name](matching);
                CheckColumn(field, values, matching.Length, "update");
                columns[schema.GetFieldIndex(field.Name)] = values;
            }

            changed.Add(new RecordBatch(schema, columns, matching.Length));
            replaced[fragment.Id] = WithDeletedRows(fragment, existing, rows, manifest.Version);
        }

        if (changed.Count == 0)
        {
            return 0;
        }

        var transaction = new Transaction(TransactionKind.Update, "update") { Replaced = replaced, Lineage = lineage?.Build() };
        transaction.NewFragments.AddRange(await WriteFragmentsAsync(
            Path, manifest.Schema, FileVersionFor(manifest, Path), manifest.LegacyDictionaries, BatchStreams.From(changed, cancellationToken), b => b, DatasetWriteOptions.Default, cancellationToken).ConfigureAwait(false));
        await CommitAsync(transaction, cancellationToken).ConfigureAwait(false);
        return changed.Sum(b => (long)b.Length);
    }

    /// <summary>
    /// Sets columns of the rows matching <paramref name="predicate"/> (every row when null) to
    /// constant values, as one new version.
    /// </summary>
    /// <returns>The number of rows updated.</returns>
    /// <exception cref="LanceSchemaException">A column does not exist, or a value does not fit its type.</exception>
    internal Task<long> UpdateAsync(IRowPredicate? predicate, IReadOnlyDictionary<string, object?> values, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var setters = new Dictionary<string, Func<RecordBatch, IArrowArray>>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            var field = _schema.FieldsList.FirstOrDefault(f => f.Name == name)
                ?? throw new LanceSchemaException($"Cannot update column '{name}': it does not exist in '{Path}'. Columns: {string.Join(", ", _schema.FieldsList.Select(f => f.Name))}.");
            _ = ScalarArrays.Repeat(field, value, 0, Path); // checks the value's type before anything is written
            setters[name] = batch => ScalarArrays.Repeat(field, value, batch.Length, Path);
        }

        return UpdateAsync(predicate, setters, cancellationToken);
    }

    /// <summary>
    /// Merges <paramref name="source"/> rows into the table by the key columns <paramref name="on"/>,
    /// as LanceDB's <c>merge_insert</c>: rows whose key matches a table row replace it (when
    /// <see cref="MergeInsertOptions.WhenMatchedUpdateAll"/>), new keys are inserted (when
    /// <see cref="MergeInsertOptions.WhenNotMatchedInsertAll"/>), and table rows no source row matches
    /// are deleted (when <see cref="MergeInsertOptions.WhenNotMatchedBySourceDelete"/>), all in one
    /// new version. A null key never matches.
    /// </summary>
    /// <exception cref="LanceSchemaException">A key column does not exist, or the source does not fit the schema.</exception>
    /// <exception cref="LanceException">The source has a key twice, or a key matches several table rows while updating.</exception>
    public Task<MergeInsertResult> MergeInsertAsync(
        IReadOnlyList<string> on, IEnumerable<RecordBatch> source, MergeInsertOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var condition = options.NotMatchedBySourceCondition is { } sql ? Query.Filtering.RowFilter.Parse(sql, _schema, Path) : null;
        return MergeInsertAsync(on, source, options, condition, cancellationToken);
    }

    /// <summary>
    /// Sets columns of the rows matching the SQL <paramref name="filter"/> (every row when null) to
    /// SQL expressions over the row (LanceDB's <c>values_sql</c>), e.g. <c>{"price": "price * 1.1"}</c>,
    /// as one new version.
    /// </summary>
    /// <returns>The number of rows updated.</returns>
    /// <exception cref="LanceFilterException">The filter or an expression does not parse or does not fit the schema; with the position.</exception>
    /// <exception cref="LanceSchemaException">A column does not exist, or an expression's values do not fit it; nothing is committed.</exception>
    public Task<long> UpdateWithSqlAsync(string? filter, IReadOnlyDictionary<string, string> valuesSql, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(valuesSql);
        var schema = _schema;
        var predicate = filter is null ? null : Query.Filtering.RowFilter.Parse(filter, schema, Path);
        var setters = new Dictionary<string, Func<RecordBatch, IArrowArray>>(StringComparer.Ordinal);
        foreach (var (name, sql) in valuesSql)
        {
            var field = schema.FieldsList.FirstOrDefault(f => f.Name == name)
                ?? throw new LanceSchemaException($"Cannot update column '{name}': it does not exist in '{Path}'. Columns: {string.Join(", ", schema.FieldsList.Select(f => f.Name))}.");
            var value = Query.Filtering.SqlValue.Parse(sql, schema, Path);
            setters[name] = batch => value.Evaluate(batch, field);
        }

        return UpdateAsync(predicate, setters, cancellationToken);
    }

    internal async Task<MergeInsertResult> MergeInsertAsync(
        IReadOnlyList<string> on, IEnumerable<RecordBatch> source, MergeInsertOptions options, IRowPredicate? notMatchedBySource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(on);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfReadOnly();
        if (on.Count == 0)
        {
            throw new ArgumentException($"A merge into '{Path}' needs at least one key column.", nameof(on));
        }

        // The source is read once: a merge that meets a concurrent change runs again on the newest version.
        var sourceBatches = source.ToList();
        return await RetryOnConflictAsync(ct => MergeInsertOnceAsync(on, sourceBatches, options, notMatchedBySource, ct), cancellationToken).ConfigureAwait(false);
    }

    private async Task<MergeInsertResult> MergeInsertOnceAsync(
        IReadOnlyList<string> on, List<RecordBatch> source, MergeInsertOptions options, IRowPredicate? notMatchedBySource, CancellationToken cancellationToken)
    {
        var keyFields = Project(on);
        var schema = _schema;
        var manifest = _manifest;
        var batches = source.Select(b => SchemaAlignment.Align(b, schema, Path)).Where(b => b.Length > 0).ToList();
        var incoming = batches.Count switch
        {
            0 => new RecordBatch(schema, schema.FieldsList.Select(f => ArrowEmpty.Create(f.DataType)), 0),
            1 => batches[0],
            _ => new RecordBatch(schema, Enumerable.Range(0, schema.FieldsList.Count).Select(c => Lance.Engine.Arrow.ArrowConcat.Concatenate(batches.Select(b => b.Column(c)).ToList())), batches.Sum(b => b.Length)),
        };

        var sourceKeys = new Dictionary<MergeKey, int>();
        var sourceKeyOf = KeyReader(on.Select(name => incoming.Column(schema.GetFieldIndex(name))).ToList());
        for (var row = 0; row < incoming.Length; row++)
        {
            if (sourceKeyOf(row) is { } key && !sourceKeys.TryAdd(key, row))
            {
                throw new LanceException($"The rows merged into '{Path}' have the key ({key}) on {string.Join(", ", on)} more than once; each key may appear once.");
            }
        }

        var matchedSource = new bool[incoming.Length];
        var updatedSource = new List<int>();
        var replaced = new Dictionary<ulong, DataFragment?>();
        var lineage = manifest.UsesStableRowIds ? new LineageBuilder() : null;
        long deletedBySource = 0;
        var bySourceFields = notMatchedBySource is null ? [] : Project(notMatchedBySource.Columns);
        foreach (var fragment in manifest.Fragments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var keys = ReadFragment(fragment, keyFields, cancellationToken);
            var keyOf = KeyReader(Enumerable.Range(0, keys.ColumnCount).Select(keys.Column).ToList());
            var existing = DeletedRows(fragment);
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
                                $"The key ({key}) matches more than one row of '{Path}', so the merge cannot tell which to update; nothing was committed.");
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
                        bySourceMask ??= notMatchedBySource.Evaluate(ReadFragment(fragment, bySourceFields, cancellationToken));
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
                replaced[fragment.Id] = WithDeletedRows(fragment, existing, rows, manifest.Version);
            }

            // With stable row ids a replaced row keeps its id: they come first among the written rows.
            if (updatedRows.Count > 0)
            {
                lineage?.Add(_rowIds, fragment, [.. updatedRows], keepLastUpdated: false);
            }
        }

        var inserted = options.WhenNotMatchedInsertAll
            ? Enumerable.Range(0, incoming.Length).Where(r => !matchedSource[r]).ToList()
            : [];
        var toWrite = updatedSource.Concat(inserted).ToArray();
        if (toWrite.Length == 0 && replaced.Count == 0)
        {
            return new MergeInsertResult(0, 0, 0);
        }

        // Only new rows: recorded as Lance records an insert-only merge, an append.
        var transaction = replaced.Count == 0
            ? new Transaction(TransactionKind.Append, "merge insert")
            : new Transaction(TransactionKind.Update, "merge insert") { Replaced = replaced, Lineage = lineage?.Build() };

        if (toWrite.Length > 0)
        {
            transaction.NewFragments.AddRange(await WriteFragmentsAsync(
                Path, manifest.Schema, FileVersionFor(manifest, Path), manifest.LegacyDictionaries, BatchStreams.From([ArrowTake.Take(incoming, toWrite)], cancellationToken), b => b, DatasetWriteOptions.Default, cancellationToken).ConfigureAwait(false));
        }

        await CommitAsync(transaction, cancellationToken).ConfigureAwait(false);
        return new MergeInsertResult(inserted.Count, updatedSource.Count, deletedBySource);
    }

    private const string KeySeparator = "\u001F";

    /// <summary>The fragment with <paramref name="rows"/> deleted besides <paramref name="existing"/>; null when no row is left.</summary>
    private DataFragment? WithDeletedRows(DataFragment fragment, HashSet<int> existing, IReadOnlyCollection<int> rows, ulong readVersion)
    {
        var all = new HashSet<int>(existing);
        all.UnionWith(rows);
        if ((ulong)all.Count >= fragment.PhysicalRows)
        {
            return null;
        }

        var deletion = new DeletionFileInfo
        {
            FileType = DeletionFileType.ArrowArray,
            ReadVersion = readVersion,
            Id = (ulong)Random.Shared.NextInt64(1, long.MaxValue),
            NumDeletedRows = (ulong)all.Count,
        };
        var path = System.IO.Path.Combine(Path, VersionNames.DeletionsFolder, deletion.FileName(fragment.Id));
        DeletionFileWriter.Write(path, all);
        _deletionCache[path] = all;
        var changed = fragment.Copy();
        changed.DeletionFile = deletion;
        return changed;
    }

    private void CheckColumn(Field field, IArrowArray values, int length, string operation)
    {
        if (values.Length != length)
        {
            throw new LanceSchemaException($"The {operation} of column '{field.Name}' of '{Path}' produced {values.Length} values for {length} rows.");
        }

        if (!SchemaAlignment.SameType(values.Data.DataType, field.DataType))
        {
            throw new LanceSchemaException(
                $"The {operation} of column '{field.Name}' of '{Path}' produced {SchemaAlignment.Describe(values.Data.DataType)} values; the column holds {SchemaAlignment.Describe(field.DataType)}.");
        }

        if (!field.IsNullable && values.NullCount > 0)
        {
            throw new LanceSchemaException($"The {operation} of column '{field.Name}' of '{Path}' produced nulls, but the column is not nullable.");
        }
    }

    /// <summary>
    /// A row's key over the key columns; null when any part is null (nulls never match). A single
    /// integer, date or timestamp column (the usual id) is keyed by its value with no allocation;
    /// other keys become one string.
    /// </summary>
    private static Func<int, MergeKey?> KeyReader(IReadOnlyList<IArrowArray> columns)
    {
        if (columns.Count == 1 && IntegerKey(columns[0]) is { } integer)
        {
            return row => integer(row) is { } value ? new MergeKey(value, null) : null;
        }

        var parts = columns.Select(KeyPart).ToArray();
        if (parts.Length == 1)
        {
            return row => parts[0](row) is { } value ? new MergeKey(0, value) : null;
        }

        return row =>
        {
            var values = new string[parts.Length];
            for (var i = 0; i < parts.Length; i++)
            {
                if (parts[i](row) is not { } value)
                {
                    return null;
                }

                values[i] = value;
            }

            return new MergeKey(0, string.Join(KeySeparator, values));
        };
    }

    private static Func<int, long?>? IntegerKey(IArrowArray array) => array switch
    {
        Int64Array a => r => a.GetValue(r),
        Int32Array a => r => a.GetValue(r),
        Int16Array a => r => a.GetValue(r),
        Int8Array a => r => a.GetValue(r),
        UInt64Array a => r => a.IsNull(r) ? null : unchecked((long)a.Values[r]),
        UInt32Array a => r => a.GetValue(r),
        UInt16Array a => r => a.GetValue(r),
        UInt8Array a => r => a.GetValue(r),
        Date32Array a => r => a.IsNull(r) ? null : a.Values[r],
        TimestampArray a => r => a.IsNull(r) ? null : a.Values[r],
        _ => null,
    };

    private static Func<int, string?> KeyPart(IArrowArray array)
    {
        var c = CultureInfo.InvariantCulture;
        return array switch
        {
            Int64Array a => r => a.GetValue(r)?.ToString(c),
            Int32Array a => r => a.GetValue(r)?.ToString(c),
            Int16Array a => r => a.GetValue(r)?.ToString(c),
            Int8Array a => r => a.GetValue(r)?.ToString(c),
            UInt64Array a => r => a.GetValue(r)?.ToString(c),
            UInt32Array a => r => a.GetValue(r)?.ToString(c),
            UInt16Array a => r => a.GetValue(r)?.ToString(c),
            UInt8Array a => r => a.GetValue(r)?.ToString(c),
            FloatArray a => r => a.GetValue(r)?.ToString("R", c),
            DoubleArray a => r => a.GetValue(r)?.ToString("R", c),
            BooleanArray a => r => a.GetValue(r)?.ToString(),
            StringArray a => r => a.IsNull(r) ? null : a.GetString(r),
            LargeStringArray a => r => a.IsNull(r) ? null : a.GetString(r),
            BinaryArray a => r => a.IsNull(r) ? null : Convert.ToHexString(a.GetBytes(r)),
            Date32Array a => r => a.IsNull(r) ? null : a.Values[r].ToString(c),
            TimestampArray a => r => a.IsNull(r) ? null : a.Values[r].ToString(c),
            _ => throw new LanceSchemaException($"A column of type {SchemaAlignment.Describe(array.Data.DataType)} cannot be a merge key."),
        };
    }

    /// <summary>A merge key: an integer value, or the text of the key's parts joined.</summary>
    private readonly record struct MergeKey(long Number, string? Text)
    {
        public override string ToString() =>
            Text is null ? Number.ToString(CultureInfo.InvariantCulture) : Text.Replace(KeySeparator, ", ", StringComparison.Ordinal);
    }
}

/// <summary>What a merge-insert does with matched and unmatched rows (LanceDB's <c>merge_insert</c> builder).</summary>
public sealed record MergeInsertOptions
{
    /// <summary>Replace a table row with the source row that has its key.</summary>
    public bool WhenMatchedUpdateAll { get; init; }

    /// <summary>Insert source rows whose key no table row has.</summary>
    public bool WhenNotMatchedInsertAll { get; init; }

    /// <summary>Delete table rows whose key no source row has.</summary>
    public bool WhenNotMatchedBySourceDelete { get; init; }

    /// <summary>
    /// With <see cref="WhenNotMatchedBySourceDelete"/>: delete only the unmatched table rows for which
    /// this SQL filter holds (e.g. <c>region = 'eu'</c>); null deletes them all.
    /// </summary>
    public string? NotMatchedBySourceCondition { get; init; }

    /// <summary>Update matches and insert the rest (the usual upsert).</summary>
    public static MergeInsertOptions Upsert { get; } = new() { WhenMatchedUpdateAll = true, WhenNotMatchedInsertAll = true };

    /// <summary>Insert only rows whose key is new (insert-if-not-exists).</summary>
    public static MergeInsertOptions InsertIfNotExists { get; } = new() { WhenNotMatchedInsertAll = true };
}

/// <summary>What a merge-insert changed.</summary>
/// <param name="Inserted">Source rows inserted with a new key.</param>
/// <param name="Updated">Table rows replaced by a source row.</param>
/// <param name="Deleted">Table rows deleted because no source row matched.</param>
public sealed record MergeInsertResult(long Inserted, long Updated, long Deleted);
