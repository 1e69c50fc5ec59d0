using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Xml;
using Amazon.Runtime;
using Lance.Engine.Storage;

namespace Lance.Storage.Cloud.S3;

/// <summary>
/// The read requests of an S3 store (ranged GET, HEAD, LIST) sent as plain signed HTTP, without the
/// SDK's request pipeline: a fresh process reading a table then never runs (and never compiles) the
/// SDK's endpoint rules, handlers and unmarshallers, which cost it a few hundred milliseconds of JIT
/// before its first request. Credentials still come from the SDK (the keys given, or its default
/// chain: environment, profile, web identity, container and instance roles), resolved on the first
/// request. Failures surface as <see cref="S3RestException"/> (status and S3's error code) for the
/// store's retry pipeline; nothing here logs a request or a credential.
/// </summary>
internal sealed class S3RestClient : HttpReads
{
    private readonly string _scheme;
    private readonly string _host;
    private readonly string _pathPrefix;
    private readonly SigV4Signer _signer;
    private readonly Func<CancellationToken, Task<ImmutableCredentials>>? _credentials;
    private readonly Lock _credentialLock = new();
    private Task<AWSCredentials>? _chain;

    /// <summary>
    /// A client for <paramref name="bucket"/> at <paramref name="serviceUrl"/> (e.g. <c>https://s3.eu-west-1.amazonaws.com</c>
    /// or an S3-compatible endpoint), addressed path-style (<c>host/bucket/key</c>) or virtual-hosted
    /// (<c>bucket.host/key</c>). <paramref name="credentials"/> null means the SDK's default chain;
    /// <see cref="AnonymousAWSCredentials"/> sends unsigned requests.
    /// </summary>
    public S3RestClient(Uri serviceUrl, bool pathStyle, string bucket, string region, AWSCredentials? credentials, TimeSpan? timeout, HttpMessageHandler? handler = null)
        : base(timeout, handler)
    {
        ArgumentNullException.ThrowIfNull(serviceUrl);
        _scheme = serviceUrl.Scheme;
        var authority = serviceUrl.IsDefaultPort ? serviceUrl.Host : $"{serviceUrl.Host}:{serviceUrl.Port.ToString(CultureInfo.InvariantCulture)}";
        var basePath = serviceUrl.AbsolutePath.TrimEnd('/');
        _host = pathStyle ? authority : $"{bucket}.{authority}";
        _pathPrefix = pathStyle ? $"{basePath}/{SigV4Signer.Encode(bucket, keepSlash: false)}/" : $"{basePath}/";
        _signer = new SigV4Signer(region);
        _credentials = credentials switch
        {
            AnonymousAWSCredentials => null,
            null => async token => await (await DefaultChainAsync().ConfigureAwait(false)).GetCredentialsAsync().WaitAsync(token).ConfigureAwait(false),
            var given => token => given.GetCredentialsAsync().WaitAsync(token),
        };
    }

    /// <summary>One page of ListObjectsV2 under <paramref name="prefix"/>, with full names as keys.</summary>
    public override async ValueTask<ListPage> ListPageAsync(string prefix, string? continuation, CancellationToken cancellationToken)
    {
        List<KeyValuePair<string, string>> query = [new("list-type", "2"), new("prefix", prefix)];
        if (continuation is not null)
        {
            query.Add(new("continuation-token", continuation));
        }

        // A page is small (at most 1,000 keys): read whole, then parsed without async XML.
        using var stream = new MemoryStream(await ListBodyAsync(query, cancellationToken).ConfigureAwait(false), writable: false);
        return ParseList(stream);
    }

    /// <summary>Reads a ListObjectsV2 answer: each <c>Contents</c>' key, size and time, and where the next page starts.</summary>
    internal static ListPage ParseList(Stream body)
    {
        var objects = new List<ObjectInfo>();
        string? next = null;
        var truncated = false;
        using var xml = XmlReader.Create(body, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreWhitespace = true });
        string? key = null;
        long size = 0;
        var modified = DateTimeOffset.MinValue;
        var inContents = false;
        xml.MoveToContent();
        while (!xml.EOF)
        {
            if (xml.NodeType == XmlNodeType.EndElement && xml.LocalName == "Contents")
            {
                objects.Add(new ObjectInfo(key ?? throw new S3RestException(200, "MalformedListing", "a listed object has no Key"), size, modified));
                inContents = false;
            }
            else if (xml.NodeType == XmlNodeType.Element)
            {
                // ReadElementContentAsString leaves the reader on the node after the element: no Read then.
                switch (xml.LocalName)
                {
                    case "Contents":
                        key = null;
                        size = 0;
                        modified = DateTimeOffset.MinValue;
                        inContents = true;
                        break;
                    case "Key" when inContents:
                        key = xml.ReadElementContentAsString();
                        continue;
                    case "Size" when inContents:
                        size = long.Parse(xml.ReadElementContentAsString(), NumberStyles.Integer, CultureInfo.InvariantCulture);
                        continue;
                    case "LastModified" when inContents:
                        modified = DateTimeOffset.Parse(xml.ReadElementContentAsString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
                        continue;
                    case "IsTruncated" when !inContents:
                        truncated = string.Equals(xml.ReadElementContentAsString().Trim(), "true", StringComparison.OrdinalIgnoreCase);
                        continue;
                    case "NextContinuationToken" when !inContents:
                        next = xml.ReadElementContentAsString();
                        continue;
                }
            }

            xml.Read();
        }

        return new ListPage(objects, truncated ? next ?? throw new S3RestException(200, "MalformedListing", "a truncated listing has no NextContinuationToken") : null);
    }

    protected override async ValueTask<HttpRequestMessage> RequestAsync(HttpMethod method, string? name, List<KeyValuePair<string, string>> query, string? range, CancellationToken cancellationToken)
    {
        var path = name is null ? _pathPrefix : _pathPrefix + SigV4Signer.Encode(name, keepSlash: true);
        var queryString = query.Count == 0 ? "" : "?" + SigV4Signer.CanonicalQuery(query);
        var request = new HttpRequestMessage(method, new Uri($"{_scheme}://{_host}{path}{queryString}", UriKind.Absolute));
        try
        {
            if (range is not null)
            {
                request.Headers.TryAddWithoutValidation("Range", range);
            }

            if (_credentials is not null)
            {
                var credentials = await _credentials(cancellationToken).ConfigureAwait(false);
                var now = DateTime.UtcNow;
                var amzDate = SigV4Signer.Timestamp(now);
                List<KeyValuePair<string, string>> signed =
                [
                    new("host", _host),
                    new("x-amz-content-sha256", SigV4Signer.EmptyPayloadHash),
                    new("x-amz-date", amzDate),
                ];
                if (range is not null)
                {
                    signed.Add(new("range", range));
                }

                if (credentials.UseToken)
                {
                    signed.Add(new("x-amz-security-token", credentials.Token));
                    request.Headers.TryAddWithoutValidation("x-amz-security-token", credentials.Token);
                }

                request.Headers.TryAddWithoutValidation("x-amz-content-sha256", SigV4Signer.EmptyPayloadHash);
                request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
                request.Headers.TryAddWithoutValidation("Authorization",
                    _signer.Authorization(method.Method, path, query, signed, SigV4Signer.EmptyPayloadHash, now, credentials.AccessKey, credentials.SecretKey));
            }

            return request;
        }
        catch
        {
            request.Dispose();
            throw;
        }
    }

    private Task<AWSCredentials> DefaultChainAsync()
    {
        lock (_credentialLock)
        {
            // A failed resolution (no credentials anywhere yet) is tried again on the next request.
            if (_chain is null or { IsFaulted: true } or { IsCanceled: true })
            {
                _chain = Task.Run(() => Amazon.Runtime.Credentials.DefaultAWSCredentialsIdentityResolver.GetCredentials(null));
            }

            return _chain;
        }
    }

    protected override Exception Unexpected(int status, string code, string detail) => new S3RestException(status, code, detail);

    protected override async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string? code = null;
        try
        {
            // S3's error body: <Error><Code>NoSuchKey</Code><Message>…</Message>…</Error> (none for HEAD).
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var start = text.IndexOf("<Code>", StringComparison.Ordinal);
            var end = start < 0 ? -1 : text.IndexOf("</Code>", start, StringComparison.Ordinal);
            code = end > start ? text[(start + 6)..end] : null;
        }
        catch (HttpRequestException)
        {
            // The status says enough.
        }

        throw new S3RestException((int)response.StatusCode, code ?? response.StatusCode.ToString(), null);
    }
}

/// <summary>An S3 request sent by <see cref="S3RestClient"/> was answered with an error.</summary>
internal sealed class S3RestException(int status, string code, string? detail)
    : Exception($"S3 answered {status} {code}{(detail is null ? "" : ": " + detail)}.")
{
    /// <summary>The HTTP status.</summary>
    public int Status { get; } = status;

    /// <summary>S3's error code (e.g. <c>SlowDown</c>, <c>AccessDenied</c>), or the status's name when the body had none.</summary>
    public string Code { get; } = code;
}
