using System.Collections.Concurrent;
using Apache.Arrow;

namespace Lance.Engine.Dataset;

/// <summary>
/// What a dataset has decoded from its data and deletion files, shared by every <see cref="Snapshot"/>
/// of one <see cref="LanceDataset"/> instance: those files never change once written, so what was
/// decoded for one version stays right for the next. Owned by the dataset, emptied when it is disposed
/// (mapped columns are then unmapped once nothing else holds their arrays).
/// </summary>
/// <remarks>Every file is read through the dataset's object store (<see cref="DatasetFiles"/>); keys are store keys.</remarks>
internal sealed class FragmentCache(DatasetFiles files)
{
    /// <summary>The dataset's files, which the data, deletion and row-id files are read from.</summary>
    public DatasetFiles Files { get; } = files;

    /// <summary>The dataset's folder or URI, for messages.</summary>
    public string DataPath => Files.Location;

    /// <summary>Decoded columns, by data file and field id.</summary>
    public ConcurrentDictionary<(string File, int FieldId), IArrowArray> Columns { get; } = new();

    /// <summary>Vector columns mapped from their files, as arrays in row order (empty: the column is not mappable).</summary>
    public ConcurrentDictionary<(string File, int FieldId), IReadOnlyList<IArrowArray>> MappedColumns { get; } = new();

    /// <summary>Deleted row offsets, by deletion file key.</summary>
    public ConcurrentDictionary<string, HashSet<int>> Deletions { get; } = new();

    /// <summary>Per fragment and deletion file: whether each row is live.</summary>
    public ConcurrentDictionary<(ulong Fragment, string Deletion), bool[]> LiveRows { get; } = new();

    /// <summary>Stable row ids and row versions of fragments.</summary>
    public FragmentRowIds RowIds { get; } = new(files);

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
