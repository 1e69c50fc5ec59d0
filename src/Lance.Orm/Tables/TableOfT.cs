using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Arrow;

namespace Lance.Orm;

/// <summary>
/// A table of <typeparamref name="T"/> rows. Rows are converted by code the source generator wrote
/// for the model (no reflection); vectors left empty are computed by the model's embedding functions.
/// </summary>
/// <typeparam name="T">The model: a <c>partial record</c> implementing <see cref="ILanceModel"/>.</typeparam>
public sealed partial class Table<T> : Table
    where T : ILanceModel<T>
{
    internal Table(Database database, string name, Lance.Engine.LanceDataset dataset, IReadOnlyList<EmbeddingFunctionConfig> configs, IReadOnlyList<BoundEmbedding> embeddings)
        : base(database, name, dataset, configs, embeddings)
    {
    }

    /// <summary>Appends <paramref name="rows"/> as one new version, computing missing vectors; streams as <see cref="AddAsync(IAsyncEnumerable{T}, AddOptions?, CancellationToken)"/> does.</summary>
    /// <exception cref="LanceSchemaException">A row does not fit (e.g. a vector of the wrong length); nothing is committed.</exception>
    /// <exception cref="EmbeddingException">An embedding function failed; nothing is committed.</exception>
    public Task AddAsync(IEnumerable<T> rows, CancellationToken cancellationToken)
        => AddAsync(rows, AddOptions.Default, cancellationToken);

    /// <summary>Appends <paramref name="rows"/> as one new version, computing missing vectors; streams as <see cref="AddAsync(IAsyncEnumerable{T}, AddOptions?, CancellationToken)"/> does.</summary>
    /// <exception cref="LanceSchemaException">A row does not fit (e.g. a vector of the wrong length); nothing is committed.</exception>
    /// <exception cref="EmbeddingException">An embedding function failed; nothing is committed.</exception>
    public Task AddAsync(IAsyncEnumerable<T> rows, CancellationToken cancellationToken)
        => AddAsync(rows, AddOptions.Default, cancellationToken);

    /// <summary>Reads every row of the table.</summary>
    public async IAsyncEnumerable<T> AsAsyncEnumerable([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var rows = new List<T>();
        await foreach (var batch in ScanAsync(null, cancellationToken).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            rows.Clear();
            ModelRows.Read(batch, rows, projected: false, Name);
            foreach (var row in rows)
            {
                yield return row;
            }
        }
    }

    /// <summary>Converts one batch of rows (the first is row <paramref name="first"/> of the add), naming the table in any error.</summary>
    internal static RecordBatch ToRecordBatch(ReadOnlySpan<T> rows, EmbeddingRun run, long first)
    {
        try
        {
            return ToRecordBatch(rows, run);
        }
        catch (LanceSchemaException e)
        {
            throw new LanceSchemaException(
                $"Cannot add to table '{run.TableName}' (rows {first}–{first + rows.Length - 1}, counted from 0; a row number below is within them): {e.Message} Nothing was written.", e);
        }
    }

    /// <summary>
    /// Converts rows with the generated writer. A vector of the wrong length makes the writer throw,
    /// unless the caller asked to fill or null bad vectors: then the writer is told so and does it
    /// itself. When the caller asked to drop them, the rows that do not convert are left out. NaN
    /// vectors, which convert, are handled with every policy by the embedding applier.
    /// </summary>
    private static RecordBatch ToRecordBatch(ReadOnlySpan<T> rows, EmbeddingRun run)
    {
        if (run.Options.OnBadVectors is BadVectorHandling.Fill or BadVectorHandling.Null)
        {
            return T.ToRecordBatch(rows, new BadVectorPolicy(run.Options.OnBadVectors, run.Options.FillValue));
        }

        try
        {
            return T.ToRecordBatch(rows);
        }
        catch (LanceSchemaException) when (run.Options.OnBadVectors == BadVectorHandling.Drop)
        {
            var kept = new List<T>(rows.Length);
            foreach (var row in rows)
            {
                try
                {
                    T.ToRecordBatch([row]);
                    kept.Add(row);
                }
                catch (LanceSchemaException)
                {
                    // a vector of the wrong length: dropped, as asked
                }
            }

            return T.ToRecordBatch(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(kept));
        }
    }

    /// <summary>
    /// Binds the model's declared functions: the instance comes from the model's type (shared per
    /// type within the database), the stored entry (if any) supplies the configuration names.
    /// </summary>
    internal static IReadOnlyList<BoundEmbedding> Bind(IReadOnlyList<EmbeddingBinding> bindings, IReadOnlyList<EmbeddingFunctionConfig> stored, EmbeddingModels models)
    {
        var result = new List<BoundEmbedding>();
        foreach (var binding in bindings)
        {
            var config = stored.FirstOrDefault(c => c.VectorColumn == binding.VectorColumn)
                ?? new EmbeddingFunctionConfig(binding.FunctionName, null, binding.SourceColumn, binding.VectorColumn);
            result.Add(new BoundEmbedding(config, binding.Dimensions, () => models.For(binding)));
        }

        // Functions stored with the table for columns the model does not bind still work by name.
        foreach (var config in stored.Where(c => bindings.All(b => b.VectorColumn != c.VectorColumn)))
        {
            result.Add(new BoundEmbedding(config, 0, () => models.For(config.Name, config.Model)));
        }

        return result;
    }

    /// <summary>Checks that every column of the model exists in <paramref name="schema"/> with the same type.</summary>
    internal static void CheckSchema(Schema schema, string tableName)
    {
        foreach (var field in T.ArrowSchema.FieldsList)
        {
            var actual = schema.FieldsList.FirstOrDefault(f => f.Name == field.Name)
                ?? throw new LanceSchemaException(
                    $"Table '{tableName}' has no column '{field.Name}' that model {typeof(T).Name} needs. Columns: {string.Join(", ", schema.FieldsList.Select(f => f.Name))}.");
            // A column in another layout of the same values reads and writes as the model's: large_utf8 (pandas, polars) for a
            // string, large_binary, large_list; utf8 for an enum (stored as its names).
            var readable = ArrowArrays.CanConvert(actual.DataType, field.DataType)
                || (field.DataType is DictionaryType && actual.DataType is StringType or LargeStringType);
            if (!readable || !ArrowArrays.CanConvert(field.DataType, actual.DataType))
            {
                throw new LanceSchemaException(
                    $"Column '{field.Name}' of table '{tableName}' is {ArrowArrays.Describe(actual.DataType)} but model {typeof(T).Name} maps it to {ArrowArrays.Describe(field.DataType)}.");
            }
        }
    }
}
