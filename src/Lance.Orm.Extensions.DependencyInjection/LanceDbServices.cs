using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lance.Orm;

/// <summary>How the container builds a database, its registry and its tables.</summary>
internal static class LanceDbServices
{
    /// <summary>The database's own registry: variables from its options, then what its builder added.</summary>
    public static EmbeddingFunctionRegistry CreateRegistry(IServiceProvider services, string optionsName)
    {
        var options = services.GetRequiredService<IOptionsMonitor<LanceDbOptions>>().Get(optionsName);
        var registry = new EmbeddingFunctionRegistry();
        foreach (var (name, value) in options.Variables)
        {
            registry.SetVar(name, value);
        }

        foreach (var configure in services.GetRequiredService<IOptionsMonitor<LanceDbRegistrations>>().Get(optionsName).Actions)
        {
            configure(services, registry);
        }

        return registry;
    }

    /// <summary>Connects to the database the named options describe, with the given registry and the container's logging.</summary>
    /// <exception cref="InvalidOperationException">The options name no URI.</exception>
    public static Database Connect(IServiceProvider services, string optionsName, string? key, EmbeddingFunctionRegistry registry)
    {
        var options = services.GetRequiredService<IOptionsMonitor<LanceDbOptions>>().Get(optionsName);
        if (string.IsNullOrWhiteSpace(options.Uri))
        {
            throw new InvalidOperationException(key is null
                ? $"The Lance database has no Uri: set '{LanceDbOptions.DefaultSectionName}:Uri' in configuration, or AddLanceDb(o => o.Uri = \"data\")."
                : $"The Lance database '{key}' has no Uri: set Uri in its configuration section, or AddKeyedLanceDb(\"{key}\", o => o.Uri = \"data\").");
        }

        var logger = services.GetService<ILoggerFactory>()?.CreateLogger("Lance.Orm");
        var defaults = new DatabaseOptions();
        var database = new DatabaseOptions
        {
            Registry = registry,
            StorageOptions = options.StorageOptions.Count == 0 ? null : new Dictionary<string, string>(options.StorageOptions, StringComparer.Ordinal),
            MaxRowsPerFile = options.MaxRowsPerFile ?? defaults.MaxRowsPerFile,
            DataStorageVersion = options.DataStorageVersion,
            EnableStableRowIds = options.EnableStableRowIds,
            CacheBudgetBytes = options.CacheBudgetBytes ?? defaults.CacheBudgetBytes,
            EmbeddingRetry = EmbeddingRetryOptions.Default with
            {
                MaxRetries = options.EmbeddingMaxRetries ?? EmbeddingRetryOptions.Default.MaxRetries,
                Logger = logger,
            },
            Logger = logger,
        };
        database = options.ConfigureDatabase?.Invoke(database) ?? database;

        // Connecting does no I/O beyond creating a local folder: the task has completed when it returns.
        return LanceDb.ConnectAsync(options.Uri, database).GetAwaiter().GetResult();
    }

    /// <summary>Opens the table, creating it empty for <typeparamref name="T"/> when the database has none of that name.</summary>
    public static async Task<Table<T>> OpenOrCreateAsync<T>(Database database, string name)
        where T : ILanceModel<T>
    {
        try
        {
            return await database.OpenTableAsync<T>(name).ConfigureAwait(false);
        }
        catch (LanceTableNotFoundException)
        {
            return await database.CreateTableAsync<T>(name, CreateMode.ExistOk).ConfigureAwait(false);
        }
    }
}
