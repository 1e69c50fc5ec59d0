using System.Collections.Concurrent;

namespace Lance.Engine.Dataset;

/// <summary>
/// What a dataset has decoded from its data and deletion files, shared by every <see cref="Snapshot"/>
/// of one <see cref="LanceDataset"/> instance: those files never change once written, so what was
/// decoded for one version stays right for the next. Owned by the dataset, emptied when it is disposed
/// (mapped columns are then unmapped once nothing else holds their arrays).
/// </summary>
/// <remarks>
/// Every file is read through the dataset's object store (<see cref="DatasetFiles"/>); keys are store
/// keys. Columns are
/// kept within <see cref="DatasetOpenOptions.CacheBudgetBytes"/> (see <see cref="ColumnCache"/>).
/// The deletion masks are not budgeted, being small beside the columns: one entry per fragment that
/// has a deletion file (a newer deletion file of a fragment replaces its older one), holding a bit
/// of state per deleted row (<see cref="Deletions"/>) and a byte per row of that fragment
/// (<see cref="LiveRows"/>) — at most a byte and a few words per row of the table. Row ids
/// (<see cref="RowIds"/>) are held only while a manifest that names them is.
/// </remarks>
internal sealed class FragmentCache(DatasetFiles files, DatasetOpenOptions options)
{
    /// <summary>The options the dataset was opened with (a checkout of another version gets the same).</summary>
    public DatasetOpenOptions Options { get; } = options;

    /// <summary>Whether vector columns are memory-mapped from their files (never on Windows).</summary>
    public bool MapColumns { get; } = options.MapColumns && !OperatingSystem.IsWindows();

    /// <summary>The dataset's files, which the data, deletion and row-id files are read from.</summary>
    public DatasetFiles Files { get; } = files;

    /// <summary>The dataset's folder or URI, for messages.</summary>
    public string DataPath => Files.Location;

    /// <summary>Columns read from data files: whole (decoded or mapped) and as mapped pieces.</summary>
    public ColumnCache Columns { get; } = new(options.CacheBudgetBytes);

    /// <summary>Per fragment id: its deletion file's name and deleted row offsets.</summary>
    public ConcurrentDictionary<ulong, (string Deletion, HashSet<int> Rows)> Deletions { get; } = new();

    /// <summary>Per fragment id: its deletion file's name and whether each row is live.</summary>
    public ConcurrentDictionary<ulong, (string Deletion, bool[] Live)> LiveRows { get; } = new();

    /// <summary>Stable row ids and row versions of fragments.</summary>
    public FragmentRowIds RowIds { get; } = new(files);

    /// <summary>Full-text indexes read from their files, by index id.</summary>
    public ConcurrentDictionary<Guid, Index.FullText.FullTextIndex> FullTextIndexes { get; } = new();

    /// <summary>Where each fixed-width column with flat pages lies in its data file (null: it does not), by column key.</summary>
    public ConcurrentDictionary<ColumnKey, DataFiles.FlatColumnLayout?> FlatLayouts { get; } = new();

    /// <summary>Drops everything decoded (after a cleanup, or when the dataset is disposed).</summary>
    public void Clear()
    {
        Columns.Clear();
        Deletions.Clear();
        LiveRows.Clear();
        RowIds.Clear();
        FullTextIndexes.Clear();
        FlatLayouts.Clear();
    }
}
