namespace Lance.Storage.Cloud;

/// <summary>
/// The object store cannot create an object only if it is absent (<c>If-None-Match: *</c>), so a
/// commit through it could silently replace another writer's version. Nothing was committed.
/// </summary>
/// <remarks>
/// Thrown where a commit needs the conditional create: by an S3-compatible service that ignores the
/// header (found by a probe the first time a store commits), or where the storage option
/// <c>aws_conditional_put</c> is <c>disabled</c>. Derives from <see cref="NotSupportedException"/>,
/// as <see cref="Lance.Engine.Storage.IObjectStore.PutIfAbsentAsync"/> documents.
/// </remarks>
public class ConditionalWriteNotSupportedException : NotSupportedException
{
    /// <summary>An exception with a default message.</summary>
    public ConditionalWriteNotSupportedException()
        : base("The object store does not honour conditional creates (If-None-Match: *); nothing was committed.")
    {
        Location = "";
    }

    /// <summary>An exception with a message.</summary>
    public ConditionalWriteNotSupportedException(string message)
        : base(message)
    {
        Location = "";
    }

    /// <summary>An exception with a message and the failure behind it.</summary>
    public ConditionalWriteNotSupportedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Location = "";
    }

    /// <summary>The store at <paramref name="location"/> cannot create conditionally, for <paramref name="reason"/>.</summary>
    public ConditionalWriteNotSupportedException(string location, string reason)
        : base($"The object store at {location} does not honour conditional creates (If-None-Match: *): {reason}. " +
               "Committing there could silently replace another writer's version, so nothing was committed. " +
               "Use a store that supports conditional writes (Amazon S3, Azure Blob Storage, MinIO, Azurite), " +
               "or set the storage option aws_conditional_put=etag only if you know it does.")
    {
        Location = location;
    }

    /// <summary>The store's location, without credentials.</summary>
    public string Location { get; }
}
