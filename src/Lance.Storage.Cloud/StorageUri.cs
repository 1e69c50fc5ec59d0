namespace Lance.Storage.Cloud;

/// <summary>
/// An object-store URI as LanceDB spells it, taken apart: <c>s3://bucket/path</c> (also <c>s3a://</c>),
/// <c>az://container/path</c> (also <c>azure://</c>), <c>abfs://container@account.dfs.core.windows.net/path</c>
/// (also <c>abfss://</c>).
/// </summary>
/// <param name="Scheme">The scheme in lower case, e.g. <c>s3</c>, <c>az</c>, <c>abfss</c>.</param>
/// <param name="Container">The bucket or container.</param>
/// <param name="Account">The Azure storage account named in an <c>abfs</c> URI; null otherwise.</param>
/// <param name="Prefix">The path inside the bucket, without leading or trailing '/'; empty for the bucket's root.</param>
public sealed record StorageUri(string Scheme, string Container, string? Account, string Prefix)
{
    /// <summary>True for <c>s3://</c> and <c>s3a://</c>.</summary>
    public bool IsS3 => Scheme is "s3" or "s3a";

    /// <summary>True for <c>az://</c>, <c>azure://</c>, <c>abfs://</c> and <c>abfss://</c>.</summary>
    public bool IsAzure => Scheme is "az" or "azure" or "abfs" or "abfss";

    /// <summary>The URI again, without credentials (none can be in it).</summary>
    public override string ToString()
    {
        var container = Account is null ? Container : $"{Container}@{Account}.dfs.core.windows.net";
        return Prefix.Length == 0 ? $"{Scheme}://{container}" : $"{Scheme}://{container}/{Prefix}";
    }

    /// <summary>This URI with <paramref name="child"/> ('/'-separated) added to its path.</summary>
    public StorageUri Combine(string child)
    {
        ArgumentNullException.ThrowIfNull(child);
        var tail = child.Trim('/');
        return tail.Length == 0 ? this : this with { Prefix = Prefix.Length == 0 ? tail : $"{Prefix}/{tail}" };
    }

    /// <summary>Takes <paramref name="uri"/> apart.</summary>
    /// <exception cref="ArgumentException">It is not an S3 or Azure URI, or names no bucket or container.</exception>
    public static StorageUri Parse(string uri)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);
        var separator = uri.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
        {
            throw new ArgumentException($"'{uri}' is not an object-store URI such as s3://bucket/path or az://container/path.", nameof(uri));
        }

        var scheme = uri[..separator].ToLowerInvariant();
        var rest = uri[(separator + 3)..];
        if (rest.Contains('?', StringComparison.Ordinal) || rest.Contains('#', StringComparison.Ordinal))
        {
            // A SAS token or key in the URI would end up in messages and logs: it belongs in storage options.
            throw new ArgumentException($"The {scheme}:// URI must not carry a query or fragment; pass credentials such as a SAS token in the storage options.", nameof(uri));
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        if (prefix.Split('/').Any(part => part is "." or ".."))
        {
            throw new ArgumentException($"The path of '{scheme}://{authority}/{prefix}' must not contain '.' or '..' segments.", nameof(uri));
        }

        string? account = null;
        switch (scheme)
        {
            case "s3" or "s3a" or "az" or "azure":
                break;
            case "abfs" or "abfss":
                var at = authority.IndexOf('@', StringComparison.Ordinal);
                if (at >= 0)
                {
                    var host = authority[(at + 1)..];
                    account = host.Split('.')[0];
                    authority = authority[..at];
                }

                break;
            case "gs" or "gcs":
                throw new NotSupportedException($"Google Cloud Storage ('{scheme}://') is not supported yet; S3 (s3://) and Azure Blob Storage (az://, abfs://) are.");
            default:
                throw new NotSupportedException($"The URI scheme '{scheme}://' is not supported; use a local folder, s3://bucket/path or az://container/path.");
        }

        if (authority.Length == 0)
        {
            throw new ArgumentException($"'{scheme}://' needs a {(scheme.StartsWith('s') ? "bucket" : "container")} name, as in {scheme}://name/path.", nameof(uri));
        }

        return new StorageUri(scheme, authority, string.IsNullOrEmpty(account) ? null : account, prefix);
    }
}
