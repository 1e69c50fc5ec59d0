using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Lance.Engine.Storage;
using Lance.Storage.Cloud.Resilience;

namespace Lance.Storage.Cloud.Azure;

/// <summary>
/// An <see cref="IObjectStore"/> over a prefix of an Azure Blob Storage container: ranged GETs,
/// listings by prefix, and commits published with <c>If-None-Match: *</c>, which Azure always
/// honours. Open one from a URI with <see cref="ObjectStoreFactory.Open(string, IReadOnlyDictionary{string, string}?)"/>,
/// or give it a container client of your own.
/// </summary>
public sealed class AzureBlobObjectStore : RemoteObjectStore
{
    private readonly Lazy<BlobContainerClient> _client;
    private readonly AzureRestClient? _reads;

    /// <summary>A store over <paramref name="prefix"/> of <paramref name="container"/>.</summary>
    /// <remarks>Give the client no retries of its own (<c>Retry.MaxRetries = 0</c>): this store retries with backoff.</remarks>
    public AzureBlobObjectStore(BlobContainerClient container, string prefix, ObjectStoreOptions? options = null)
        : base(
            new StorageUri("az", container?.Name ?? throw new ArgumentNullException(nameof(container)), null, prefix.Trim('/')).ToString(),
            prefix,
            (options ?? new ObjectStoreOptions()) with { ConditionalPut = ConditionalPutMode.Trust })
    {
        _client = new Lazy<BlobContainerClient>(container);
    }

    /// <summary>
    /// A store whose reads (GET, HEAD, LIST) go through <paramref name="reads"/> when given, and whose SDK client is made
    /// by <paramref name="client"/> on the first request that needs it (a write, or every request without
    /// <paramref name="reads"/>): a process that only reads never builds it.
    /// </summary>
    internal AzureBlobObjectStore(Func<BlobContainerClient> client, AzureRestClient? reads, string container, string prefix, ObjectStoreOptions options)
        : base(new StorageUri("az", container, null, prefix.Trim('/')).ToString(), prefix, options with { ConditionalPut = ConditionalPutMode.Trust })
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = new Lazy<BlobContainerClient>(client, LazyThreadSafetyMode.ExecutionAndPublication);
        _reads = reads;
    }

    /// <summary>Whether reads go out as plain HTTP rather than through the SDK (for tests).</summary>
    internal bool LeanReads => _reads is not null;

    /// <inheritdoc/>
    private protected override HttpReads? Reads => _reads;

    /// <summary>Whether the SDK client has been made yet (for tests).</summary>
    internal bool SdkClientMade => _client.IsValueCreated;

    /// <inheritdoc/>
    public override ValueTask DisposeAsync()
    {
        _reads?.Dispose();
        return ValueTask.CompletedTask;
    }

    private protected override async ValueTask<ObjectInfo?> HeadObjectAsync(string name, string key, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await _client.Value.GetBlobClient(name).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return new ObjectInfo(key, properties.Value.ContentLength, properties.Value.LastModified);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    private protected override async ValueTask<ListPage> ListPageAsync(string prefix, string? continuation, CancellationToken cancellationToken)
    {
        var pages = _client.Value.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken).AsPages(continuation);
        await foreach (var page in pages.ConfigureAwait(false))
        {
            var objects = page.Values
                .Select(b => new ObjectInfo(b.Name, b.Properties.ContentLength ?? 0, b.Properties.LastModified ?? DateTimeOffset.MinValue))
                .ToList();
            return new ListPage(objects, string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken);
        }

        return new ListPage([], null);
    }

    private protected override async ValueTask GetRangeAsync(string name, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        Response<BlobDownloadStreamingResult> response;
        try
        {
            response = await _client.Value.GetBlobClient(name).DownloadStreamingAsync(
                new BlobDownloadOptions { Range = new HttpRange(offset, destination.Length) },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new FileNotFoundException($"No object '{name}' in {Location}.", name, e);
        }

        await using var content = response.Value.Content.ConfigureAwait(false);
        await response.Value.Content.ReadExactlyAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    private protected override async ValueTask PutObjectAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        => await _client.Value.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(data), overwrite: true, cancellationToken).ConfigureAwait(false);

    private protected override async ValueTask<bool> PutObjectIfAbsentAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            await _client.Value.GetBlobClient(name).UploadAsync(
                BinaryData.FromBytes(data),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return false;
        }
    }

    private protected override async ValueTask DeleteObjectAsync(string name, CancellationToken cancellationToken)
        => await _client.Value.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

    private protected override FailureKind Classify(Exception exception) => exception switch
    {
        AzureRestException rest => Classify(rest.Status, rest.Code),
        RequestFailedException { Status: not 0 } failed => Classify(failed.Status, failed.ErrorCode),
        _ => FailureKind.Unknown, // not an answer: decided by the failure
    };

    private protected override (int? Status, string? Code) Describe(Exception exception) => exception switch
    {
        AzureRestException rest => (rest.Status, rest.Code),
        RequestFailedException { Status: not 0 } failed => (failed.Status, failed.ErrorCode),
        _ => (null, null),
    };

    private static FailureKind Classify(int status, string? code)
        => status >= 500 || status is 408 or 429 || code is "ServerBusy" or "OperationTimedOut" or "InternalError"
            ? FailureKind.Transient
            : FailureKind.Permanent;
}
