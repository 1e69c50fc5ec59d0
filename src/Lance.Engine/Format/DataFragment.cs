using Lance.Engine.Format.RowIds;

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

    /// <summary>With stable row ids: the row id of each row (deleted ones included); null otherwise.</summary>
    public SerializedSequence? RowIds { get; set; }

    /// <summary>With stable row ids: the version that last changed each row (Lance may omit it).</summary>
    public SerializedSequence? LastUpdatedAtVersions { get; set; }

    /// <summary>With stable row ids: the version that created each row (Lance may omit it).</summary>
    public SerializedSequence? CreatedAtVersions { get; set; }

    /// <summary>
    /// A copy of this fragment, row ids and row versions included, whose file list can be changed
    /// without touching this one: every write that keeps a fragment's rows starts from it, so
    /// nothing recorded about them is lost.
    /// </summary>
    public DataFragment Copy()
    {
        var copy = (DataFragment)MemberwiseClone();
        copy.Files = Files.ToList();
        return copy;
    }
}
