namespace Lance.Storage.Cloud;

/// <summary>How a store makes sure its conditional creates (the commit's one atomic step) are honoured.</summary>
public enum ConditionalPutMode
{
    /// <summary>
    /// The first commit through the store first checks that the service refuses to replace an object
    /// sent with <c>If-None-Match: *</c> (two small requests and a delete, once per store); a service that
    /// ignores the header gets <see cref="ConditionalWriteNotSupportedException"/> instead of a commit.
    /// </summary>
    Probe,

    /// <summary>Trust the service to honour <c>If-None-Match: *</c> (storage option <c>aws_conditional_put=etag</c>).</summary>
    Trust,

    /// <summary>Never commit: every conditional create throws <see cref="ConditionalWriteNotSupportedException"/> (<c>aws_conditional_put=disabled</c>).</summary>
    Disabled,
}
