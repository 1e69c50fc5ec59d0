using Lance.Engine.Format;

namespace Lance.Engine.DataFiles;

/// <summary>Tuning for <see cref="V21.DataFileWriter"/>; the defaults suit most tables.</summary>
internal sealed class DataFileWriterOptions
{
    /// <summary>The defaults: pages of at most 8 MiB and 128Ki rows.</summary>
    public static DataFileWriterOptions Default { get; } = new();

    /// <summary>
    /// The most value bytes in one page. Pages are the unit a reader fetches and decodes, so
    /// bounded pages keep memory flat for big tables (a single larger value still gets a page).
    /// </summary>
    public int MaxPageBytes { get; init; } = 8 << 20;

    /// <summary>The most rows in one page, so that narrow columns are split too.</summary>
    public int MaxPageRows { get; init; } = 128 * 1024;

    /// <summary>The file format version written: 2.1 (the default) or 2.2; a dataset's files all share its version.</summary>
    public LanceFileVersion Version { get; init; } = LanceFileVersion.V2_1;
}
