using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Lance.Storage.Cloud.S3;

/// <summary>
/// AWS Signature Version 4 for S3 requests sent without the SDK (see <see cref="S3RestClient"/>):
/// the canonical request, the string to sign and the <c>Authorization</c> header, per AWS's published
/// algorithm. The signing key of a day is kept, so a request costs two SHA-256 and one HMAC.
/// Nothing here logs or formats a secret; only the access key id appears, in the header AWS defines.
/// </summary>
internal sealed class SigV4Signer(string region, string service = "s3")
{
    /// <summary>The payload hash of a request with no body (SHA-256 of nothing).</summary>
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    // Replaced whole (a reference), so concurrent requests never see a torn entry.
    private SigningKey? _signingKey;

    public string Region { get; } = region;

    /// <summary>
    /// The value of the <c>Authorization</c> header for a request. <paramref name="canonicalPath"/> is
    /// the path exactly as sent (each segment already encoded); <paramref name="query"/> the query's
    /// parameters (not yet encoded); <paramref name="headers"/> the headers to sign, <c>host</c>,
    /// <c>x-amz-date</c> and <c>x-amz-content-sha256</c> among them (names in any case).
    /// </summary>
    public string Authorization(
        string method, string canonicalPath, IReadOnlyList<KeyValuePair<string, string>> query, IReadOnlyList<KeyValuePair<string, string>> headers,
        string payloadHash, DateTime signedAtUtc, string accessKey, string secretKey)
    {
        var date = signedAtUtc.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var scope = $"{date}/{Region}/{service}/aws4_request";
        var sorted = headers.Select(h => (Name: h.Key.ToLowerInvariant(), Value: h.Value.Trim())).OrderBy(h => h.Name, StringComparer.Ordinal).ToList();
        var signedHeaders = string.Join(';', sorted.Select(h => h.Name));
        var canonical = new StringBuilder(256)
            .Append(method).Append('\n')
            .Append(canonicalPath).Append('\n')
            .Append(CanonicalQuery(query)).Append('\n');
        foreach (var (name, value) in sorted)
        {
            canonical.Append(name).Append(':').Append(value).Append('\n');
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        var toSign = $"AWS4-HMAC-SHA256\n{Timestamp(signedAtUtc)}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        var signature = Hex(HMACSHA256.HashData(KeyFor(secretKey, date), Encoding.UTF8.GetBytes(toSign)));
        return $"AWS4-HMAC-SHA256 Credential={accessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
    }

    /// <summary>The <c>x-amz-date</c> form of a time: <c>yyyyMMddTHHmmssZ</c>.</summary>
    public static string Timestamp(DateTime utc) => utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The query string as sent and as signed: parameters sorted by name, each name and value encoded.</summary>
    public static string CanonicalQuery(IReadOnlyList<KeyValuePair<string, string>> query)
        => string.Join('&', query.Select(p => (Name: Encode(p.Key, keepSlash: false), Value: Encode(p.Value, keepSlash: false)))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal).Select(p => $"{p.Name}={p.Value}"));

    /// <summary>
    /// Percent-encodes every byte of the UTF-8 form except the unreserved characters (A–Z, a–z, 0–9,
    /// '-', '_', '.', '~'), and '/' when <paramref name="keepSlash"/> (an object key in a path).
    /// </summary>
    public static string Encode(string text, bool keepSlash)
    {
        var builder = new StringBuilder(text.Length + 8);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>Lower-case hex of <paramref name="bytes"/>.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private byte[] KeyFor(string secret, string date)
    {
        if (_signingKey is { } kept && kept.Date == date && string.Equals(kept.Secret, secret, StringComparison.Ordinal))
        {
            return kept.Key;
        }

        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(Region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        key = HMACSHA256.HashData(key, "aws4_request"u8);
        _signingKey = new SigningKey(secret, date, key);
        return key;
    }

    // A class, not a record: no generated ToString that could print the secret.
    private sealed class SigningKey(string secret, string date, byte[] key)
    {
        public string Secret { get; } = secret;

        public string Date { get; } = date;

        public byte[] Key { get; } = key;
    }
}
