using Apache.Arrow;
using Lance.Engine.Arrow;
using Lance.Engine.Query.Filtering;

namespace Lance.Engine.Dataset;

/// <summary>
/// Updates rows as Lance does: the matching rows are deleted from their fragments and written,
/// changed, as new fragments, in one transaction. With stable row ids an updated row keeps its id
/// (and its creation version). Also turns constant values and SQL expressions into column setters.
/// </summary>
internal static class RowUpdater
{
    /// <summary>Setters that give columns constant values, checked against their types before anything is written.</summary>
    /// <exception cref="LanceSchemaException">A column does not exist, or a value does not fit its type.</exception>
    public static Dictionary<string, Func<RecordBatch, IArrowArray>> Constants(Schema schema, string location, IReadOnlyDictionary<string, object?> values)
    {
        var setters = new Dictionary<string, Func<RecordBatch, IArrowArray>>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            var field = Target(schema, location, name);
            _ = ScalarArrays.Repeat(field, value, 0, location); // checks the value's type before anything is written
            setters[name] = batch => ScalarArrays.Repeat(field, value, batch.Length, location);
        }

        return setters;
    }

    /// <summary>Setters that compute columns with SQL expressions over the row (LanceDB's <c>values_sql</c>).</summary>
    /// <exception cref="LanceFilterException">An expression does not parse or does not fit the schema.</exception>
    public static Dictionary<string, Func<RecordBatch, IArrowArray>> Sql(Schema schema, string location, IReadOnlyDictionary<string, string> valuesSql)
    {
        ArgumentNullException.ThrowIfNull(valuesSql);
        var setters = new Dictionary<string, Func<RecordBatch, IArrowArray>>(StringComparer.Ordinal);
        foreach (var (name, sql) in valuesSql)
        {
            var field = Target(schema, location, name);
            var value = SqlValue.Parse(sql, schema, location);
            setters[name] = batch => value.Evaluate(batch, field);
        }

        return setters;
    }

    /// <summary>Checks, before anything is read, that an update sets at least one column and only existing ones.</summary>
    /// <exception cref="ArgumentException">No column is set.</exception>
    /// <exception cref="LanceSchemaException">A column does not exist.</exception>
    public static void CheckTargets(Schema schema, string location, IEnumerable<string> setters)
    {
        var list = setters.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException($"An update of '{location}' needs at least one column to set.", nameof(setters));
        }

        list.ForEach(name => Target(schema, location, name));
    }

    /// <summary>The field an update sets.</summary>
    /// <exception cref="LanceSchemaException">It does not exist.</exception>
    public static Field Target(Schema schema, string location, string name)
        => schema.FieldsList.FirstOrDefault(f => f.Name == name)
            ?? throw new LanceSchemaException($"Cannot update column '{name}': it does not exist in '{location}'. Columns: {string.Join(", ", schema.FieldsList.Select(f => f.Name))}.");

    /// <summary>
    /// The transaction setting columns of the rows matching <paramref name="predicate"/> with
    /// <paramref name="setters"/> (its new data files written), and how many rows; none when no row matches.
    /// </summary>
    public static async Task<(Transaction? Transaction, long Updated)> PlanAsync(
        Snapshot snapshot, IRowPredicate predicate, IReadOnlyDictionary<string, Func<RecordBatch, IArrowArray>> setters,
        Func<RecordBatch, CancellationToken, Task<RecordBatch>>? complete, CancellationToken cancellationToken)
    {
        var manifest = snapshot.Manifest;
        var schema = snapshot.Schema;
        var targets = setters.Keys.Select(name => Target(schema, snapshot.Location, name)).ToList();
        var filterFields = snapshot.Project(predicate.Columns);
        var lineage = manifest.UsesStableRowIds ? new LineageBuilder() : null;
        var changed = new List<RecordBatch>();
        var replaced = new Dictionary<ulong, Format.DataFragment?>();
        foreach (var fragment in snapshot.Fragments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var mask = predicate.Evaluate(snapshot.ReadFragment(fragment, filterFields, cancellationToken));
            var existing = snapshot.DeletedRows(fragment);
            var rows = Enumerable.Range(0, mask.Length).Where(r => mask[r] && !existing.Contains(r)).ToArray();
            if (rows.Length == 0)
            {
                continue;
            }

            lineage?.Add(snapshot.RowIds, fragment, rows, keepLastUpdated: false);
            var matching = ArrowTake.Take(snapshot.ReadFragment(fragment), rows);
            var columns = Enumerable.Range(0, matching.ColumnCount).Select(matching.Column).ToList();
            foreach (var field in targets)
            {
                columns[schema.GetFieldIndex(field.Name)] = ColumnCheck.Check(field, setters[field.Name](matching), matching.Length, "update", snapshot.Location);
            }

            var updated = new RecordBatch(schema, columns, matching.Length);
            if (complete is not null)
            {
                updated = await complete(updated, cancellationToken).ConfigureAwait(false);
                if (updated.Length != matching.Length || updated.ColumnCount != schema.FieldsList.Count)
                {
                    throw new InvalidOperationException($"An update of '{snapshot.Location}' was completed with {updated.Length} rows of {updated.ColumnCount} columns, not {matching.Length} of {schema.FieldsList.Count}.");
                }

                updated = new RecordBatch(schema,
                    [.. Enumerable.Range(0, schema.FieldsList.Count).Select(i => ColumnCheck.Check(schema.FieldsList[i], updated.Column(i), updated.Length, "update", snapshot.Location))],
                    updated.Length);
            }

            changed.Add(updated);
            replaced[fragment.Id] = RowDeleter.WithDeletedRows(snapshot, fragment, existing, rows);
        }

        if (changed.Count == 0)
        {
            return (null, 0);
        }

        var transaction = new Transaction(TransactionKind.Update, "update") { Replaced = replaced, Lineage = lineage?.Build() };
        transaction.NewFragments.AddRange(await FragmentWriter.WriteFragmentsAsync(
            snapshot.Files, manifest.Schema, FragmentWriter.FileVersionFor(manifest, snapshot.Location), manifest.LegacyDictionaries,
            BatchStreams.From(changed, cancellationToken), b => b, DatasetWriteOptions.Default, cancellationToken).ConfigureAwait(false));
        return (transaction, changed.Sum(b => (long)b.Length));
    }
}
