using System.Globalization;
using System.Net;
using Lance.Engine.Storage;

namespace Lance.Storage.Cloud;

/// <summary>
/// What the lean read clients of the S3 and Azure stores share: one <see cref="HttpClient"/> of their own, a ranged
/// GET written straight into its destination, a HEAD, and a listing page read whole. How a request is addressed and
/// authorised, and how an error answer becomes an exception, is each service's.
/// </summary>
internal abstract class HttpReads : IDisposable
{
    private readonly HttpClient _http;

    protected HttpReads(TimeSpan? timeout, HttpMessageHandler? handler)
    {
        _http = new HttpClient(handler ?? new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(50) })
        {
            Timeout = timeout ?? TimeSpan.FromSeconds(100),
        };
    }

    /// <summary>Fills <paramref name="destination"/> with the bytes of <paramref name="name"/> from <paramref name="offset"/> (one ranged GET).</summary>
    /// <exception cref="FileNotFoundException">No such object.</exception>
    public async ValueTask GetRangeAsync(string name, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var range = $"bytes={offset.ToString(CultureInfo.InvariantCulture)}-{(offset + destination.Length - 1).ToString(CultureInfo.InvariantCulture)}";
        using var request = await RequestAsync(HttpMethod.Get, name, [], range, cancellationToken).ConfigureAwait(false);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"No object '{name}'.", name);
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentLength is { } length && length != destination.Length)
        {
            throw Unexpected((int)response.StatusCode, "UnexpectedLength", $"asked for {destination.Length} bytes, the response holds {length}");
        }

        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            await body.ReadExactlyAsync(destination, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The size and time of <paramref name="name"/> (reported under <paramref name="key"/>), or null when there is none.</summary>
    public async ValueTask<ObjectInfo?> HeadAsync(string name, string key, CancellationToken cancellationToken)
    {
        using var request = await RequestAsync(HttpMethod.Head, name, [], null, cancellationToken).ConfigureAwait(false);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var length = response.Content.Headers.ContentLength ?? throw Unexpected((int)response.StatusCode, "NoContentLength", "the HEAD response has no Content-Length");
        var modified = response.Content.Headers.LastModified ?? DateTimeOffset.MinValue;
        return new ObjectInfo(key, length, modified.ToUniversalTime());
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The body of a listing request on the container or bucket with <paramref name="query"/>: a page is small, read whole.</summary>
    protected async ValueTask<byte[]> ListBodyAsync(List<KeyValuePair<string, string>> query, CancellationToken cancellationToken)
    {
        using var request = await RequestAsync(HttpMethod.Get, null, query, null, cancellationToken).ConfigureAwait(false);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One page of objects whose names start with <paramref name="prefix"/> (full names as keys), after <paramref name="continuation"/>.</summary>
    public abstract ValueTask<ListPage> ListPageAsync(string prefix, string? continuation, CancellationToken cancellationToken);

    /// <summary>The request, addressed and authorised: to <paramref name="name"/>, or to the container or bucket when null.</summary>
    protected abstract ValueTask<HttpRequestMessage> RequestAsync(HttpMethod method, string? name, List<KeyValuePair<string, string>> query, string? range, CancellationToken cancellationToken);

    /// <summary>Throws the service's exception, with its status and error code, for an answer that is not a success.</summary>
    protected abstract Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken);

    /// <summary>The service's exception for an answer that succeeded but cannot be used.</summary>
    protected abstract Exception Unexpected(int status, string code, string detail);
}
