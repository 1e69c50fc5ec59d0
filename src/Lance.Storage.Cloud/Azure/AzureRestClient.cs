using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using Lance.Engine.Storage;

namespace Lance.Storage.Cloud.Azure;

/// <summary>
/// The read requests of an Azure Blob store (ranged GET, HEAD, LIST) sent as plain HTTP, without the
/// SDK's pipeline: a fresh process reading a table then never runs (and never compiles) the SDK's
/// policies and response classifiers, about 1,200 methods before its first query. Requests are
/// authorised as the SDK would be with the same options: Shared Key (the account key), a SAS token,
/// a bearer token given as is, or nothing (<c>azure_skip_signature</c>); with Azure.Identity's
/// credentials the SDK sends the reads too. Failures surface as <see cref="AzureRestException"/>
/// (status and the service's <c>x-ms-error-code</c>) for the store's retry pipeline; nothing here
/// logs a request or a credential.
/// </summary>
internal sealed class AzureRestClient : HttpReads
{
    /// <summary>The REST API version sent (<c>x-ms-version</c>); Azure and Azurite 3.37 serve it.</summary>
    internal const string ServiceVersion = "2025-11-05";

    private readonly string _container;
    private readonly string? _account;
    private readonly byte[]? _key;
    private readonly string? _sas;
    private readonly string? _bearer;

    private AzureRestClient(Uri container, string? account, byte[]? key, string? sas, string? bearer, TimeSpan? timeout, HttpMessageHandler? handler)
        : base(timeout, handler)
    {
        _container = container.AbsoluteUri.TrimEnd('/');
        _account = account;
        _key = key;
        _sas = sas;
        _bearer = bearer;
    }

    /// <summary>Requests signed with the account key (Shared Key).</summary>
    public static AzureRestClient SharedKey(Uri container, string account, byte[] key, TimeSpan? timeout, HttpMessageHandler? handler = null)
        => new(container, account, key, null, null, timeout, handler);

    /// <summary>Requests carrying a SAS token (its query, with or without the leading <c>?</c>).</summary>
    public static AzureRestClient Sas(Uri container, string sas, TimeSpan? timeout, HttpMessageHandler? handler = null)
        => new(container, null, null, sas.TrimStart('?'), null, timeout, handler);

    /// <summary>Requests carrying a bearer token, used as given.</summary>
    public static AzureRestClient Bearer(Uri container, string token, TimeSpan? timeout, HttpMessageHandler? handler = null)
        => new(container, null, null, null, token, timeout, handler);

    /// <summary>Unsigned requests (a public container, or a service in front that authorises them).</summary>
    public static AzureRestClient Anonymous(Uri container, TimeSpan? timeout, HttpMessageHandler? handler = null)
        => new(container, null, null, null, null, timeout, handler);

    /// <summary>The most names a listing page may hold (<c>maxresults</c>); null leaves it to the service (5,000). For tests.</summary>
    internal int? PageSize { get; set; }

    /// <summary>One page of List Blobs under <paramref name="prefix"/>, with full names as keys (<paramref name="continuation"/> is Azure's marker).</summary>
    public override async ValueTask<ListPage> ListPageAsync(string prefix, string? continuation, CancellationToken cancellationToken)
    {
        List<KeyValuePair<string, string>> query = [new("restype", "container"), new("comp", "list")];
        if (prefix.Length > 0)
        {
            query.Add(new("prefix", prefix));
        }

        if (continuation is not null)
        {
            query.Add(new("marker", continuation));
        }

        if (PageSize is { } size)
        {
            query.Add(new("maxresults", size.ToString(CultureInfo.InvariantCulture)));
        }

        // A page is small (at most 5,000 names): read whole, then parsed without async XML.
        using var stream = new MemoryStream(await ListBodyAsync(query, cancellationToken).ConfigureAwait(false), writable: false);
        return ParseList(stream);
    }

    /// <summary>Reads a List Blobs answer: each <c>Blob</c>'s name, length and time, and where the next page starts.</summary>
    internal static ListPage ParseList(Stream body)
    {
        var objects = new List<ObjectInfo>();
        string? next = null;
        using var xml = XmlReader.Create(body, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreWhitespace = true });
        string? name = null;
        long length = 0;
        var modified = DateTimeOffset.MinValue;
        var inBlob = false;
        xml.MoveToContent();
        while (!xml.EOF)
        {
            if (xml.NodeType == XmlNodeType.EndElement && xml.LocalName == "Blob")
            {
                objects.Add(new ObjectInfo(name ?? throw new AzureRestException(200, "MalformedListing", "a listed blob has no Name"), length, modified));
                inBlob = false;
            }
            else if (xml.NodeType == XmlNodeType.Element)
            {
                // ReadElementContentAsString leaves the reader on the node after the element: no Read then.
                switch (xml.LocalName)
                {
                    case "Blob":
                        name = null;
                        length = 0;
                        modified = DateTimeOffset.MinValue;
                        inBlob = true;
                        break;
                    case "Name" when inBlob:
                        // Names with characters XML cannot hold come percent-encoded, so marked.
                        var encoded = xml.GetAttribute("Encoded") == "true";
                        name = xml.ReadElementContentAsString();
                        name = encoded ? Uri.UnescapeDataString(name) : name;
                        continue;
                    case "Content-Length" when inBlob:
                        length = long.Parse(xml.ReadElementContentAsString(), NumberStyles.Integer, CultureInfo.InvariantCulture);
                        continue;
                    case "Last-Modified" when inBlob:
                        modified = DateTimeOffset.Parse(xml.ReadElementContentAsString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
                        continue;
                    case "NextMarker" when !inBlob:
                        next = xml.ReadElementContentAsString();
                        continue;
                }
            }

            xml.Read();
        }

        return new ListPage(objects, string.IsNullOrEmpty(next) ? null : next);
    }

    /// <summary>
    /// The string Shared Key signs for a request without a body (Azure Storage's "Authorize with Shared Key": the verb,
    /// eleven standard headers left empty, the <c>x-ms-*</c> headers, then the account, the path and the query).
    /// </summary>
    internal static string StringToSign(string method, string account, string absolutePath, IReadOnlyList<KeyValuePair<string, string>> msHeaders, IReadOnlyList<KeyValuePair<string, string>> query)
    {
        var text = new StringBuilder(method).Append('\n', 12);
        foreach (var (header, value) in msHeaders.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            text.Append(header).Append(':').Append(value.Trim()).Append('\n');
        }

        text.Append('/').Append(account).Append(absolutePath.Length == 0 ? "/" : absolutePath);
        foreach (var (parameter, value) in query.OrderBy(q => q.Key, StringComparer.Ordinal))
        {
            text.Append('\n').Append(parameter).Append(':').Append(value);
        }

        return text.ToString();
    }

    /// <summary>A blob name as a URL path: each segment escaped, the slashes kept.</summary>
    internal static string EscapePath(string name) => string.Join('/', name.Split('/').Select(Uri.EscapeDataString));

    protected override ValueTask<HttpRequestMessage> RequestAsync(HttpMethod method, string? name, List<KeyValuePair<string, string>> query, string? range, CancellationToken cancellationToken)
        => ValueTask.FromResult(Request(method, name, query, range));

    protected override Exception Unexpected(int status, string code, string detail) => new AzureRestException(status, code, detail);

    protected override Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return Task.CompletedTask;
        }

        // Azure names the error in a header on every answer, HEAD's included.
        var code = response.Headers.TryGetValues("x-ms-error-code", out var values) ? values.FirstOrDefault() : null;
        throw new AzureRestException((int)response.StatusCode, code ?? response.StatusCode.ToString(), null);
    }

    private HttpRequestMessage Request(HttpMethod method, string? name, List<KeyValuePair<string, string>> query, string? range)
    {
        var queryText = string.Join('&', query.Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value)}"));
        if (_sas is not null)
        {
            queryText = queryText.Length == 0 ? _sas : $"{queryText}&{_sas}";
        }

        var url = name is null ? _container : $"{_container}/{EscapePath(name)}";
        var request = new HttpRequestMessage(method, new Uri(queryText.Length == 0 ? url : $"{url}?{queryText}", UriKind.Absolute));
        List<KeyValuePair<string, string>> headers =
        [
            new("x-ms-date", DateTime.UtcNow.ToString("R", CultureInfo.InvariantCulture)),
            new("x-ms-version", ServiceVersion),
        ];
        if (range is not null)
        {
            headers.Add(new("x-ms-range", range));
        }

        foreach (var (header, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        if (_key is not null)
        {
            var toSign = StringToSign(method.Method, _account!, request.RequestUri!.AbsolutePath, headers, query);
            var signature = Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(toSign)));
            request.Headers.TryAddWithoutValidation("Authorization", $"SharedKey {_account}:{signature}");
        }
        else if (_bearer is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {_bearer}");
        }

        return request;
    }

}

/// <summary>An Azure Blob request sent by <see cref="AzureRestClient"/> was answered with an error.</summary>
internal sealed class AzureRestException(int status, string code, string? detail)
    : Exception($"Azure Blob Storage answered {status} {code}{(detail is null ? "" : ": " + detail)}.")
{
    /// <summary>The HTTP status.</summary>
    public int Status { get; } = status;

    /// <summary>The service's error code (e.g. <c>ServerBusy</c>, <c>AuthenticationFailed</c>), or the status's name when it gave none.</summary>
    public string Code { get; } = code;
}
