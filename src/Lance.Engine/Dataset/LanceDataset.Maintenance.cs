using Apache.Arrow;
using Lance.Engine.Arrow;
using Lance.Engine.Dataset;
using Lance.Engine.Format;

namespace Lance.Engine;

/// <summary>Compaction and schema evolution.</summary>
public sealed partial class LanceDataset
{
    /// <summary>
    /// Merges runs of small fragments into fragments of up to
    /// <see cref="CompactionOptions.TargetRowsPerFragment"/> rows and rewrites fragments whose share
    /// of deleted rows reaches <see cref="CompactionOptions.MaterializeDeletionsThreshold"/> without
    /// those rows, as one new version. Older versions keep their files until cleaned up.
    /// </summary>
    /// <returns>What changed; nothing is committed when there is nothing to do.</returns>
    public Task<CompactionResult> CompactAsync(CompactionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfReadOnly();
        options ??= new CompactionOptions();
        if (options.TargetRowsPerFragment <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "TargetRowsPerFragment must be positive.");
        }

        return RetryOnConflictAsync(ct => CompactOnceAsync(options, ct), cancellationToken);
    }

    private async Task<CompactionResult> CompactOnceAsync(CompactionOptions options, CancellationToken cancellationToken)
    {
        var manifest = _manifest;
        bool HasManyDeletions(DataFragment f) => options.MaterializeDeletions && f.DeletionFile is { } d
            && d.NumDeletedRows >= options.MaterializeDeletionsThreshold * f.PhysicalRows;
        bool IsCandidate(DataFragment f) => (long)f.PhysicalRows - (long)(f.DeletionFile?.NumDeletedRows ?? 0) < options.TargetRowsPerFragment || HasManyDeletions(f);

        // Runs of adjacent candidates; a run of one is rewritten only to drop its deleted rows.
        var runs = new List<List<DataFragment>>();
        var current = new List<DataFragment>();
        foreach (var fragment in manifest.Fragments)
        {
            if (IsCandidate(fragment))
            {
                current.Add(fragment);
                continue;
            }

            runs.Add(current);
            current = [];
        }

        runs.Add(current);
        runs = runs.Where(r => r.Count > 1 || (r.Count == 1 && HasManyDeletions(r[0]))).ToList();
        if (runs.Count == 0)
        {
            return new CompactionResult(0, 0);
        }

        // With stable row ids the moved rows keep their ids and versions, as in Lance's compaction.
        var lineage = manifest.UsesStableRowIds ? new LineageBuilder() : null;
        var newFragments = new List<(DataFile File, ulong Rows)>();
        var replaced = new Dictionary<ulong, DataFragment?>();
        var groups = new List<(IReadOnlyList<ulong> OldIds, int NewCount)>();
        var writeOptions = new DatasetWriteOptions { MaxRowsPerFile = options.TargetRowsPerFragment };
        foreach (var run in runs)
        {
            var written = await WriteFragmentsAsync(
                Path, manifest.Schema, FileVersionFor(manifest, Path), manifest.LegacyDictionaries, LiveRows(run, cancellationToken), b => b, writeOptions, cancellationToken).ConfigureAwait(false);
            newFragments.AddRange(written);
            groups.Add((run.Select(f => f.Id).ToList(), written.Count));
            foreach (var fragment in run)
            {
                replaced[fragment.Id] = null;
                if (lineage is not null)
                {
                    var deleted = DeletedRows(fragment);
                    lineage.Add(_rowIds, fragment, Enumerable.Range(0, (int)fragment.PhysicalRows).Where(r => !deleted.Contains(r)).ToList(), keepLastUpdated: true);
                }
            }
        }

        var transaction = new Transaction(TransactionKind.Rewrite, "compaction")
        {
            NewFragments = newFragments, Replaced = replaced, RewriteGroups = groups, Lineage = lineage?.Build(),
        };
        await CommitAsync(transaction, cancellationToken).ConfigureAwait(false);
        return new CompactionResult(transaction.Replaced.Count, transaction.NewFragments.Count);
    }

    private async IAsyncEnumerable<RecordBatch> LiveRows(IEnumerable<DataFragment> fragments, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var fragment in fragments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = ReadFragment(fragment);
            var deleted = DeletedRows(fragment);
            if (deleted.Count > 0)
            {
                batch = ArrowTake.Take(batch, Enumerable.Range(0, batch.Length).Where(r => !deleted.Contains(r)).ToArray());
            }

            if (batch.Length > 0)
            {
                yield return batch;
            }

            await Task.Yield();
        }
    }

    /// <summary>
    /// Adds a column whose value in every row is <paramref name="defaultValue"/>, as one new version.
    /// An all-null nullable column costs no data (rows read it as null); otherwise each fragment gets
    /// a data file holding the new column.
    /// </summary>
    /// <exception cref="LanceSchemaException">The name is taken, or the value does not fit the type.</exception>
    public Task AddColumnAsync(Field field, object? defaultValue = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(field);
        _ = ScalarArrays.Repeat(field, defaultValue, 0, Path);
        Func<RecordBatch, IArrowArray>? compute = defaultValue is null ? null : batch => ScalarArrays.Repeat(field, defaultValue, batch.Length, Path);
        return AddColumnAsync(field, [], compute, cancellationToken);
    }

    /// <summary>
    /// Adds a column computed from other columns: <paramref name="compute"/> gets each fragment's
    /// rows (the <paramref name="inputs"/> columns, deleted rows included) and returns the new
    /// column's values for them. One new version.
    /// </summary>
    /// <exception cref="LanceSchemaException">The name is taken, an input column does not exist, or the values do not fit.</exception>
    public Task AddColumnAsync(Field field, IReadOnlyList<string> inputs, Func<RecordBatch, IArrowArray>? compute, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(inputs);
        return AddColumnsAsync([new NewColumn(field, inputs, compute)], cancellationToken);
    }

    /// <summary>
    /// Adds columns computed by SQL expressions over the existing columns, as LanceDB's
    /// <c>add_columns({"name": "expression"})</c>: e.g. <c>{"double_id": "id * 2", "upper": "upper(name)"}</c>.
    /// Each column's type follows its expression (integers int64, decimals double, text utf8,
    /// comparisons bool, dates date32) and is nullable. One new version.
    /// </summary>
    /// <exception cref="LanceFilterException">An expression does not parse or names an unknown column; with the position.</exception>
    /// <exception cref="LanceSchemaException">A name is taken.</exception>
    public Task AddColumnsAsync(IReadOnlyDictionary<string, string> expressions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expressions);
        var schema = _schema;
        var columns = expressions.Select(pair =>
        {
            var value = Query.Filtering.SqlValue.Parse(pair.Value, schema, Path);
            var field = new Field(pair.Key, value.NaturalType(Path, pair.Key), nullable: true);
            return new NewColumn(field, value.Columns, batch => value.Evaluate(batch, field));
        }).ToList();
        return AddColumnsAsync(columns, cancellationToken);
    }

    /// <summary>A column to add: its field, the columns its values are computed from, and how (null: all null).</summary>
    internal sealed record NewColumn(Field Field, IReadOnlyList<string> Inputs, Func<RecordBatch, IArrowArray>? Compute);

    /// <summary>Adds columns in one version; all computed ones of a fragment go into one new data file.</summary>
    internal async Task AddColumnsAsync(IReadOnlyList<NewColumn> columns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ThrowIfReadOnly();
        if (columns.Count == 0)
        {
            return;
        }

        foreach (var column in columns)
        {
            if (_schema.FieldsList.Any(f => f.Name == column.Field.Name) || columns.Count(c => c.Field.Name == column.Field.Name) > 1)
            {
                throw new LanceSchemaException($"Cannot add column '{column.Field.Name}' to '{Path}': a column of that name exists.");
            }

            if (column.Compute is null && !column.Field.IsNullable)
            {
                throw new LanceSchemaException($"Cannot add the non-nullable column '{column.Field.Name}' to '{Path}' without values for the existing rows.");
            }
        }

        var manifest = _manifest;
        var nextId = manifest.Schema.MaxFieldId + 1;
        var added = new List<LanceField>();
        foreach (var column in columns)
        {
            var field = SchemaEditing.Renumber(LanceSchema.FromArrow(new Schema([column.Field], null)).Fields[0], nextId, -1, null);
            nextId = field.Id + 1 + SchemaEditing.Descendants(field);
            added.Add(field);
        }

        var newSchema = new LanceSchema(manifest.Schema.Fields.Concat(added), manifest.Schema.Metadata);
        var computed = columns.Select((c, i) => (Column: c, Field: added[i])).Where(x => x.Column.Compute is not null).ToList();
        var transaction = new Transaction(TransactionKind.Merge, "add columns") { NewSchema = newSchema, CoversAllFragments = computed.Count > 0 };
        if (computed.Count > 0)
        {
            var version = FileVersionFor(manifest, Path);
            var inputFields = Project(computed.SelectMany(c => c.Column.Inputs).Distinct(StringComparer.Ordinal).ToList());
            var fileSchema = new LanceSchema(computed.Select(c => c.Field));
            if (version.IsLegacy)
            {
                Format.Legacy.LegacyFileWriter.EnsureWritable(fileSchema, null, Path);
            }
            var arrowSchema = new Schema(computed.Select(c => c.Column.Field), null);
            var written = new List<string>();
            try
            {
                foreach (var fragment in manifest.Fragments)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var batch = ReadFragment(fragment, inputFields, cancellationToken);
                    var arrays = new List<IArrowArray>();
                    foreach (var (column, _) in computed)
                    {
                        var values = column.Compute!(batch);
                        CheckColumn(column.Field, values, batch.Length, "new column");
                        arrays.Add(values);
                    }

                    var (file, _) = await WriteDataFileAsync(Path, fileSchema, version, null, [new RecordBatch(arrowSchema, arrays, batch.Length)], cancellationToken).ConfigureAwait(false);
                    written.Add(file.Path);
                    var withColumns = fragment.Copy();
                    withColumns.Files.Add(file);
                    transaction.Replaced[fragment.Id] = withColumns;
                }
            }
            catch
            {
                written.ForEach(f => TryDelete(System.IO.Path.Combine(Path, VersionNames.DataFolder, f)));
                throw;
            }
        }

        await CommitAsync(transaction, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes columns from the schema, as one new version (their data stays in older versions' files until cleaned up).</summary>
    /// <exception cref="LanceSchemaException">A column does not exist, or every column would be dropped.</exception>
    public Task DropColumnsAsync(IReadOnlyList<string> columns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ThrowIfReadOnly();
        var manifest = _manifest;
        var dropped = Project(columns).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var remaining = manifest.Schema.Fields.Where(f => !dropped.Contains(f.Name)).ToList();
        if (remaining.Count == 0)
        {
            throw new LanceSchemaException($"Cannot drop every column of '{Path}'.");
        }

        var newSchema = new LanceSchema(remaining, manifest.Schema.Metadata);
        var kept = newSchema.AllFields.Select(f => f.Id).ToHashSet();
        var transaction = new Transaction(TransactionKind.Project, "drop columns") { NewSchema = newSchema };
        foreach (var fragment in manifest.Fragments)
        {
            // A data file left with no field of the schema is no longer part of the fragment.
            var files = fragment.Files.Where(f => f.Fields.Any(kept.Contains)).ToList();
            if (files.Count != fragment.Files.Count && files.Count > 0)
            {
                var narrowed = fragment.Copy();
                narrowed.Files = files;
                transaction.Replaced[fragment.Id] = narrowed;
            }
        }

        return CommitAsync(transaction, cancellationToken);
    }

    /// <summary>Renames a column, as one new version (no data is rewritten).</summary>
    /// <exception cref="LanceSchemaException">The column does not exist, or the new name is taken.</exception>
    public Task RenameColumnAsync(string column, string newName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        ArgumentException.ThrowIfNullOrEmpty(newName);
        ThrowIfReadOnly();
        _ = Project([column]);
        if (_schema.FieldsList.Any(f => f.Name == newName))
        {
            throw new LanceSchemaException($"Cannot rename column '{column}' of '{Path}' to '{newName}': a column of that name exists.");
        }

        var manifest = _manifest;
        var fields = manifest.Schema.Fields.Select(f => f.Name == column ? SchemaEditing.Rename(f, newName) : f).ToList();
        return CommitAsync(new Transaction(TransactionKind.Project, "rename column") { NewSchema = new LanceSchema(fields, manifest.Schema.Metadata) }, cancellationToken);
    }
}

/// <summary>Options for <see cref="LanceDataset.CompactAsync"/>.</summary>
public sealed record CompactionOptions
{
    /// <summary>Rows per fragment to aim for (LanceDB's default is 1,048,576).</summary>
    public int TargetRowsPerFragment { get; init; } = 1024 * 1024;

    /// <summary>Whether to rewrite fragments with many deleted rows without them.</summary>
    public bool MaterializeDeletions { get; init; } = true;

    /// <summary>The share of deleted rows (0–1) from which a fragment is rewritten (LanceDB's default is 0.1).</summary>
    public double MaterializeDeletionsThreshold { get; init; } = 0.1;
}

/// <summary>What a compaction changed.</summary>
/// <param name="FragmentsRemoved">Fragments rewritten away.</param>
/// <param name="FragmentsAdded">Fragments written in their place.</param>
public sealed record CompactionResult(int FragmentsRemoved, int FragmentsAdded);
