namespace Lance.Orm;

/// <summary>Options for adding rows to a table.</summary>
public sealed record AddOptions
{
    /// <summary>Raise on bad vectors, report no progress.</summary>
    public static AddOptions Default { get; } = new();

    /// <summary>What to do with a vector of the wrong length or holding NaN (LanceDB's <c>on_bad_vectors</c>).</summary>
    public BadVectorHandling OnBadVectors { get; init; } = BadVectorHandling.Error;

    /// <summary>The value that fills a bad vector when <see cref="OnBadVectors"/> is <see cref="BadVectorHandling.Fill"/>.</summary>
    public float FillValue { get; init; }

    /// <summary>Told after each batch of rows is embedded.</summary>
    public IProgress<EmbeddingProgress>? Progress { get; init; }
}

/// <summary>How far an add (or a re-embedding) has got with one vector column.</summary>
/// <param name="VectorColumn">The vector column being filled.</param>
/// <param name="RowsEmbedded">Rows embedded so far.</param>
/// <param name="RowsToEmbed">Rows that need embedding in all (those whose vector was missing).</param>
public readonly record struct EmbeddingProgress(string VectorColumn, long RowsEmbedded, long RowsToEmbed);
