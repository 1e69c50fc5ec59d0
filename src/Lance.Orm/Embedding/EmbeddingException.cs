namespace Lance.Orm;

/// <summary>An embedding function is unknown, misconfigured, or failed to compute embeddings.</summary>
public class EmbeddingException : LanceException
{
    /// <summary>Creates the exception with a message.</summary>
    public EmbeddingException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public EmbeddingException(string message, Exception? innerException) : base(message, innerException) { }
}
