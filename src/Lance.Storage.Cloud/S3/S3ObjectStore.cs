using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Lance.Engine.Storage;
using Lance.Storage.Cloud.Resilience;

namespace Lance.Storage.Cloud.S3;

/// <summary>
/// An <see cref="IObjectStore"/> over a prefix of an S3 bucket (Amazon S3 or a compatible service):
/// ranged GETs, listings by prefix, and commits published with <c>If-None-Match: *</c>. Open one from
/// a URI with <see cref="ObjectStoreFactory.Open(string, IReadOnlyDictionary{string, string}?)"/>, or
/// give it a client of your own.
/// </summary>
public sealed class S3ObjectStore : RemoteObjectStore
{
    private readonly Lazy<IAmazonS3> _client;
    private readonly S3RestClient? _reads;
    private readonly string _bucket;
    private readonly bool _ownsClient;

    /// <summary>A store over <paramref name="prefix"/> of <paramref name="bucket"/>, sending through <paramref name="client"/>.</summary>
    /// <remarks>Give the client no retries of its own (<c>MaxErrorRetry = 0</c>): this store retries with backoff.</remarks>
    public S3ObjectStore(IAmazonS3 client, string bucket, string prefix, ObjectStoreOptions? options = null)
        : base(new StorageUri("s3", bucket, null, prefix.Trim('/')).ToString(), prefix, options ?? new ObjectStoreOptions())
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        _client = new Lazy<IAmazonS3>(client);
        _bucket = bucket;
        _ownsClient = options?.OwnsClient ?? false;
    }

    /// <summary>
    /// A store whose reads (GET, HEAD, LIST) go through <paramref name="reads"/> when given, and whose
    /// SDK client is made by <paramref name="client"/> on the first request that needs it (a write, or
    /// every request without <paramref name="reads"/>): a process that only reads never builds it.
    /// </summary>
    internal S3ObjectStore(Func<IAmazonS3> client, S3RestClient? reads, string bucket, string prefix, ObjectStoreOptions options)
        : base(new StorageUri("s3", bucket, null, prefix.Trim('/')).ToString(), prefix, options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        _client = new Lazy<IAmazonS3>(client, LazyThreadSafetyMode.ExecutionAndPublication);
        _reads = reads;
        _bucket = bucket;
        _ownsClient = options.OwnsClient;
    }

    /// <summary>Whether reads go out as plain signed HTTP rather than through the SDK (for tests).</summary>
    internal bool LeanReads => _reads is not null;

    /// <inheritdoc/>
    private protected override HttpReads? Reads => _reads;

    /// <summary>Whether the SDK client has been made yet (for tests).</summary>
    internal bool SdkClientMade => _client.IsValueCreated;

    /// <inheritdoc/>
    public override ValueTask DisposeAsync()
    {
        _reads?.Dispose();
        if (_ownsClient && _client.IsValueCreated)
        {
            _client.Value.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private protected override async ValueTask<ObjectInfo?> HeadObjectAsync(string name, string key, CancellationToken cancellationToken)
    {
        try
        {
            var head = await _client.Value.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = name }, cancellationToken).ConfigureAwait(false);
            return new ObjectInfo(key, head.ContentLength, ToTime(head.LastModified));
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private protected override async ValueTask<ListPage> ListPageAsync(string prefix, string? continuation, CancellationToken cancellationToken)
    {
        var response = await _client.Value.ListObjectsV2Async(
            new ListObjectsV2Request { BucketName = _bucket, Prefix = prefix, ContinuationToken = continuation },
            cancellationToken).ConfigureAwait(false);
        var objects = (response.S3Objects ?? [])
            .Select(o => new ObjectInfo(o.Key, o.Size ?? 0, ToTime(o.LastModified)))
            .ToList();
        return new ListPage(objects, response.IsTruncated == true ? response.NextContinuationToken : null);
    }

    private protected override async ValueTask GetRangeAsync(string name, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        GetObjectResponse response;
        try
        {
            response = await _client.Value.GetObjectAsync(
                new GetObjectRequest { BucketName = _bucket, Key = name, ByteRange = new ByteRange(offset, offset + destination.Length - 1) },
                cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"No object '{name}' in {Location}.", name, e);
        }

        using (response)
        {
            await response.ResponseStream.ReadExactlyAsync(destination, cancellationToken).ConfigureAwait(false);
        }
    }

    private protected override async ValueTask PutObjectAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        using var body = Body(data);
        await _client.Value.PutObjectAsync(Put(name, body), cancellationToken).ConfigureAwait(false);
    }

    private protected override async ValueTask<bool> PutObjectIfAbsentAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        using var body = Body(data);
        var request = Put(name, body);
        request.IfNoneMatch = "*";
        try
        {
            await _client.Value.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            return false;
        }
    }

    private protected override async ValueTask DeleteObjectAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await _client.Value.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = name }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    private protected override FailureKind Classify(Exception exception) => exception switch
    {
        S3RestException rest => Classify(rest.Status, rest.Code),
        AmazonServiceException { StatusCode: not 0 } service => Classify((int)service.StatusCode, service.ErrorCode),
        _ => FailureKind.Unknown, // not an answer (the SDK wraps a connection failure with status 0): decided by the failure
    };

    private protected override (int? Status, string? Code) Describe(Exception exception) => exception switch
    {
        S3RestException rest => (rest.Status, rest.Code),
        AmazonServiceException { StatusCode: not 0 } service => ((int)service.StatusCode, service.ErrorCode),
        _ => (null, null),
    };

    private static FailureKind Classify(int status, string? code)
        => status >= 500 || status is 408 or 429
           || code is "SlowDown" or "RequestTimeout" or "Throttling" or "ThrottlingException" or "InternalError"
               or "ServiceUnavailable" or "OperationAborted" or "ConditionalRequestConflict"
            ? FailureKind.Transient
            : FailureKind.Permanent;

    private PutObjectRequest Put(string name, Stream body) => new()
    {
        BucketName = _bucket,
        Key = name,
        InputStream = body,
        AutoCloseStream = false,
        UseChunkEncoding = false,
    };

    private static MemoryStream Body(ReadOnlyMemory<byte> data)
        => System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data, out var segment) && segment.Array is not null
            ? new MemoryStream(segment.Array, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);

    private static DateTimeOffset ToTime(DateTime? time)
        => time is { } t ? new DateTimeOffset(t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t.ToUniversalTime()) : DateTimeOffset.MinValue;
}
