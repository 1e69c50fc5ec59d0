namespace Lance.Orm;

/// <summary>The entry point: connects to a database, a local folder (or, with Lance.Storage.Cloud, an S3 or Azure path) of Lance tables.</summary>
public static class LanceDb
{
    /// <summary>
    /// Connects to the database at <paramref name="uri"/> (a local folder, created if missing).
    /// Each table is a <c>&lt;name&gt;.lance</c> dataset folder inside it, as LanceDB lays it out.
    /// </summary>
    public static Task<Database> ConnectAsync(string uri, CancellationToken cancellationToken = default)
        => ConnectAsync(uri, new DatabaseOptions(), cancellationToken);

    /// <summary>Connects with explicit <paramref name="options"/>.</summary>
    public static Task<Database> ConnectAsync(string uri, DatabaseOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        if (uri.Contains("://", StringComparison.Ordinal) && !uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            var opener = options.ObjectStoreOpener ?? CloudStorage.Opener() ?? throw new NotSupportedException(
                $"'{uri}' is an object-store URI: reference the Lance.Storage.Cloud package (its stores are then found by "
                + "themselves; storage options go in DatabaseOptions.StorageOptions with LanceDB's keys), or give DatabaseOptions.ObjectStoreOpener.");
            var store = opener(uri, options.StorageOptions);
            return Task.FromResult(new Database(uri.TrimEnd('/'), options with { ObjectStoreOpener = opener }, store));
        }

        var path = Path.GetFullPath(uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(uri).LocalPath : uri);
        if (File.Exists(path))
        {
            throw new LanceException($"Cannot use '{path}' as a database: it is a file, not a folder.");
        }

        Directory.CreateDirectory(path);
        return Task.FromResult(new Database(path, options));
    }
}

/// <summary>Options for a database connection.</summary>
public sealed record DatabaseOptions
{
    /// <summary>
    /// LanceDB's storage options for a database in object storage (<c>aws_region</c>, <c>aws_endpoint</c>,
    /// <c>azure_storage_account_name</c>, …), given to <see cref="ObjectStoreOpener"/>; unused for local folders.
    /// </summary>
    public IReadOnlyDictionary<string, string>? StorageOptions { get; init; }

    /// <summary>
    /// Opens the object store an <c>s3://</c> or <c>az://</c> database URI names, given <see cref="StorageOptions"/>.
    /// Null (the default): the Lance.Storage.Cloud package's stores when the app references that package (set
    /// explicitly by its <c>UseObjectStorage()</c>), else local folders only. The database owns the store it returns
    /// and disposes it.
    /// </summary>
    public Func<string, IReadOnlyDictionary<string, string>?, Lance.Engine.Storage.IObjectStore>? ObjectStoreOpener { get; init; }

    /// <summary>Where embedding functions are looked up by name; the process-wide registry by default.</summary>
    public EmbeddingFunctionRegistry Registry { get; init; } = EmbeddingFunctionRegistry.Default;

    /// <summary>How embedding calls are retried (7 retries with capped exponential backoff by default; 0 disables).</summary>
    public EmbeddingRetryOptions EmbeddingRetry { get; init; } = EmbeddingRetryOptions.Default;

    /// <summary>Rows per data file (and fragment) when writing; LanceDB's default is 1,048,576.</summary>
    public int MaxRowsPerFile { get; init; } = 1024 * 1024;

    /// <summary>
    /// The Lance file format of tables this connection creates: <c>"2.1"</c> (the default, as
    /// LanceDB's), <c>"2.0"</c> or <c>"2.2"</c>, like LanceDB's <c>new_table_data_storage_version</c> storage option.
    /// An existing table always keeps its own format when written to.
    /// </summary>
    public string? DataStorageVersion { get; init; }

    /// <summary>
    /// Create tables with stable row ids, like LanceDB's <c>enable_stable_row_ids</c> (storage option
    /// <c>new_table_enable_stable_row_ids</c>): a row keeps its <c>_rowid</c> when it is updated or
    /// moved by compaction. Only tables this connection creates are affected; an existing table
    /// keeps what it was created with.
    /// </summary>
    public bool EnableStableRowIds { get; init; }

    /// <summary>
    /// The most bytes of decoded columns each open table keeps in memory between queries (1 GiB by
    /// default), as <see cref="Lance.Engine.Dataset.DatasetOpenOptions.CacheBudgetBytes"/>: least
    /// recently used columns are evicted first, columns a query is using never are, and vector
    /// columns memory-mapped from their files cost nothing against it.
    /// </summary>
    public long CacheBudgetBytes { get; init; } = Lance.Engine.Dataset.DatasetOpenOptions.DefaultCacheBudgetBytes;

    /// <summary>
    /// Told when a table is opened about what it holds that Lance.Orm keeps but does not use, such as
    /// indexes LanceDB built (see <see cref="Lance.Engine.LanceDataset.IgnoredIndices"/>); null for silence.
    /// </summary>
    public Microsoft.Extensions.Logging.ILogger? Logger { get; init; }
}
