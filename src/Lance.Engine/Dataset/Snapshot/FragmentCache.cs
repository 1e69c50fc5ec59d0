using System.Collections.Concurrent;
using Apache.Arrow;

namespace Lance.Engine.Dataset;

/// <summary>
/// What a dataset has decoded from its data and deletion files, shared by every <see cref="Snapshot"/>
/// of one <see cref="LanceDataset"/> instance: those files never change once written, so what was
/// decoded for one version stays right for the next. Owned by the dataset, emptied when it is disposed
/// (mapped columns are then unmapped once nothing else holds their arrays).
/// </summary>
/// <remarks>Data files are still read from the dataset folder, not through the object store.</remarks>
internal sealed class FragmentCache(string dataPath)
{
    /// <summary>The dataset folder the data, deletion and row-id files are read from.</summary>
    public string DataPath { get; } = dataPath;

    /// <summary>Decoded columns, by data file and field id.</summary>
    public ConcurrentDictionary<(string File, int FieldId), IArrowArray> Columns { get; } = new();

    /// <summary>Vector columns mapped from their files, as arrays in row order (empty: the column is not mappable).</summary>
    public ConcurrentDictionary<(string File, int FieldId), IReadOnlyList<IArrowArray>> MappedColumns { get; } = new();

    /// <summary>Deleted row offsets, by deletion file path.</summary>
    public ConcurrentDictionary<string, HashSet<int>> Deletions { get; } = new();

    /// <summary>Per fragment and deletion file: whether each row is live.</summary>
    public ConcurrentDictionary<(ulong Fragment, string Deletion), bool[]> LiveRows { get; } = new();

    /// <summary>Stable row ids and row versions of fragments.</summary>
    public FragmentRowIds RowIds { get; } = new(dataPath);

    /// <summary>Drops everything decoded (after a cleanup, or when the dataset is disposed).</summary>
    public void Clear()
    {
        Columns.Clear();
        MappedColumns.Clear();
        Deletions.Clear();
        LiveRows.Clear();
        RowIds.Clear();
    }
}
