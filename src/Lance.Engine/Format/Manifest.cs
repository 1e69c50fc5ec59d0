namespace Lance.Engine.Format;

/// <summary>
/// One version of a Lance dataset: its schema, fragments and bookkeeping, as stored in
/// <c>_versions/*.manifest</c>. Only what this engine writes or needs to read is modelled.
/// </summary>
internal sealed class Manifest
{
    /// <summary>Reader/writer feature flag: some fragment has a deletion file.</summary>
    public const ulong FeatureDeletionFiles = 1;

    /// <summary>Reader/writer feature flag: row ids are stable; every fragment records its row ids.</summary>
    public const ulong FeatureStableRowIds = 2;

    /// <summary>Writer feature flag: the table has a <c>config</c> map.</summary>
    public const ulong FeatureTableConfig = 8;

    /// <summary>Reader/writer feature flag: data files may live under other base paths (kept as read).</summary>
    public const ulong FeatureBasePaths = 16;

    /// <summary>The writer library name this engine records.</summary>
    public const string CSharpLibraryName = "lance-csharp";

    /// <summary>The dataset version, starting at 1.</summary>
    public ulong Version { get; set; }

    /// <summary>The table's schema (fields and schema metadata).</summary>
    public LanceSchema Schema { get; set; } = new([]);

    /// <summary>The fragments, in row order.</summary>
    public IList<DataFragment> Fragments { get; set; } = new List<DataFragment>();

    /// <summary>
    /// The largest fragment id ever used (new fragments take the next id), also after that fragment left the
    /// manifest (an index's fragment bitmap may still name it, so its id is never given again); null when no
    /// fragment id was ever used, as Lance leaves the field out.
    /// </summary>
    public uint? MaxFragmentId { get; set; }

    /// <summary>When the version was committed (defaults to the time the object was made).</summary>
    public DateTimeOffset Timestamp { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>The library that wrote this version.</summary>
    public string WriterLibrary { get; set; } = CSharpLibraryName;

    /// <summary>The version of the library that wrote this version.</summary>
    public string WriterVersion { get; set; } = "0.1.0";

    /// <summary>
    /// Features a reader must understand (see the <c>Feature*</c> constants). Encoding adds
    /// <see cref="FeatureDeletionFiles"/> by itself when a fragment has a deletion file.
    /// </summary>
    public ulong ReaderFeatureFlags { get; set; }

    /// <summary>Features a writer must understand (see the <c>Feature*</c> constants).</summary>
    public ulong WriterFeatureFlags { get; set; }

    /// <summary>The data file format name; always <c>lance</c>.</summary>
    public string DataFileFormat { get; set; } = "lance";

    /// <summary>The data file format version new files must use, e.g. <c>2.1</c>.</summary>
    public string DataFormatVersion { get; set; } = "2.1";

    /// <summary>The next row id to assign when row ids are stable; 0 otherwise.</summary>
    public ulong NextRowId { get; set; }

    /// <summary>
    /// Whether row ids are stable (Lance's <c>enable_stable_row_ids</c>): every fragment records the
    /// id of each row, which moves and updates keep, and new rows take ids from <see cref="NextRowId"/>.
    /// </summary>
    public bool UsesStableRowIds => ((ReaderFeatureFlags | WriterFeatureFlags) & FeatureStableRowIds) != 0;

    /// <summary>
    /// The transaction that made this version, when the manifest file holds it inline (Lance writes
    /// it there and in <see cref="TransactionFile"/>).
    /// </summary>
    public Protos.Table.Transaction? InlineTransaction { get; set; }

    /// <summary>Table configuration key/values (Lance's <c>config</c> map).</summary>
    public IDictionary<string, string> Config { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The transaction file under <c>_transactions/</c> that made this version, or empty.</summary>
    public string TransactionFile { get; set; } = "";

    /// <summary>Where the index section started in the manifest file that was read, when it had one.</summary>
    public ulong? IndexSectionPosition { get; set; }

    /// <summary>The indexes of this version (the manifest file's index section).</summary>
    public IList<IndexMetadata> Indices { get; set; } = new List<IndexMetadata>();

    /// <summary>
    /// The values of each string dictionary field (by field id) of a legacy (0.1) dataset, which a
    /// legacy manifest file holds itself (see <see cref="Legacy.LegacyManifestDictionaries"/>).
    /// </summary>
    public IDictionary<int, IReadOnlyList<byte[]>> LegacyDictionaries { get; set; } = new Dictionary<int, IReadOnlyList<byte[]>>();

    /// <summary>The total number of rows written to all fragments, deleted rows included.</summary>
    public ulong PhysicalRows => Fragments.Aggregate(0UL, (sum, f) => sum + f.PhysicalRows);

    /// <summary>
    /// A copy of this manifest (every property, including ones added later) as the start of the
    /// next version: the version number is one higher; collections are copied so the copy can be
    /// changed without touching this one.
    /// </summary>
    public Manifest CopyForNextVersion()
    {
        var copy = (Manifest)MemberwiseClone();
        copy.Version = Version + 1;
        copy.Fragments = Fragments.ToList();
        copy.Config = new Dictionary<string, string>(Config, StringComparer.Ordinal);
        copy.TransactionFile = "";
        copy.InlineTransaction = null;
        copy.IndexSectionPosition = null;
        copy.WriterLibrary = CSharpLibraryName;
        copy.WriterVersion = new Manifest().WriterVersion;
        copy.Timestamp = DateTimeOffset.UtcNow;
        return copy;
    }
}
