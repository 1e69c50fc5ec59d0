using Microsoft.Extensions.Logging;

namespace Lance.Engine.Dataset;

/// <summary>Options for <see cref="LanceDataset.OpenAsync(string, DatasetOpenOptions, CancellationToken)"/>.</summary>
public sealed record DatasetOpenOptions
{
    /// <summary>The default of <see cref="CacheBudgetBytes"/>: 1 GiB.</summary>
    public const long DefaultCacheBudgetBytes = 1L << 30;

    /// <summary>No logger, the default cache budget.</summary>
    public static DatasetOpenOptions Default { get; } = new();

    /// <summary>
    /// The most bytes of decoded columns the opened dataset keeps in memory between reads (1 GiB by
    /// default; <see cref="long.MaxValue"/> keeps everything, 0 keeps nothing a read is not using).
    /// Least recently used columns are evicted first; a column a search or scan is using is never
    /// evicted, so while it runs the cache may hold more. Vector columns memory-mapped from their
    /// files cost nothing against it: their pages are the operating system's file cache, not this
    /// process's memory. A table larger than the budget is then read again as searches need it.
    /// </summary>
    public long CacheBudgetBytes
    {
        get;
        init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(CacheBudgetBytes), value, "The cache budget cannot be negative.");
    }

    = DefaultCacheBudgetBytes;

    /// <summary>
    /// Told (at <see cref="LogLevel.Information"/>) about what the dataset holds that this engine keeps
    /// but does not use, such as indexes LanceDB built; null for silence.
    /// </summary>
    public ILogger? Logger { get; init; }

    /// <summary>
    /// Whether vector columns whose pages are flat are memory-mapped from their files (true, the
    /// default; never on Windows) or decoded into memory (benchmarks compare the two).
    /// </summary>
    internal bool MapColumns { get; init; } = true;

    /// <summary>Told about each commit the opened dataset makes (tests pause or kill writers there); null for none.</summary>
    internal ICommitObserver? CommitObserver { get; init; }

    /// <summary>
    /// The object store that holds the dataset, rooted at the dataset (its keys are <c>_versions/…</c>,
    /// <c>data/…</c>): every manifest, data, deletion, transaction and index file is read and written
    /// through it. Null (the default) for a <see cref="Storage.LocalObjectStore"/> over the folder the
    /// path names, memory-mapped where that is fastest. With a store the path only names the dataset in
    /// messages, and no local folder is needed. The dataset does not dispose a store it is given.
    /// </summary>
    public Storage.IObjectStore? Store { get; init; }
}

/// <summary>An index kept in the manifest but not used by this engine (LanceDB's own, vector or scalar).</summary>
/// <param name="Name">The index name.</param>
/// <param name="Columns">The indexed columns.</param>
/// <param name="Kind">The index details' type, e.g. <c>lance.index.pb.VectorIndexDetails</c> for the vector indexes LanceDB builds.</param>
/// <param name="Uuid">The index id (its folder under <c>_indices/</c>).</param>
public sealed record IgnoredIndexInfo(string Name, IReadOnlyList<string> Columns, string Kind, Guid Uuid);
