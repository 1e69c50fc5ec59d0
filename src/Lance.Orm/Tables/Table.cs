using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;

namespace Lance.Orm;

/// <summary>
/// A table without a model: rows go in and come out as Arrow record batches, or as any model type
/// at the end of a query. Its embedding functions are restored from the schema metadata, so adds
/// and text searches embed automatically. Get one from <see cref="Database.OpenTableAsync(string, CancellationToken)"/>.
/// Dispose it (<c>await using</c>) to release the dataset it reads; disposing twice is harmless, and
/// any use afterwards throws <see cref="ObjectDisposedException"/> naming the table.
/// </summary>
public partial class Table : IAsyncDisposable
{
    private readonly int _dropCount;
    private IReadOnlyList<BoundEmbedding> _embeddings;
    private LanceDataset? _dataset;

    internal Table(Database database, string name, LanceDataset dataset, IReadOnlyList<EmbeddingFunctionConfig> configs, IReadOnlyList<BoundEmbedding> embeddings)
    {
        Database = database;
        Name = name;
        _dataset = dataset;
        _dropCount = database.DropCount(name);
        EmbeddingFunctions = configs;
        _embeddings = embeddings;
        LanceTelemetry.Track(this);
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

    internal LanceDataset Dataset
    {
        get
        {
            var dataset = _dataset ?? throw new ObjectDisposedException(
                $"Table '{Name}'", $"Table '{Name}' has been disposed; open it again with Database.OpenTableAsync(\"{Name}\").");
            return Database.DropCount(Name) == _dropCount
                ? dataset
                : throw new LanceTableNotFoundException(Name, Database.TablePath(Name));
        }
    }

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

    /// <summary>
    /// Releases the dataset the table reads (its memory maps and caches). The embedding models stay
    /// with the database, which may share them with other tables; dispose the database to release them.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        var dataset = Interlocked.Exchange(ref _dataset, null);
        LanceTelemetry.Untrack(this);

        // LanceDataset is not disposable in every engine version; when it is, its resources go now.
        switch ((object?)dataset)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Binds stored configuration entries to functions looked up by name (lazily: models load on first use).</summary>
    internal static IReadOnlyList<BoundEmbedding> BindByName(IReadOnlyList<EmbeddingFunctionConfig> configs, Schema schema, EmbeddingModels models)
        => configs.Select(c => new BoundEmbedding(c, VectorDimensions(schema, c.VectorColumn), () => models.For(c.Name, c.Model))).ToList();

    internal static int VectorDimensions(Schema schema, string column)
        => schema.FieldsList.FirstOrDefault(f => f.Name == column)?.DataType is FixedSizeListType list ? list.ListSize : 0;
}
