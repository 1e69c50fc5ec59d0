using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Lance.Storage.Cloud.Options;

namespace Lance.Storage.Cloud.S3;

/// <summary>
/// Makes an S3 client from LanceDB's storage options (<c>aws_access_key_id</c>, <c>aws_secret_access_key</c>,
/// <c>aws_session_token</c>, <c>aws_region</c>, <c>aws_endpoint</c>, <c>allow_http</c>, <c>aws_virtual_hosted_style_request</c>,
/// <c>aws_skip_signature</c>, <c>timeout</c>; also their object_store aliases and <c>AWS_*</c> environment
/// variables). Without keys the SDK's default credential chain is used (environment, profile, web
/// identity, container and instance roles).
/// </summary>
internal static class S3ClientFactory
{
    public static AmazonS3Client Create(StorageOptionReader options, string location) => Create(Settings.Read(options, location));

    /// <summary>The SDK client for <paramref name="settings"/>: the store's writes, and its reads where the lean client does not apply.</summary>
    public static AmazonS3Client Create(Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var config = new AmazonS3Config
        {
            MaxErrorRetry = 0, // Polly retries, with backoff and jitter
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (settings.Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint.OriginalString;
            config.AuthenticationRegion = settings.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(settings.Region);
        }

        config.ForcePathStyle = settings.PathStyle;
        if (settings.Timeout is { } timeout)
        {
            config.Timeout = timeout;
        }

        return settings.Credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(settings.Credentials, config);
    }

    /// <summary>
    /// The lean client for the store's reads (see <see cref="S3RestClient"/>), or null where the SDK
    /// should send them: the option <c>aws_sdk_reads=true</c>, a region outside the standard, China and
    /// GovCloud partitions, or FIPS or dual-stack endpoints asked for in the environment (the SDK's
    /// endpoint rules know those hosts; the lean client addresses only <c>s3.REGION.amazonaws.com</c>
    /// and endpoints given explicitly).
    /// </summary>
    public static S3RestClient? CreateRest(Settings settings, string bucket, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.SdkReads)
        {
            return null;
        }

        var pathStyle = settings.PathStyle;
        Uri serviceUrl;
        if (settings.Endpoint is { } endpoint)
        {
            serviceUrl = endpoint;
        }
        else
        {
            if (settings.Region.StartsWith("us-iso", StringComparison.OrdinalIgnoreCase) || settings.Region.Contains("global", StringComparison.OrdinalIgnoreCase)
                || IsSet(environment("AWS_USE_FIPS_ENDPOINT")) || IsSet(environment("AWS_USE_DUALSTACK_ENDPOINT")) || bucket.EndsWith("--x-s3", StringComparison.Ordinal))
            {
                return null;
            }

            var domain = settings.Region.StartsWith("cn-", StringComparison.OrdinalIgnoreCase) ? "amazonaws.com.cn" : "amazonaws.com";
            serviceUrl = new Uri($"https://s3.{settings.Region}.{domain}");

            // A dotted bucket name does not match the wildcard certificate of a virtual host.
            pathStyle |= bucket.Contains('.', StringComparison.Ordinal);
        }

        return new S3RestClient(serviceUrl, pathStyle, bucket, settings.Region, settings.Credentials, settings.Timeout);
    }

    private static bool IsSet(string? flag) => flag is not null && (flag.Equals("true", StringComparison.OrdinalIgnoreCase) || flag == "1");

    /// <summary>What the storage options say about the client: where, how addressed, as whom.</summary>
    /// <param name="region">The signing region.</param>
    /// <param name="endpoint">An explicit endpoint (an S3-compatible service), or null for AWS's own.</param>
    /// <param name="pathStyle">Whether the bucket goes in the path rather than the host name.</param>
    /// <param name="timeout">The limit on each request, if set.</param>
    /// <param name="credentials">The credentials given, anonymous ones, or null for the SDK's default chain.</param>
    /// <param name="sdkReads">Whether reads go through the SDK too (<c>aws_sdk_reads=true</c>).</param>
    internal sealed class Settings(string region, Uri? endpoint, bool pathStyle, TimeSpan? timeout, AWSCredentials? credentials, bool sdkReads)
    {
        // A class, not a record: no generated ToString that would format the credentials.
        public string Region { get; } = region;

        public Uri? Endpoint { get; } = endpoint;

        public bool PathStyle { get; } = pathStyle;

        public TimeSpan? Timeout { get; } = timeout;

        public AWSCredentials? Credentials { get; } = credentials;

        public bool SdkReads { get; } = sdkReads;

        /// <summary>Reads the settings from LanceDB's storage options.</summary>
        public static Settings Read(StorageOptionReader options, string location)
        {
            var region = options.Get("aws_region", "region", "aws_default_region") ?? "us-east-1";
            var endpoint = options.Get("aws_endpoint", "aws_endpoint_url", "endpoint", "endpoint_url");
            var allowHttp = options.GetBool(false, "allow_http", "aws_allow_http");
            Uri? parsed = null;
            if (endpoint is not null)
            {
                if (!Uri.TryCreate(endpoint, UriKind.Absolute, out parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps))
                {
                    throw new ArgumentException($"The storage option aws_endpoint for {location} must be an http(s) URL, not '{endpoint}'.");
                }

                if (parsed.Scheme == Uri.UriSchemeHttp && !allowHttp)
                {
                    throw new ArgumentException($"The endpoint '{endpoint}' for {location} is plain HTTP; set the storage option allow_http=true to use it.");
                }
            }

            // Path-style by default on an explicit endpoint (S3-compatible services), virtual-hosted on AWS.
            var pathStyle = !options.GetBool(parsed is null, "aws_virtual_hosted_style_request", "virtual_hosted_style_request");
            return new Settings(region, parsed, pathStyle, options.GetDuration("timeout", "aws_timeout"), Credentials(options, location), options.GetBool(false, "aws_sdk_reads"));
        }
    }

    private static AWSCredentials? Credentials(StorageOptionReader options, string location)
    {
        if (options.GetBool(false, "aws_skip_signature", "skip_signature"))
        {
            return new AnonymousAWSCredentials();
        }

        var keyId = options.Get("aws_access_key_id", "access_key_id");
        var secret = options.Get("aws_secret_access_key", "secret_access_key");
        var token = options.Get("aws_session_token", "aws_token", "session_token", "token");
        if (keyId is null && secret is null)
        {
            return null; // the SDK's default chain
        }

        if (keyId is null || secret is null)
        {
            throw new ArgumentException($"For {location} give both aws_access_key_id and aws_secret_access_key, or neither (to use the default credential chain).");
        }

        return token is null ? new BasicAWSCredentials(keyId, secret) : new SessionAWSCredentials(keyId, secret, token);
    }

    /// <summary>What <c>aws_conditional_put</c> asks for: probe (unset), trust (<c>etag</c>) or refuse (<c>disabled</c>).</summary>
    public static ConditionalPutMode ConditionalPut(StorageOptionReader options, string location)
        => options.Get("aws_conditional_put", "conditional_put")?.Trim().ToLowerInvariant() switch
        {
            null => ConditionalPutMode.Probe,
            "etag" or "true" => ConditionalPutMode.Trust,
            "disabled" or "none" or "false" => ConditionalPutMode.Disabled,
            var other => throw new ArgumentException($"The storage option aws_conditional_put for {location} must be 'etag' or 'disabled', not '{other}'."),
        };
}
