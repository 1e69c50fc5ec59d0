namespace Lance.Engine;

/// <summary>What creating a dataset does when one already exists at the path.</summary>
public enum WriteMode
{
    /// <summary>Fail with <see cref="LanceException"/> if a dataset exists.</summary>
    Create = 0,

    /// <summary>Commit a new version that replaces the schema and all rows (older versions stay readable).</summary>
    Overwrite = 1,
}

/// <summary>Options for writing data files.</summary>
public sealed record DatasetWriteOptions
{
    /// <summary>The default options.</summary>
    public static DatasetWriteOptions Default { get; } = new();

    /// <summary>Rows per data file (and so per fragment); LanceDB's default is 1,048,576.</summary>
    public int MaxRowsPerFile { get; init; } = 1024 * 1024;

    /// <summary>
    /// Bytes of Arrow data per data file (estimated from the batches' buffers): a file is cut when
    /// its rows reach this size. A file's pages are written as its rows arrive, so this does not
    /// bound a write's memory (see <see cref="MaxConcurrentFiles"/>). Default 512 MiB.
    /// </summary>
    public long MaxBytesPerFile { get; init; } = 512L << 20;

    /// <summary>
    /// How many data files are encoded and written at once while the input keeps coming (a file still
    /// encoding its queued batches while the next one fills). Each holds only its unfinished pages
    /// (about a page per column) and a couple of queued batches, so a write's memory does not grow
    /// with the size of its files. Zero (the default) for one per processor core.
    /// </summary>
    public int MaxConcurrentFiles { get; init; }

    /// <summary>
    /// The Lance file format version of a dataset being created or overwritten: <c>"2.0"</c>,
    /// <c>"2.1"</c> or <c>"2.2"</c>, as LanceDB's <c>new_table_data_storage_version</c> storage option. Null (the
    /// default) creates 2.1 datasets (LanceDB's default) and keeps an overwritten dataset's version.
    /// Appends and every other write ignore it: a dataset's new data files always have its version.
    /// </summary>
    public string? DataStorageVersion { get; init; }

    /// <summary>
    /// Give a dataset being created stable row ids, as LanceDB's <c>enable_stable_row_ids</c>
    /// (storage option <c>new_table_enable_stable_row_ids</c>): a row keeps its <c>_rowid</c> when
    /// it is updated or moved by compaction. Chosen once, when the dataset is made; a dataset that
    /// exists keeps what it has (asking for it on one without fails, as in LanceDB).
    /// </summary>
    public bool EnableStableRowIds { get; init; }

    /// <summary>Told about each commit the created dataset makes (tests pause or kill writers there); null for none.</summary>
    internal Dataset.ICommitObserver? CommitObserver { get; init; }

    /// <summary>
    /// The object store the created dataset is written to, rooted at the dataset (its keys are
    /// <c>_versions/…</c>, <c>data/…</c>): every manifest, data, deletion, transaction and index file
    /// goes through it. Null (the default) for a <see cref="Storage.LocalObjectStore"/> over the folder
    /// the path names. With a store the path only names the dataset in messages. The dataset does not
    /// dispose a store it is given.
    /// </summary>
    public Storage.IObjectStore? Store { get; init; }
}
