using Azure.Storage;
using Azure.Storage.Blobs;
using Lance.Engine.Storage;
using Lance.Storage.Cloud;
using Lance.Storage.Cloud.Resilience;

namespace Lance.Storage.Tests.Support;

/// <summary>
/// Azurite and s3rver, started once for the tests that share this fixture and stopped after them;
/// each test works under its own fresh prefix of the one bucket and container.
/// </summary>
public sealed class Emulators : IAsyncLifetime
{
    /// <summary>The bucket s3rver creates at start.</summary>
    public const string Bucket = "lance";

    /// <summary>The container created in Azurite at start.</summary>
    public const string Container = "lance";

    /// <summary>Azurite's well-known development account (public, documented by Microsoft).</summary>
    public const string AzureAccount = "devstoreaccount1";

    /// <summary>Azurite's well-known development key (public, documented by Microsoft).</summary>
    public const string AzureKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>Quick retries for tests: the same policy, shorter delays.</summary>
    public static ObjectStoreRetryOptions FastRetry { get; } = new() { MaxRetries = 10, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(100) };

    public EmulatorProcess S3 { get; private set; } = null!;

    public EmulatorProcess Azurite { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var s3 = EmulatorProcess.StartS3rverAsync(Bucket);
        var azurite = EmulatorProcess.StartAzuriteAsync();
        S3 = await s3;
        Azurite = await azurite;
        var service = new BlobServiceClient(new Uri($"{Azurite.Endpoint}/{AzureAccount}"), new StorageSharedKeyCredential(AzureAccount, AzureKey));
        await service.GetBlobContainerClient(Container).CreateIfNotExistsAsync();
    }

    public Task DisposeAsync()
    {
        S3?.Dispose();
        Azurite?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>LanceDB's storage options for s3rver at <paramref name="endpoint"/> (the emulator's own by default).</summary>
    public Dictionary<string, string> S3Options(string? endpoint = null) => new()
    {
        ["aws_access_key_id"] = "S3RVER",
        ["aws_secret_access_key"] = "S3RVER",
        ["aws_endpoint"] = endpoint ?? S3.Endpoint,
        ["aws_region"] = "us-east-1",
        ["allow_http"] = "true",
    };

    /// <summary>LanceDB's storage options for Azurite at <paramref name="endpoint"/> (the emulator's own by default).</summary>
    public Dictionary<string, string> AzureOptions(string? endpoint = null) => new()
    {
        ["azure_storage_account_name"] = AzureAccount,
        ["azure_storage_account_key"] = AzureKey,
        ["azure_storage_endpoint"] = $"{endpoint ?? Azurite.Endpoint}/{AzureAccount}",
        ["allow_http"] = "true",
    };

    /// <summary>A fresh prefix URI in the bucket, e.g. <c>s3://lance/t-1a2b…</c>.</summary>
    public static string NewS3Uri() => $"s3://{Bucket}/t-{Guid.NewGuid():N}";

    /// <summary>A fresh prefix URI in the container, e.g. <c>az://lance/t-1a2b…</c>.</summary>
    public static string NewAzureUri() => $"az://{Container}/t-{Guid.NewGuid():N}";

    /// <summary>A store over a fresh S3 prefix, through <paramref name="endpoint"/> when given (a proxy).</summary>
    public IObjectStore NewS3Store(string? endpoint = null, ObjectStoreRetryOptions? retry = null, Dictionary<string, string>? extra = null)
        => ObjectStoreFactory.Open(NewS3Uri(), Merge(S3Options(endpoint), extra), retry ?? FastRetry);

    /// <summary>A store over a fresh Azure prefix, through <paramref name="endpoint"/> when given (a proxy).</summary>
    public IObjectStore NewAzureStore(string? endpoint = null, ObjectStoreRetryOptions? retry = null, Dictionary<string, string>? extra = null)
        => ObjectStoreFactory.Open(NewAzureUri(), Merge(AzureOptions(endpoint), extra), retry ?? FastRetry);

    private static Dictionary<string, string> Merge(Dictionary<string, string> options, Dictionary<string, string>? extra)
    {
        foreach (var (key, value) in extra ?? [])
        {
            options[key] = value;
        }

        return options;
    }
}

[CollectionDefinition(Name)]
public sealed class EmulatorCollection : ICollectionFixture<Emulators>
{
    public const string Name = "emulators";
}
