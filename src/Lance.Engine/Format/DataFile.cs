namespace Lance.Engine.Format;

/// <summary>
/// One data file of a fragment, as the manifest records it: which schema fields it holds and in
/// which of its columns.
/// </summary>
internal sealed class DataFile
{
    /// <summary>The file's path relative to the dataset's <c>data/</c> folder.</summary>
    public string Path { get; set; } = "";

    /// <summary>The ids of the fields stored in the file (top-level and children, pre-order).</summary>
    public IList<int> Fields { get; set; } = new List<int>();

    /// <summary>For each entry of <see cref="Fields"/>, its column index in the file (-1 for a field without a column).</summary>
    public IList<int> ColumnIndices { get; set; } = new List<int>();

    /// <summary>The file format's major version (2 for Lance v2 files).</summary>
    public uint FileMajorVersion { get; set; } = 2;

    /// <summary>The file format's minor version (1 for format 2.1).</summary>
    public uint FileMinorVersion { get; set; } = 1;

    /// <summary>The file's size in bytes (saves readers a metadata request); 0 when unknown.</summary>
    public ulong FileSizeBytes { get; set; }
}
