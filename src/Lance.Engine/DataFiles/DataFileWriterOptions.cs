using Lance.Engine.Format;

namespace Lance.Engine.DataFiles;

/// <summary>Tuning for the writers of <see cref="IFileFormat"/> (page sizes, used by 2.x); the defaults suit most tables.</summary>
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

    /// <summary>
    /// The dataset's dictionary values by field id, which its manifest keeps for the legacy format
    /// (whose files refer to them); null when it has none. Other versions keep dictionaries in their files.
    /// </summary>
    public IDictionary<int, IReadOnlyList<byte[]>>? Dictionaries { get; init; }

    /// <summary>The file's name, for messages.</summary>
    public string Name { get; init; } = "(new data file)";

    /// <summary>
    /// Global buffers written after buffer 0 (the schema), as buffers 1, 2, … in this order; Lance's
    /// index files keep protobuf messages there. Formats 2.x only.
    /// </summary>
    public IReadOnlyList<byte[]>? GlobalBuffers { get; init; }

    /// <summary>
    /// Compress pages as Lance compresses its own index files: integer columns bit-packed (<c>InlineBitpacking</c>), short
    /// byte strings that repeat through a page dictionary, list repetition levels bit-packed. Off by default: data files
    /// keep their plain encodings.
    /// </summary>
    public bool Compact { get; init; }

    /// <summary>
    /// Encode the pages of a column that are ready at once on several threads (they are written in the same order, so the
    /// file is the same). Off by default; an index build writing one large file turns it on.
    /// </summary>
    public bool ParallelPages { get; init; }

    /// <summary>These options for writing files of <paramref name="version"/>.</summary>
    public DataFileWriterOptions WithVersion(LanceFileVersion version) => version == Version ? this : new()
    {
        MaxPageBytes = MaxPageBytes,
        MaxPageRows = MaxPageRows,
        Version = version,
        Dictionaries = Dictionaries,
        Name = Name,
        GlobalBuffers = GlobalBuffers,
        Compact = Compact,
        ParallelPages = ParallelPages,
    };
}
