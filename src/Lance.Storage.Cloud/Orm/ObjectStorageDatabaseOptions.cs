using Lance.Storage.Cloud;

namespace Lance.Orm;

/// <summary>
/// Databases in object storage for Lance.Orm: <c>LanceDb.ConnectAsync("s3://bucket/path", new DatabaseOptions().UseObjectStorage(options))</c>.
/// </summary>
public static class ObjectStorageDatabaseOptions
{
    /// <summary>
    /// Lets the connection open <c>s3://</c>, <c>az://</c> and <c>abfs://</c> URIs through <see cref="ObjectStoreFactory"/>,
    /// configured by LanceDB's <paramref name="storageOptions"/> (with environment-variable and SDK credential-chain fallbacks).
    /// </summary>
    public static DatabaseOptions UseObjectStorage(this DatabaseOptions options, IReadOnlyDictionary<string, string>? storageOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options with
        {
            StorageOptions = storageOptions ?? options.StorageOptions,
            ObjectStoreOpener = static (uri, storage) => ObjectStoreFactory.Open(uri, storage),
        };
    }
}
