using System.Text;

namespace Lance.Storage.Tests.Support;

/// <summary>
/// An HTTP handler that keeps the first request an SDK sends through it and refuses every request with a canned 403
/// (the SDK need not be satisfied: the request it sent is what a signature test compares), naming
/// <paramref name="errorCode"/> in the body (S3's way) and in <c>x-ms-error-code</c> (Azure's).
/// </summary>
internal sealed class CapturingHandler(string errorCode) : HttpMessageHandler
{
    public HttpRequestMessage? Request { get; private set; }

    /// <summary>The captured request's query parameters, unescaped, names as given or lower-cased.</summary>
    public List<KeyValuePair<string, string>> Query(bool lowerCaseNames = false)
        => Request!.RequestUri!.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => new KeyValuePair<string, string>(
                lowerCaseNames ? Uri.UnescapeDataString(p[0]).ToLowerInvariant() : Uri.UnescapeDataString(p[0]),
                Uri.UnescapeDataString(p.Length > 1 ? p[1] : "")))
            .ToList();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Request ??= request;
        var response = new HttpResponseMessage(System.Net.HttpStatusCode.Forbidden)
        {
            Content = new StringContent($"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{errorCode}</Code><Message>captured</Message></Error>", Encoding.UTF8, "application/xml"),
        };
        response.Headers.TryAddWithoutValidation("x-ms-error-code", errorCode);
        return Task.FromResult(response);
    }
}
