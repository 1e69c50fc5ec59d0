namespace Lance.Engine.Format;

/// <summary>
/// The manifest's record of a fragment's deletion file. The file lives at
/// <c>_deletions/{fragmentId}-{ReadVersion}-{Id}.{arrow|bin}</c>.
/// </summary>
internal sealed class DeletionFileInfo
{
    /// <summary>Whether the file is an Arrow array or a Roaring bitmap.</summary>
    public DeletionFileType FileType { get; set; }

    /// <summary>The dataset version the deleting transaction read (part of the file name).</summary>
    public ulong ReadVersion { get; set; }

    /// <summary>A random id that makes the file name unique (part of the file name).</summary>
    public ulong Id { get; set; }

    /// <summary>How many rows the file deletes (lets readers count rows without opening it).</summary>
    public ulong NumDeletedRows { get; set; }

    /// <summary>The file's name relative to the dataset's <c>_deletions/</c> folder.</summary>
    public string FileName(ulong fragmentId) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{fragmentId}-{ReadVersion}-{Id}.{(FileType == DeletionFileType.Bitmap ? "bin" : "arrow")}");
}
