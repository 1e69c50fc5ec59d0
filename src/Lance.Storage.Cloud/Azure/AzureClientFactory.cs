using Azure.Core;
using Azure.Identity;
using Azure.Storage;
using Azure.Storage.Blobs;
using Lance.Storage.Cloud.Options;

namespace Lance.Storage.Cloud.Azure;

/// <summary>
/// Makes a container client from LanceDB's storage options (<c>azure_storage_account_name</c>,
/// <c>azure_storage_account_key</c>, <c>azure_storage_sas_token</c>, <c>azure_storage_token</c>,
/// <c>azure_client_id</c>/<c>azure_client_secret</c>/<c>azure_tenant_id</c>, <c>azure_federated_token_file</c>,
/// <c>azure_storage_endpoint</c>, <c>azure_storage_use_emulator</c>, <c>allow_http</c>, <c>timeout</c>; also their
/// object_store aliases and <c>AZURE_*</c> environment variables). Without a key, SAS or token,
/// Azure.Identity's <see cref="DefaultAzureCredential"/> is used.
/// </summary>
internal static class AzureClientFactory
{
    /// <summary>Azurite's well-known development account and key (public, documented by Microsoft).</summary>
    internal const string EmulatorAccount = "devstoreaccount1";

    internal const string EmulatorKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The container client (made when first needed) and, where the options allow, the lean client for reads.</summary>
    /// <remarks>The options are checked now; the SDK's client is made on the first request that needs it (a write, or every request without lean reads).</remarks>
    public static (Func<BlobContainerClient> Client, AzureRestClient? Reads) CreateStore(StorageUri uri, StorageOptionReader options, Func<string, string?> environment)
    {
        var resolved = Resolve(uri, options, environment);
        return (() => Create(resolved, options), options.GetBool(false, "azure_sdk_reads") ? null : Reads(resolved, uri));
    }

    /// <summary>
    /// The client for reads sent as plain HTTP (see <see cref="AzureRestClient"/>), or null where the SDK should send them:
    /// credentials from Azure.Identity (which the SDK's pipeline refreshes). <c>azure_sdk_reads=true</c> skips it too.
    /// </summary>
    private static AzureRestClient? Reads(Resolved resolved, StorageUri uri)
    {
        var (containerUri, account, key, sas, bearer, skipSignature, timeout) = resolved;
        if (skipSignature)
        {
            return AzureRestClient.Anonymous(containerUri, timeout);
        }

        if (key is not null)
        {
            return AzureRestClient.SharedKey(containerUri, account!, Key(key, uri), timeout);
        }

        return sas is not null ? AzureRestClient.Sas(containerUri, sas, timeout)
            : bearer is not null ? AzureRestClient.Bearer(containerUri, bearer, timeout)
            : null;
    }

    public static BlobContainerClient Create(StorageUri uri, StorageOptionReader options, Func<string, string?> environment)
        => Create(Resolve(uri, options, environment), options);

    private static BlobContainerClient Create(Resolved resolved, StorageOptionReader options)
    {
        var (containerUri, account, key, sas, bearer, skipSignature, timeout) = resolved;
        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.MaxRetries = 0; // Polly retries, with backoff and jitter
        if (timeout is { } networkTimeout)
        {
            clientOptions.Retry.NetworkTimeout = networkTimeout;
        }

        if (skipSignature)
        {
            return new BlobContainerClient(containerUri, clientOptions);
        }

        if (key is not null)
        {
            return new BlobContainerClient(containerUri, new StorageSharedKeyCredential(account!, key), clientOptions);
        }

        if (sas is not null)
        {
            return new BlobContainerClient(containerUri, new global::Azure.AzureSasCredential(sas.TrimStart('?')), clientOptions);
        }

        if (bearer is not null)
        {
            return new BlobContainerClient(containerUri, new StaticTokenCredential(bearer), clientOptions);
        }

        return new BlobContainerClient(containerUri, Identity(options), clientOptions);
    }

    private static byte[] Key(string key, StorageUri uri)
    {
        var bytes = new byte[key.Length];
        return Convert.TryFromBase64String(key, bytes, out var written)
            ? bytes[..written]
            : throw new ArgumentException($"The account key for {uri} (azure_storage_account_key) is not base64.");
    }

    private static Resolved Resolve(StorageUri uri, StorageOptionReader options, Func<string, string?> environment)
    {
        var location = uri.ToString();
        var emulator = options.GetBool(false, "azure_storage_use_emulator", "azure_use_emulator", "use_emulator");
        var account = options.Get("azure_storage_account_name", "azure_account_name", "account_name") ?? uri.Account ?? (emulator ? EmulatorAccount : null);
        var key = options.Get("azure_storage_account_key", "azure_storage_access_key", "azure_account_key", "account_key", "access_key")
                  ?? (emulator ? EmulatorKey : null);
        var endpoint = options.Get("azure_storage_endpoint", "azure_endpoint", "endpoint");
        var allowHttp = emulator || options.GetBool(false, "allow_http", "azure_allow_http");

        string serviceUrl;
        if (endpoint is not null)
        {
            serviceUrl = endpoint.TrimEnd('/');
        }
        else if (emulator)
        {
            // As object_store: the account goes after Azurite's address, which the environment may move.
            var azurite = environment("AZURITE_BLOB_STORAGE_URL") ?? "http://127.0.0.1:10000";
            serviceUrl = $"{azurite.TrimEnd('/')}/{account}";
        }
        else if (account is not null)
        {
            var fabric = options.GetBool(false, "azure_use_fabric_endpoint", "use_fabric_endpoint");
            serviceUrl = fabric ? $"https://{account}.blob.fabric.microsoft.com" : $"https://{account}.blob.core.windows.net";
        }
        else
        {
            throw new ArgumentException($"Opening {location} needs a storage account: set azure_storage_account_name (or AZURE_STORAGE_ACCOUNT_NAME), use an abfs://container@account.dfs.core.windows.net URI, or set azure_storage_endpoint.");
        }

        if (!Uri.TryCreate(serviceUrl, UriKind.Absolute, out var service) || (service.Scheme != Uri.UriSchemeHttp && service.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The Azure endpoint for {location} must be an http(s) URL, not '{serviceUrl}'.");
        }

        if (service.Scheme == Uri.UriSchemeHttp && !allowHttp)
        {
            throw new ArgumentException($"The endpoint '{serviceUrl}' for {location} is plain HTTP; set the storage option allow_http=true to use it.");
        }

        var containerUri = new Uri($"{serviceUrl}/{uri.Container}");
        var sas = options.Get("azure_storage_sas_token", "azure_storage_sas_key", "sas_token", "sas_key");
        var bearer = options.Get("azure_storage_token", "bearer_token", "token");
        var skipSignature = options.GetBool(false, "azure_skip_signature", "skip_signature");
        if (!skipSignature && key is not null && account is null)
        {
            throw new ArgumentException($"An account key for {location} needs the account name too (azure_storage_account_name).");
        }

        return new Resolved(containerUri, account, key, sas, bearer, skipSignature, options.GetDuration("timeout", "azure_timeout"));
    }

    /// <summary>Where the container is and how to authorise requests to it, as the options say.</summary>
    private sealed record Resolved(Uri Container, string? Account, string? Key, string? Sas, string? Bearer, bool SkipSignature, TimeSpan? Timeout);

    private static TokenCredential Identity(StorageOptionReader options)
    {
        var clientId = options.Get("azure_storage_client_id", "azure_client_id", "client_id");
        var secret = options.Get("azure_storage_client_secret", "azure_client_secret", "client_secret");
        var tenant = options.Get("azure_storage_tenant_id", "azure_tenant_id", "azure_authority_id", "tenant_id", "authority_id");
        var tokenFile = options.Get("azure_federated_token_file", "federated_token_file");
        if (clientId is not null && secret is not null && tenant is not null)
        {
            return new ClientSecretCredential(tenant, clientId, secret);
        }

        if (clientId is not null && tenant is not null && tokenFile is not null)
        {
            return new WorkloadIdentityCredential(new WorkloadIdentityCredentialOptions { ClientId = clientId, TenantId = tenant, TokenFilePath = tokenFile });
        }

        return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId, TenantId = tenant });
    }

    /// <summary>A bearer token given in the options, used as is until it expires.</summary>
    private sealed class StaticTokenCredential(string token) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => new(token, DateTimeOffset.MaxValue);

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
