namespace Lance.Engine.Format;

/// <summary>A horizontal slice of a dataset: its data files, its deletions and its row count.</summary>
internal sealed class DataFragment
{
    /// <summary>The fragment id, unique within the dataset and never reused.</summary>
    public ulong Id { get; set; }

    /// <summary>The data files that hold the fragment's columns (usually one).</summary>
    public IList<DataFile> Files { get; set; } = new List<DataFile>();

    /// <summary>The fragment's deletion file, or null when no row is deleted.</summary>
    public DeletionFileInfo? DeletionFile { get; set; }

    /// <summary>The number of rows written, deleted ones included.</summary>
    public ulong PhysicalRows { get; set; }
}
