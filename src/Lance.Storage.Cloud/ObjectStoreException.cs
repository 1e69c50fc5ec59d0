namespace Lance.Storage.Cloud;

/// <summary>
/// A request to an object store failed for good: not found is reported as
/// <see cref="FileNotFoundException"/> instead, and transient failures only end up here once the
/// retries are spent. The message names the operation, the store's location (a URI without
/// credentials), the key and the service's status and error code; it never holds a credential.
/// </summary>
public class ObjectStoreException : IOException
{
    /// <summary>An exception with a message and no details.</summary>
    public ObjectStoreException()
    {
        Operation = "";
        Location = "";
        Key = "";
    }

    /// <summary>An exception with a message and no details.</summary>
    public ObjectStoreException(string message)
        : base(message)
    {
        Operation = "";
        Location = "";
        Key = "";
    }

    /// <summary>An exception with a message, no details and the failure behind it.</summary>
    public ObjectStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
        Operation = "";
        Location = "";
        Key = "";
    }

    /// <summary>A failed <paramref name="operation"/> on <paramref name="key"/> in the store at <paramref name="location"/>.</summary>
    /// <param name="operation">What was asked, e.g. <c>GET</c>, <c>PUT</c>, <c>LIST</c>.</param>
    /// <param name="location">The store's location, without credentials.</param>
    /// <param name="key">The object's key relative to the store (or the listed prefix).</param>
    /// <param name="statusCode">The HTTP status the service answered, when it answered.</param>
    /// <param name="errorCode">The service's error code (<c>SlowDown</c>, <c>AuthorizationFailure</c>, …), when it sent one.</param>
    /// <param name="attempts">How many times the request was sent.</param>
    /// <param name="innerException">The SDK's exception.</param>
    public ObjectStoreException(string operation, string location, string key, int? statusCode, string? errorCode, int attempts, Exception? innerException)
        : base(Describe(operation, location, key, statusCode, errorCode, attempts, innerException), innerException)
    {
        Operation = operation;
        Location = location;
        Key = key;
        StatusCode = statusCode;
        ErrorCode = errorCode;
        Attempts = attempts;
    }

    /// <summary>What was asked, e.g. <c>GET</c>, <c>PUT</c>, <c>LIST</c>.</summary>
    public string Operation { get; }

    /// <summary>The store's location, without credentials.</summary>
    public string Location { get; }

    /// <summary>The object's key relative to the store (or the listed prefix).</summary>
    public string Key { get; }

    /// <summary>The HTTP status the service answered; null when no answer came (a reset, a timeout).</summary>
    public int? StatusCode { get; }

    /// <summary>The service's error code, when it sent one.</summary>
    public string? ErrorCode { get; }

    /// <summary>How many times the request was sent before giving up.</summary>
    public int Attempts { get; }

    private static string Describe(string operation, string location, string key, int? statusCode, string? errorCode, int attempts, Exception? inner)
    {
        var answer = statusCode is { } status
            ? $"the service answered {status}{(errorCode is null ? "" : " " + errorCode)}"
            : $"no answer came ({inner?.GetType().Name ?? "unknown failure"})";
        var tries = attempts > 1 ? $" after {attempts} attempts" : "";
        return $"{operation} '{key}' in {location} failed{tries}: {answer}.";
    }
}
