namespace Lance.Orm;

/// <summary>
/// An image to embed or to search with: a file, a URI (<c>file:</c>, <c>http(s):</c> or a plain
/// path), bytes or a stream. The encoded bytes (PNG, JPEG, BMP, GIF, ...) are read on demand.
/// </summary>
public sealed class Image
{
    private static readonly Lazy<HttpClient> SharedHttp = new(() => new HttpClient { Timeout = TimeSpan.FromSeconds(60) });
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly string? _path;
    private readonly Uri? _uri;

    private Image(ReadOnlyMemory<byte> bytes, string? path, Uri? uri)
    {
        _bytes = bytes;
        _path = path;
        _uri = uri;
    }

    /// <summary>Where the image comes from, for error messages (a path, a URI or "bytes").</summary>
    public string Description => _path ?? _uri?.ToString() ?? $"{_bytes.Length} bytes";

    /// <summary>An image file on disk.</summary>
    public static Image FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new Image(default, Path.GetFullPath(path), null);
    }

    /// <summary>Encoded image bytes.</summary>
    public static Image FromBytes(ReadOnlyMemory<byte> bytes) => new(bytes, null, null);

    /// <summary>Reads the whole stream now (the stream may be closed afterwards).</summary>
    public static Image FromStream(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return new Image(copy.ToArray(), null, null);
    }

    /// <summary>
    /// An image URI as LanceDB's image sources hold them: <c>http(s)://</c>, <c>file://</c>, or a
    /// plain (relative or absolute) path.
    /// </summary>
    public static Image FromUri(string uri)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        if (Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https")
        {
            return new Image(default, null, parsed);
        }

        if (parsed is { IsFile: true } && uri.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return new Image(default, parsed.LocalPath, null);
        }

        return FromFile(uri);
    }

    /// <summary>Reads the encoded bytes (downloading an http(s) image with <paramref name="http"/> or a shared client).</summary>
    /// <exception cref="EmbeddingException">The file is missing or unreadable.</exception>
    /// <exception cref="EmbeddingRequestException">The download failed (transient failures are retried by the caller's pipeline).</exception>
    public async Task<ReadOnlyMemory<byte>> ReadAsync(HttpClient? http = null, CancellationToken cancellationToken = default)
    {
        if (_path is not null)
        {
            try
            {
                return await File.ReadAllBytesAsync(_path, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new EmbeddingException($"Cannot read image '{_path}': {ex.Message}", ex);
            }
        }

        if (_uri is not null)
        {
            var client = http ?? SharedHttp.Value;
            HttpResponseMessage response;
            try
            {
                response = await client.GetAsync(_uri, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                throw new EmbeddingRequestException($"Downloading image '{_uri}' failed: {ex.Message}", null, null, ex);
            }

            using (response)
            {
                if (!response.IsSuccessStatusCode)
                {
                    throw new EmbeddingRequestException(
                        $"Downloading image '{_uri}' failed with HTTP {(int)response.StatusCode} {response.ReasonPhrase}.",
                        (int)response.StatusCode,
                        response.Headers.RetryAfter?.Delta);
                }

                return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return _bytes;
    }

    /// <inheritdoc />
    public override string ToString() => Description;
}
