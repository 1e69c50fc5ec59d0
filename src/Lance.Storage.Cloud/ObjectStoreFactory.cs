using Lance.Engine.Storage;
using Lance.Storage.Cloud.Azure;
using Lance.Storage.Cloud.Options;
using Lance.Storage.Cloud.Resilience;
using Lance.Storage.Cloud.S3;

namespace Lance.Storage.Cloud;

/// <summary>
/// Opens the object store a LanceDB-style URI names, configured by LanceDB's storage options:
/// <c>s3://bucket/path</c> (also <c>s3a://</c>), <c>az://container/path</c> (also <c>azure://</c>,
/// <c>abfs[s]://container@account.dfs.core.windows.net/path</c>), <c>memory://</c>, and local folders
/// (a path or <c>file://</c>).
/// </summary>
/// <remarks>
/// Options use LanceDB's keys (<c>aws_access_key_id</c>, <c>aws_secret_access_key</c>, <c>aws_session_token</c>,
/// <c>aws_region</c>, <c>aws_endpoint</c>, <c>allow_http</c>, <c>azure_storage_account_name</c>,
/// <c>azure_storage_account_key</c>, <c>azure_storage_sas_token</c>, <c>azure_storage_use_emulator</c>, …),
/// compared without case; a key the options leave out is read from the matching environment variable
/// (<c>AWS_ACCESS_KEY_ID</c>, <c>AZURE_STORAGE_ACCOUNT_NAME</c>, …), then the SDK's default credential
/// chain applies. <c>client_max_retries</c> and <c>client_retry_timeout</c> (seconds) tune retries;
/// <c>timeout</c> bounds each request; <c>aws_conditional_put</c> (<c>etag</c> or <c>disabled</c>) says
/// whether an S3-compatible service honours conditional creates instead of probing it once.
/// Options the stores do not use (such as LanceDB's <c>new_table_*</c> keys) are ignored.
/// </remarks>
public static class ObjectStoreFactory
{
    /// <summary>Whether <paramref name="uri"/> names an object store (s3, az, azure, abfs, abfss, memory) rather than a local folder.</summary>
    public static bool IsObjectStoreUri(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var separator = uri.IndexOf("://", StringComparison.Ordinal);
        return separator > 1 && !uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Opens the store at <paramref name="uri"/> with <paramref name="storageOptions"/> (LanceDB's keys).</summary>
    /// <exception cref="ArgumentException">The URI or an option is malformed (the message names it, never its value when it is a secret).</exception>
    /// <exception cref="NotSupportedException">The URI's scheme is not one of the supported stores.</exception>
    public static IObjectStore Open(string uri, IReadOnlyDictionary<string, string>? storageOptions = null)
        => Open(uri, storageOptions, Environment.GetEnvironmentVariable, retry: null);

    /// <summary>As <see cref="Open(string, IReadOnlyDictionary{string, string}?)"/>, with retries set in code rather than by options.</summary>
    public static IObjectStore Open(string uri, IReadOnlyDictionary<string, string>? storageOptions, ObjectStoreRetryOptions retry)
        => Open(uri, storageOptions, Environment.GetEnvironmentVariable, retry);

    /// <summary>The same, reading fallbacks from <paramref name="environment"/> instead of the process's variables.</summary>
    internal static IObjectStore Open(string uri, IReadOnlyDictionary<string, string>? storageOptions, Func<string, string?> environment, ObjectStoreRetryOptions? retry)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);
        ArgumentNullException.ThrowIfNull(environment);
        if (!IsObjectStoreUri(uri))
        {
            var path = uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(uri).LocalPath : uri;
            return new LocalObjectStore(path);
        }

        if (uri.StartsWith("memory://", StringComparison.OrdinalIgnoreCase))
        {
            return new InMemoryObjectStore(uri);
        }

        var parsed = StorageUri.Parse(uri);
        var location = parsed.ToString();
        var options = new StorageOptionReader(storageOptions, environment);
        var settings = new ObjectStoreOptions
        {
            Retry = retry ?? RetryFrom(options),
            OwnsClient = true,
        };
        if (parsed.IsS3)
        {
            settings = settings with { ConditionalPut = S3ClientFactory.ConditionalPut(options, location) };
            var s3 = S3ClientFactory.Settings.Read(options, location);
            return new S3ObjectStore(() => S3ClientFactory.Create(s3), S3ClientFactory.CreateRest(s3, parsed.Container, environment), parsed.Container, parsed.Prefix, settings);
        }

        var (client, reads) = AzureClientFactory.CreateStore(parsed, options, environment);
        return new AzureBlobObjectStore(client, reads, parsed.Container, parsed.Prefix, settings);
    }

    private static ObjectStoreRetryOptions RetryFrom(StorageOptionReader options)
    {
        var retry = ObjectStoreRetryOptions.Default;
        retry = retry with { MaxRetries = options.GetInt(retry.MaxRetries, "client_max_retries") };
        if (options.GetDuration("client_retry_timeout") is { } total)
        {
            retry = retry with { TotalTimeout = total };
        }

        return retry;
    }
}
