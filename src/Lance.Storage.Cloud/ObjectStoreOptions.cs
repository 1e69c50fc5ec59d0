using Lance.Storage.Cloud.Resilience;

namespace Lance.Storage.Cloud;

/// <summary>Settings an S3 or Azure store shares, besides its client and place.</summary>
public sealed record ObjectStoreOptions
{
    /// <summary>Retries of transient failures; see <see cref="ObjectStoreRetryOptions"/>.</summary>
    public ObjectStoreRetryOptions Retry { get; init; } = ObjectStoreRetryOptions.Default;

    /// <summary>How conditional creates are made sure of (S3 only; Azure always honours them).</summary>
    public ConditionalPutMode ConditionalPut { get; init; } = ConditionalPutMode.Probe;

    /// <summary>Whether disposing the store disposes its SDK client too (true when the factory made the client).</summary>
    public bool OwnsClient { get; init; }
}
