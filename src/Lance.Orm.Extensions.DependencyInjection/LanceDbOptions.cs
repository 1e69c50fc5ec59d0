namespace Lance.Orm;

/// <summary>
/// A database as configuration describes it (<c>"LanceDb": { "Uri": "data/docs" }</c>), bound by
/// <c>services.AddLanceDb(configuration.GetSection("LanceDb"))</c> and read as named options (the name
/// is the database's service key, or <see cref="Microsoft.Extensions.Options.Options.DefaultName"/>).
/// </summary>
public sealed class LanceDbOptions
{
    /// <summary>The configuration section <c>AddLanceDb(IConfiguration)</c> is usually given: <c>"LanceDb"</c>.</summary>
    public const string DefaultSectionName = "LanceDb";

    /// <summary>The database: a local folder (created if missing), or with Lance.Storage.Cloud an <c>s3://</c> or <c>az://</c> URI.</summary>
    public string? Uri { get; set; }

    /// <summary>LanceDB's storage options for object storage (<c>aws_region</c>, <c>azure_storage_account_name</c>, …).</summary>
    public Dictionary<string, string> StorageOptions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Variables the database's embedding registry resolves in stored configuration (<c>$var:NAME</c>,
    /// LanceDB's <c>set_var</c>): API keys from configuration or user secrets, never stored in a table.
    /// </summary>
    public Dictionary<string, string> Variables { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Rows per data file when writing; <see cref="DatabaseOptions.MaxRowsPerFile"/>'s default when null.</summary>
    public int? MaxRowsPerFile { get; set; }

    /// <summary>The Lance file format of new tables (<c>"2.0"</c>, <c>"2.1"</c>, <c>"2.2"</c>); the default when null.</summary>
    public string? DataStorageVersion { get; set; }

    /// <summary>Create tables with stable row ids (LanceDB's <c>enable_stable_row_ids</c>).</summary>
    public bool EnableStableRowIds { get; set; }

    /// <summary>The column cache of each open table, in bytes; <see cref="DatabaseOptions.CacheBudgetBytes"/>'s default when null.</summary>
    public long? CacheBudgetBytes { get; set; }

    /// <summary>Retries of a failing embedding call; <see cref="EmbeddingRetryOptions.MaxRetries"/>'s default (7) when null.</summary>
    public int? EmbeddingMaxRetries { get; set; }

    /// <summary>
    /// Adjusts the <see cref="DatabaseOptions"/> built from the settings above before connecting, for what
    /// configuration cannot say (<c>o =&gt; o.UseObjectStorage(...)</c> from Lance.Storage.Cloud). Code only.
    /// </summary>
    public Func<DatabaseOptions, DatabaseOptions>? ConfigureDatabase { get; set; }
}
