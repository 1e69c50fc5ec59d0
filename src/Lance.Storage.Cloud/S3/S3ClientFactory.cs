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
    public static AmazonS3Client Create(StorageOptionReader options, string location)
    {
        var region = options.Get("aws_region", "region", "aws_default_region") ?? "us-east-1";
        var endpoint = options.Get("aws_endpoint", "aws_endpoint_url", "endpoint", "endpoint_url");
        var allowHttp = options.GetBool(false, "allow_http", "aws_allow_http");
        var config = new AmazonS3Config
        {
            MaxErrorRetry = 0, // Polly retries, with backoff and jitter
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (endpoint is not null)
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"The storage option aws_endpoint for {location} must be an http(s) URL, not '{endpoint}'.");
            }

            if (parsed.Scheme == Uri.UriSchemeHttp && !allowHttp)
            {
                throw new ArgumentException($"The endpoint '{endpoint}' for {location} is plain HTTP; set the storage option allow_http=true to use it.");
            }

            config.ServiceURL = endpoint;
            config.AuthenticationRegion = region;
            config.ForcePathStyle = !options.GetBool(false, "aws_virtual_hosted_style_request", "virtual_hosted_style_request");
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
            config.ForcePathStyle = !options.GetBool(true, "aws_virtual_hosted_style_request", "virtual_hosted_style_request");
        }

        if (options.GetDuration("timeout", "aws_timeout") is { } timeout)
        {
            config.Timeout = timeout;
        }

        var credentials = Credentials(options, location);
        return credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
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
