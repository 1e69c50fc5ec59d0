using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;

namespace Lance.Orm;

/// <summary>
/// A table without a model: rows go in and come out as Arrow record batches, or as any model type
/// at the end of a query. Its embedding functions are restored from the schema metadata, so adds
/// and text searches embed automatically. Get one from <see cref="Database.OpenTableAsync(string, CancellationToken)"/>.
/// </summary>
public partial class Table
{
    private IReadOnlyList<BoundEmbedding> _embeddings;

    internal Table(Database database, string name, LanceDataset dataset, IReadOnlyList<EmbeddingFunctionConfig> configs, IReadOnlyList<BoundEmbedding> embeddings)
    {
        Database = database;
        Name = name;
        Dataset = dataset;
        EmbeddingFunctions = configs;
        _embeddings = embeddings;
    }

    /// <summary>The database the table belongs to.</summary>
    public Database Database { get; }

    /// <summary>The table's name.</summary>
    public string Name { get; }

    /// <summary>The Arrow schema of the table, with its metadata.</summary>
    public Schema Schema => Dataset.Schema;

    /// <summary>The version this table object reads (the newest it has seen).</summary>
    public ulong Version => Dataset.Version;

    /// <summary>The embedding functions stored with the table.</summary>
    public IReadOnlyList<EmbeddingFunctionConfig> EmbeddingFunctions { get; private set; }

    internal LanceDataset Dataset { get; }

    internal IReadOnlyList<BoundEmbedding> Embeddings => _embeddings;

    /// <summary>Counts the table's rows.</summary>
    public Task<long> CountRowsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Dataset.CountRows());
    }

    /// <summary>
    /// Appends Arrow rows as one new version. Vectors that are null (or whose column is absent) are
    /// computed from their source column by the table's embedding functions.
    /// </summary>
    /// <exception cref="LanceSchemaException">The rows do not fit the table's schema; nothing is written.</exception>
    /// <exception cref="EmbeddingException">An embedding function is unknown or failed; nothing is written.</exception>
    public Task AddAsync(IEnumerable<RecordBatch> batches, CancellationToken cancellationToken = default)
        => AddAsync(batches, AddOptions.Default, cancellationToken);

    /// <summary>Appends one record batch; see <see cref="AddAsync(IEnumerable{RecordBatch}, CancellationToken)"/>.</summary>
    public Task AddAsync(RecordBatch batch, CancellationToken cancellationToken = default)
        => AddAsync([batch], cancellationToken);

    /// <summary>Reads every row, one record batch per fragment.</summary>
    /// <param name="columns">The columns to read; all when null.</param>
    /// <param name="cancellationToken">Stops the scan.</param>
    public IAsyncEnumerable<RecordBatch> ScanAsync(IReadOnlyList<string>? columns = null, CancellationToken cancellationToken = default)
        => Dataset.ScanAsync(columns, cancellationToken);

    /// <summary>Searches by text: the query is embedded by the table's embedding function.</summary>
    public VectorQuery Search(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new VectorQuery(this, QueryInput.FromText(text));
    }

    /// <summary>Searches by vector.</summary>
    public VectorQuery Search(ReadOnlyMemory<float> vector) => new(this, QueryInput.FromVector(vector));

    /// <summary>Searches by vector.</summary>
    public VectorQuery Search(float[] vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        return Search(vector.AsMemory());
    }

    /// <summary>Binds stored configuration entries to functions looked up by name (lazily: models load on first use).</summary>
    internal static IReadOnlyList<BoundEmbedding> BindByName(IReadOnlyList<EmbeddingFunctionConfig> configs, Schema schema, EmbeddingFunctionRegistry registry)
        => configs.Select(c => new BoundEmbedding(c, VectorDimensions(schema, c.VectorColumn), () => registry.GetOrCreate(c.Name, c.Model))).ToList();

    internal static int VectorDimensions(Schema schema, string column)
        => schema.FieldsList.FirstOrDefault(f => f.Name == column)?.DataType is FixedSizeListType list ? list.ListSize : 0;

    /// <summary>Runs a query: embeds text if needed, then searches the dataset.</summary>
    internal async Task<RecordBatch> ExecuteAsync(QuerySpec spec, CancellationToken cancellationToken)
    {
        var (column, embedding) = ResolveColumn(spec);
        ReadOnlyMemory<float> vector;
        if (spec.Input.Text is { } text)
        {
            if (embedding is null)
            {
                throw new EmbeddingException(
                    $"Table '{Name}' has no embedding function for column '{column}', so it cannot search by text. Search with a vector instead, or create the table with an embedding function.");
            }

            IEmbeddingFunction function;
            try
            {
                function = embedding.Function();
            }
            catch (EmbeddingException ex)
            {
                throw new EmbeddingException($"Table '{Name}': {ex.Message}", ex);
            }

            vector = await Database.RetryPipeline.ExecuteAsync(
                $"'{embedding.Config.Name}' for a query on column '{column}' of table '{Name}'",
                ct => function.ComputeQueryEmbeddingAsync(text, ct),
                cancellationToken).ConfigureAwait(false);
        }
        else
        {
            vector = await ResolveDeferredAsync(spec.Input.Vector, column, embedding, cancellationToken).ConfigureAwait(false);
        }

        var request = new VectorSearchRequest(column, vector, spec.Limit)
        {
            Metric = spec.Metric,
            Columns = spec.Columns,
            WithRowId = spec.WithRowId,
        };
        return await Dataset.SearchAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private (string Column, BoundEmbedding? Embedding) ResolveColumn(QuerySpec spec)
    {
        if (spec.Column is { } named)
        {
            return (named, _embeddings.FirstOrDefault(e => e.Config.VectorColumn == named));
        }

        if (spec.Input.Text is not null && _embeddings.Count == 1)
        {
            return (_embeddings[0].Config.VectorColumn, _embeddings[0]);
        }

        var vectors = Schema.FieldsList.Where(f => f.DataType is FixedSizeListType { ValueDataType: FloatType }).Select(f => f.Name).ToList();
        var column = vectors.Count switch
        {
            1 => vectors[0],
            0 => throw new LanceSchemaException($"Table '{Name}' has no vector column to search."),
            _ when vectors.Contains("vector") => "vector",
            _ => throw new LanceSchemaException($"Table '{Name}' has several vector columns ({string.Join(", ", vectors)}); choose one with .Column(name)."),
        };
        return (column, _embeddings.FirstOrDefault(e => e.Config.VectorColumn == column));
    }
}
