using Apache.Arrow;
using Lance.Engine.Format;
using Lance.Engine.Query.Filtering;

namespace Lance.Engine.Dataset;

/// <summary>
/// Schema evolution over a <see cref="Snapshot"/>: adding columns (all-null ones cost no data; computed
/// ones get one new data file per fragment), dropping and renaming columns (no data rewritten). Each
/// plans one transaction; older versions keep their schema and files.
/// </summary>
internal static class SchemaEvolution
{
    /// <summary>Columns computed by SQL expressions over the existing ones (LanceDB's <c>add_columns</c>), each nullable, typed by its expression.</summary>
    /// <exception cref="LanceFilterException">An expression does not parse or names an unknown column.</exception>
    public static List<NewColumn> FromSql(Schema schema, string location, IReadOnlyDictionary<string, string> expressions)
        => (expressions ?? throw new ArgumentNullException(nameof(expressions))).Select(pair =>
        {
            var value = SqlValue.Parse(pair.Value, schema, location);
            var field = new Field(pair.Key, value.NaturalType(location, pair.Key), nullable: true);
            return new NewColumn(field, value.Columns, batch => value.Evaluate(batch, field));
        }).ToList();

    /// <summary>A column whose value in every row is <paramref name="defaultValue"/> (checked against its type now); all-null costs no data.</summary>
    /// <exception cref="LanceSchemaException">The value does not fit the type.</exception>
    public static NewColumn Constant(Field field, object? defaultValue, string location)
    {
        ArgumentNullException.ThrowIfNull(field);
        _ = ScalarArrays.Repeat(field, defaultValue, 0, location);
        return new NewColumn(field, [], defaultValue is null ? null : batch => ScalarArrays.Repeat(field, defaultValue, batch.Length, location));
    }

    /// <summary>The transaction adding <paramref name="columns"/> (their data files written).</summary>
    /// <exception cref="LanceSchemaException">A name is taken, or a non-nullable column has no values.</exception>
    public static async Task<Transaction> PlanAddAsync(Snapshot snapshot, IReadOnlyList<NewColumn> columns, CancellationToken cancellationToken)
    {
        var location = snapshot.Location;
        foreach (var column in columns)
        {
            if (snapshot.Schema.FieldsList.Any(f => f.Name == column.Field.Name) || columns.Count(c => c.Field.Name == column.Field.Name) > 1)
            {
                throw new LanceSchemaException($"Cannot add column '{column.Field.Name}' to '{location}': a column of that name exists.");
            }

            if (column.Compute is null && !column.Field.IsNullable)
            {
                throw new LanceSchemaException($"Cannot add the non-nullable column '{column.Field.Name}' to '{location}' without values for the existing rows.");
            }
        }

        var manifest = snapshot.Manifest;
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
        if (computed.Count == 0)
        {
            return transaction;
        }

        var version = FragmentWriter.FileVersionFor(manifest, location);
        var inputFields = snapshot.Project(computed.SelectMany(c => c.Column.Inputs).Distinct(StringComparer.Ordinal).ToList());
        var fileSchema = new LanceSchema(computed.Select(c => c.Field));
        FileFormats.For(version).EnsureWritable(fileSchema, null, location);

        var arrowSchema = new Schema(computed.Select(c => c.Column.Field), null);
        var written = new List<string>();
        try
        {
            foreach (var fragment in snapshot.Fragments)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = snapshot.ReadFragment(fragment, inputFields, cancellationToken);
                var arrays = new List<IArrowArray>();
                foreach (var (column, _) in computed)
                {
                    arrays.Add(ColumnCheck.Check(column.Field, column.Compute!(batch), batch.Length, "new column", location));
                }

                var (file, _) = await FragmentWriter.WriteDataFileAsync(snapshot.Files, fileSchema, version, null, [new RecordBatch(arrowSchema, arrays, batch.Length)], cancellationToken).ConfigureAwait(false);
                written.Add(file.Path);
                var withColumns = fragment.Copy();
                withColumns.Files.Add(file);
                transaction.Replaced[fragment.Id] = withColumns;
            }
        }
        catch
        {
            await snapshot.Files.TryDeleteAsync(written.Select(DatasetFiles.DataKey)).ConfigureAwait(false);
            throw;
        }

        return transaction;
    }

    /// <summary>The transaction removing <paramref name="columns"/> from the schema.</summary>
    /// <exception cref="LanceSchemaException">A column does not exist, or every column would be dropped.</exception>
    public static Transaction PlanDrop(Snapshot snapshot, IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var manifest = snapshot.Manifest;
        var dropped = snapshot.Project(columns).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var remaining = manifest.Schema.Fields.Where(f => !dropped.Contains(f.Name)).ToList();
        if (remaining.Count == 0)
        {
            throw new LanceSchemaException($"Cannot drop every column of '{snapshot.Location}'.");
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

        return transaction;
    }

    /// <summary>The transaction renaming <paramref name="column"/> to <paramref name="newName"/>.</summary>
    /// <exception cref="LanceSchemaException">The column does not exist, or the new name is taken.</exception>
    public static Transaction PlanRename(Snapshot snapshot, string column, string newName)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        ArgumentException.ThrowIfNullOrEmpty(newName);
        _ = snapshot.Project([column]);
        if (snapshot.Schema.FieldsList.Any(f => f.Name == newName))
        {
            throw new LanceSchemaException($"Cannot rename column '{column}' of '{snapshot.Location}' to '{newName}': a column of that name exists.");
        }

        var manifest = snapshot.Manifest;
        var fields = manifest.Schema.Fields.Select(f => f.Name == column ? SchemaEditing.Rename(f, newName) : f).ToList();
        return new Transaction(TransactionKind.Project, "rename column") { NewSchema = new LanceSchema(fields, manifest.Schema.Metadata) };
    }
}
