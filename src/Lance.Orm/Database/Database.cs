using System.Text.RegularExpressions;
using Apache.Arrow;
using Lance.Engine;

namespace Lance.Orm;

/// <summary>
/// A folder of Lance tables. Get one from <see cref="LanceDb.ConnectAsync(string, CancellationToken)"/>.
/// The embedding models its tables load belong to it: dispose it (<c>await using</c>) to release
/// them. Disposing twice is harmless; using it afterwards throws <see cref="ObjectDisposedException"/>.
/// </summary>
public sealed partial class Database : IAsyncDisposable
{
    private const string TableSuffix = ".lance";

    private readonly Lance.Engine.Storage.IObjectStore? _store;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _drops = new(StringComparer.Ordinal);
    private int _storeDisposed;

    internal Database(string path, DatabaseOptions options, Lance.Engine.Storage.IObjectStore? store = null)
    {
        _store = store;
        Uri = path;
        Options = options;
        Models = new EmbeddingModels(options.Registry, () => $"Database '{Uri}'");
    }

    /// <summary>The database folder (absolute), or its object-store URI (<c>s3://…</c>, <c>az://…</c>).</summary>
    public string Uri { get; }

    internal DatabaseOptions Options { get; }

    /// <summary>The embedding functions this database made for its tables; disposed with it.</summary>
    internal EmbeddingModels Models { get; }

    /// <summary>Releases the embedding models this database's tables loaded. Tables stay usable only until their own disposal; a later call on the database throws.</summary>
    public async ValueTask DisposeAsync()
    {
        await Models.DisposeAsync().ConfigureAwait(false);
        if (_store is not null && Interlocked.Exchange(ref _storeDisposed, 1) == 0)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The names of the tables in the database, sorted.</summary>
    public async Task<IReadOnlyList<string>> TableNamesAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_store is not null)
        {
            return await ObjectStoreTables.NamesAsync(_store, TableSuffix, cancellationToken).ConfigureAwait(false);
        }

        IReadOnlyList<string> names = Directory.EnumerateDirectories(Uri, "*" + TableSuffix)
            .Where(LanceDataset.Exists)
            .Select(d => Path.GetFileName(d)[..^TableSuffix.Length])
            .Order(StringComparer.Ordinal)
            .ToList();
        return names;
    }

    /// <summary>Creates an empty table for the model <typeparamref name="T"/>.</summary>
    public Task<Table<T>> CreateTableAsync<T>(string name, CreateMode mode = CreateMode.Create, CancellationToken cancellationToken = default)
        where T : ILanceModel<T>
        => CreateTableAsync<T>(name, [], mode, cancellationToken);

    /// <summary>
    /// Creates a table for the model <typeparamref name="T"/> holding <paramref name="rows"/>; missing
    /// vectors are computed by the model's embedding functions. The functions are stored in the
    /// table's schema metadata, so the table re-creates them when opened again.
    /// </summary>
    /// <exception cref="LanceException">The table exists and <paramref name="mode"/> is <see cref="CreateMode.Create"/>.</exception>
    public Task<Table<T>> CreateTableAsync<T>(string name, IEnumerable<T> rows, CreateMode mode = CreateMode.Create, CancellationToken cancellationToken = default)
        where T : ILanceModel<T>
    {
        ArgumentNullException.ThrowIfNull(rows);
        return CreateTableAsync(name, Ingest.RowBatcher<T>.FromEnumerable(rows, cancellationToken), mode, cancellationToken);
    }

    /// <summary>
    /// Creates a table for the model <typeparamref name="T"/> holding <paramref name="rows"/>, streaming
    /// them as <see cref="Table{T}.AddAsync(IAsyncEnumerable{T}, AddOptions?, CancellationToken)"/> does
    /// (with <see cref="AddOptions.Default"/>): batch by batch, embedded and written as they come, the
    /// first version committed after the last row.
    /// </summary>
    /// <exception cref="LanceException">The table exists and <paramref name="mode"/> is <see cref="CreateMode.Create"/>.</exception>
    public async Task<Table<T>> CreateTableAsync<T>(string name, IAsyncEnumerable<T> rows, CreateMode mode = CreateMode.Create, CancellationToken cancellationToken = default)
        where T : ILanceModel<T>
    {
        ArgumentNullException.ThrowIfNull(rows);
        var path = TablePath(name);
        if (mode == CreateMode.ExistOk && await TableExistsAsync(name, path, cancellationToken).ConfigureAwait(false))
        {
            // As LanceDB's exist_ok: open the table (checking the model fits) and leave its rows alone.
            return await OpenTableAsync<T>(name, cancellationToken).ConfigureAwait(false);
        }

        var bindings = T.EmbeddingBindings;
        var configs = bindings.Select(b =>
        {
            var function = Models.For(b);
            return new EmbeddingFunctionConfig(function.Name, function.GetConfiguration(), b.SourceColumn, b.VectorColumn);
        }).ToList();
        var schema = WithEmbeddingMetadata(T.ArrowSchema, configs);
        var embeddings = Table<T>.Bind(bindings, configs, Models);
        var run = new EmbeddingRun(name, RetryPipeline, AddOptions.Default);
        var batches = Ingest.RowIngest<T>.PrepareAsync(rows, schema, embeddings, run, cancellationToken);
        var dataset = await CreateDatasetAsync(name, path, schema, batches, mode, Table<T>.WriteOptions(Options, run.Options), cancellationToken).ConfigureAwait(false);
        return new Table<T>(this, name, dataset, configs, embeddings);
    }

    /// <summary>
    /// Creates an untyped table from an Arrow schema, optionally with embedding functions that fill
    /// vector columns from source columns (the functions must be registered by name).
    /// </summary>
    public async Task<Table> CreateTableAsync(
        string name, Schema schema, IReadOnlyList<EmbeddingFunctionConfig>? embeddingFunctions = null,
        CreateMode mode = CreateMode.Create, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var path = TablePath(name);
        if (mode == CreateMode.ExistOk && await TableExistsAsync(name, path, cancellationToken).ConfigureAwait(false))
        {
            return await OpenTableAsync(name, cancellationToken).ConfigureAwait(false);
        }

        var (withMetadata, configs) = ResolveEmbeddingSchema(name, schema, embeddingFunctions);
        var dataset = await CreateDatasetAsync(name, path, withMetadata, [], mode, cancellationToken).ConfigureAwait(false);
        return new Table(this, name, dataset, configs, Table.BindByName(configs, dataset.Schema, Models));
    }

    /// <summary>Opens a table without a model; its embedding functions are restored from its metadata.</summary>
    /// <exception cref="LanceTableNotFoundException">There is no table of that name.</exception>
    public async Task<Table> OpenTableAsync(string name, CancellationToken cancellationToken = default)
    {
        var dataset = await OpenDatasetAsync(name, cancellationToken).ConfigureAwait(false);
        var configs = EmbeddingFunctionConfig.FromMetadata(dataset.Schema.Metadata, name);
        return new Table(this, name, dataset, configs, Table.BindByName(configs, dataset.Schema, Models));
    }

    /// <summary>Opens a table as rows of <typeparamref name="T"/>; the table's columns must fit the model.</summary>
    /// <exception cref="LanceTableNotFoundException">There is no table of that name.</exception>
    /// <exception cref="LanceSchemaException">A column of the model is missing from the table or has another type.</exception>
    public async Task<Table<T>> OpenTableAsync<T>(string name, CancellationToken cancellationToken = default)
        where T : ILanceModel<T>
    {
        var dataset = await OpenDatasetAsync(name, cancellationToken).ConfigureAwait(false);
        Table<T>.CheckSchema(dataset.Schema, name);
        var configs = EmbeddingFunctionConfig.FromMetadata(dataset.Schema.Metadata, name);
        var embeddings = Table<T>.Bind(T.EmbeddingBindings, configs, Models);
        return new Table<T>(this, name, dataset, configs, embeddings);
    }

    /// <summary>Deletes the table's folder with all its versions.</summary>
    /// <exception cref="LanceTableNotFoundException">There is no table of that name.</exception>
    public async Task DropTableAsync(string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = TablePath(name);
        if (!await TableExistsAsync(name, path, cancellationToken).ConfigureAwait(false))
        {
            throw new LanceTableNotFoundException(name, path);
        }

        // Handles of the table opened before the drop fail from now on, naming it, instead of answering from
        // what they had read or failing on a missing data file.
        _drops.AddOrUpdate(name, 1, static (_, count) => count + 1);
        if (_store is not null)
        {
            await ObjectStoreTables.DeleteAsync(_store, name + TableSuffix, cancellationToken).ConfigureAwait(false);
            return;
        }

        Directory.Delete(path, recursive: true);
    }

    /// <summary>How many times this database dropped the table <paramref name="name"/>; a handle made before a drop is stale.</summary>
    internal int DropCount(string name) => _drops.IsEmpty ? 0 : _drops.GetValueOrDefault(name);

    internal string TablePath(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!TableNamePattern().IsMatch(name))
        {
            throw new ArgumentException($"Invalid table name '{name}': use letters, digits, '_', '-' and '.', as LanceDB does.", nameof(name));
        }

        return _store is null ? Path.Combine(Uri, name + TableSuffix) : $"{Uri}/{name}{TableSuffix}";
    }

    /// <summary>The store a table's dataset goes through: a view of the database's object store, or null for a local folder.</summary>
    internal Lance.Engine.Storage.IObjectStore? TableStore(string name)
        => _store is null ? null : new TableObjectStore(_store, name + TableSuffix);

    private async Task<bool> TableExistsAsync(string name, string path, CancellationToken cancellationToken)
        => _store is null
            ? LanceDataset.Exists(path)
            : await ObjectStoreTables.ExistsAsync(_store, name + TableSuffix, cancellationToken).ConfigureAwait(false);

    private async Task<LanceDataset> OpenDatasetAsync(string name, CancellationToken cancellationToken)
    {
        var path = TablePath(name);
        // A folder holding no file at all is what a table dropped by another process can leave behind.
        if (_store is null && (!Directory.Exists(path) || (!LanceDataset.Exists(path) && !Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Any())))
        {
            throw new LanceTableNotFoundException(name, path);
        }

        var options = new Lance.Engine.Dataset.DatasetOpenOptions { Logger = Options.Logger, CacheBudgetBytes = Options.CacheBudgetBytes, Store = TableStore(name) };
        if (_store is null)
        {
            return await LanceDataset.OpenAsync(path, options, cancellationToken).ConfigureAwait(false);
        }

        // In object storage the open's own listing of _versions/ tells whether the table exists: a
        // listing beforehand would cost a round trip on every open. Only a failed open asks again.
        try
        {
            return await LanceDataset.OpenAsync(path, options, cancellationToken).ConfigureAwait(false);
        }
        catch (LanceFormatException)
        {
            if (!await TableExistsAsync(name, path, cancellationToken).ConfigureAwait(false))
            {
                throw new LanceTableNotFoundException(name, path);
            }

            throw;
        }
    }

    private Task<LanceDataset> CreateDatasetAsync(string name, string path, Schema schema, IEnumerable<RecordBatch> batches, CreateMode mode, CancellationToken cancellationToken)
        => CreateDatasetAsync(name, path, schema, AsAsync(batches, cancellationToken), mode, null, cancellationToken);

    private async Task<LanceDataset> CreateDatasetAsync(
        string name, string path, Schema schema, IAsyncEnumerable<RecordBatch> batches, CreateMode mode, DatasetWriteOptions? sizes, CancellationToken cancellationToken)
    {
        if (mode == CreateMode.Create && await TableExistsAsync(name, path, cancellationToken).ConfigureAwait(false))
        {
            throw new LanceException($"Table '{name}' already exists in '{Uri}'. Open it, or create it with CreateMode.Overwrite.");
        }

        var options = new DatasetWriteOptions
        {
            MaxRowsPerFile = Options.MaxRowsPerFile, DataStorageVersion = Options.DataStorageVersion, EnableStableRowIds = Options.EnableStableRowIds,
            Store = TableStore(name),
            MaxBytesPerFile = sizes?.MaxBytesPerFile ?? DatasetWriteOptions.Default.MaxBytesPerFile,
            MaxConcurrentFiles = sizes?.MaxConcurrentFiles ?? DatasetWriteOptions.Default.MaxConcurrentFiles,
        };
        var created = await LanceDataset.CreateAsync(path, schema, batches, mode == CreateMode.Overwrite ? WriteMode.Overwrite : WriteMode.Create, options, cancellationToken).ConfigureAwait(false);
        if (created.CacheBudgetBytes == Options.CacheBudgetBytes)
        {
            return created;
        }

        // A created dataset has the default cache budget: open it again with this connection's.
        await created.DisposeAsync().ConfigureAwait(false);
        return await OpenDatasetAsync(name, cancellationToken).ConfigureAwait(false);
    }

    private static async IAsyncEnumerable<RecordBatch> AsAsync(IEnumerable<RecordBatch> batches, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var batch in batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return batch;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private static Schema WithEmbeddingMetadata(Schema schema, IReadOnlyList<EmbeddingFunctionConfig> configs)
    {
        var metadata = schema.Metadata?.ToDictionary(p => p.Key, p => p.Value) ?? [];
        if (configs.Count > 0)
        {
            metadata[EmbeddingFunctionConfig.MetadataKey] = EmbeddingFunctionConfig.ToMetadataJson(configs);
        }

        return new Schema(schema.FieldsList, metadata);
    }

    [GeneratedRegex("^[A-Za-z0-9_\\-.]+$")]
    private static partial Regex TableNamePattern();
}
