namespace Lance.Orm.Embeddings;

/// <summary>AWS credentials for SigV4 signing (a session token only for temporary credentials).</summary>
/// <param name="AccessKeyId">The access key id (<c>AWS_ACCESS_KEY_ID</c>).</param>
/// <param name="SecretAccessKey">The secret key (<c>AWS_SECRET_ACCESS_KEY</c>).</param>
/// <param name="SessionToken">The session token (<c>AWS_SESSION_TOKEN</c>), if any.</param>
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    /// <summary>Hides the secret from logs.</summary>
    public override string ToString() => $"AwsCredentials {{ AccessKeyId = {AccessKeyId} }}";
}
