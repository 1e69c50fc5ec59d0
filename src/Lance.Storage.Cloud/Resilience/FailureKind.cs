namespace Lance.Storage.Cloud.Resilience;

/// <summary>How a store's SDK exception should be treated by the retry pipeline.</summary>
internal enum FailureKind
{
    /// <summary>Not the SDK's own: decide by whether the connection failed.</summary>
    Unknown,

    /// <summary>Worth sending again (5xx, throttling, request timeout).</summary>
    Transient,

    /// <summary>Sending again would fail the same way (4xx).</summary>
    Permanent,
}
