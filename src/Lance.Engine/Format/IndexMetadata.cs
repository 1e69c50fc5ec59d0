namespace Lance.Engine.Format;

/// <summary>
/// One index recorded in a manifest's index section (Lance's <c>IndexMetadata</c>): which
/// fields it covers, which fragments it holds, and where its files are (<c>_indices/&lt;uuid&gt;/</c>).
/// </summary>
internal sealed class IndexMetadata
{
    /// <summary>The index's id and folder name.</summary>
    public Guid Uuid { get; set; }

    /// <summary>The field ids of the indexed columns.</summary>
    public IList<int> Fields { get; set; } = new List<int>();

    /// <summary>The index name.</summary>
    public string Name { get; set; } = "";

    /// <summary>The dataset version the index was built on.</summary>
    public ulong DatasetVersion { get; set; }

    /// <summary>The fragments whose rows the index holds.</summary>
    public IList<ulong> Fragments { get; set; } = new List<ulong>();

    /// <summary>The type URL of the index details (which kind of index).</summary>
    public string DetailsTypeUrl { get; set; } = "";

    /// <summary>The serialised index details.</summary>
    public byte[] Details { get; set; } = [];

    /// <summary>The index format version, when recorded.</summary>
    public int? IndexVersion { get; set; }

    /// <summary>The folder name under <c>_indices/</c>.</summary>
    public string FolderName => Uuid.ToString("D");

    /// <summary>
    /// The entry as it was read, for indices this engine did not create (Lance's own, e.g. LanceDB's
    /// IVF_PQ): written back unchanged, unknown fields included, so LanceDB keeps using them.
    /// </summary>
    public Protos.Table.IndexMetadata? Original { get; set; }

    /// <summary>Whether this is an index another library (Lance) created, kept but not used here.</summary>
    public bool IsForeign => Original is not null && DetailsTypeUrl != LanceDataset.IvfPqTypeUrl;
}
