namespace Lance.Orm;

/// <summary>
/// Options for adding rows to a table. A typed add streams: rows are taken in batches (at most
/// <see cref="BatchRows"/> rows, about <see cref="BatchBytes"/> bytes), each batch is converted to
/// Arrow, embedded and handed to the writer, which writes data files of about
/// <see cref="MaxBytesPerFile"/>, <see cref="MaxConcurrentFileWrites"/> at a time; the add commits one
/// version at the end. Memory is bounded by the batch sizes and the files written at once, not by the input's.
/// </summary>
public sealed record AddOptions
{
    /// <summary>Raise on bad vectors, report no progress, default batch and file sizes.</summary>
    public static AddOptions Default { get; } = new();

    /// <summary>The most rows converted and embedded together (default 8,192).</summary>
    public int BatchRows { get; init; } = 8192;

    /// <summary>
    /// About how many bytes of Arrow data a batch holds (default 16 MiB): after the first batch the
    /// row count is lowered to fit, so wide rows (images, long texts) make smaller batches.
    /// </summary>
    public long BatchBytes { get; init; } = 16L << 20;

    /// <summary>
    /// About how many bytes of Arrow data go into one data file (default 64 MiB). A file's pages are
    /// written as its rows arrive, so this does not bound what an add holds (the batch sizes and
    /// <see cref="MaxConcurrentFileWrites"/> do). The database's <see cref="DatabaseOptions.MaxRowsPerFile"/> still applies.
    /// </summary>
    public long MaxBytesPerFile { get; init; } = 64L << 20;

    /// <summary>How many data files are encoded and written at once while more rows come in (default 2).</summary>
    public int MaxConcurrentFileWrites { get; init; } = 2;

    /// <summary>What to do with a vector of the wrong length or holding NaN (LanceDB's <c>on_bad_vectors</c>).</summary>
    public BadVectorHandling OnBadVectors { get; init; } = BadVectorHandling.Error;

    /// <summary>The value that fills a bad vector when <see cref="OnBadVectors"/> is <see cref="BadVectorHandling.Fill"/>.</summary>
    public float FillValue { get; init; }

    /// <summary>Told after each batch of rows is embedded.</summary>
    public IProgress<EmbeddingProgress>? Progress { get; init; }

    /// <summary>Refuses sizes that cannot work, naming the option.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchRows, nameof(BatchRows));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchBytes, nameof(BatchBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxBytesPerFile, nameof(MaxBytesPerFile));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxConcurrentFileWrites, nameof(MaxConcurrentFileWrites));
    }
}

/// <summary>How far an add (or a re-embedding) has got with one vector column.</summary>
/// <param name="VectorColumn">The vector column being filled.</param>
/// <param name="RowsEmbedded">Rows embedded so far.</param>
/// <param name="RowsToEmbed">
/// Rows that need embedding (those whose vector was missing): in all for an add of batches, so far for
/// a typed add, which streams its rows and so cannot know the total before it has read them.
/// </param>
public readonly record struct EmbeddingProgress(string VectorColumn, long RowsEmbedded, long RowsToEmbed);
