using System.Globalization;
using Lance.Engine.Format;

namespace Lance.Engine.DataFiles;

/// <summary>
/// A Lance data file format version this engine writes, as a dataset names it in its manifest
/// (<c>data_format.version</c>, e.g. <c>"2.2"</c>) and as each data file records it (footer and
/// the manifest's <c>DataFile.file_major_version</c>/<c>file_minor_version</c>).
/// </summary>
/// <remarks>
/// What 2.2 changes for the layouts written here: mini-block pages use Lance's "large chunk"
/// form (<c>has_large_chunk = true</c>): the chunk table in page buffer 0 holds one u32 per chunk
/// instead of one u16 (same bit layout: size in 8-byte words less one, shifted by 4, and log2 of
/// the value count), and each chunk header stores its value buffer sizes as u32 instead of u16
/// (the level count and the rep/def sizes stay u16). LanceDB 0.31 writes every mini-block page of
/// a 2.2 file that way (it also picks other compressions there, e.g. RLE definition levels and
/// LZ4-compressed dictionaries, which readers accept but writers need not use). LanceDB 0.31 still
/// reads 2.1-style chunks in a 2.2 file, but later Lance readers refuse a 2.2 mini-block page without
/// <c>has_large_chunk</c>, so it is always set. Full-zip, all-null and dictionary pages are otherwise
/// the same as in 2.1. A dataset must not mix versions: LanceDB scans such a dataset but refuses to
/// append to, delete from or compact it ("All data files must have the same version").
/// </remarks>
/// <param name="Major">The major version (2).</param>
/// <param name="Minor">The minor version (0, 1 or 2).</param>
internal readonly record struct LanceFileVersion(ushort Major, ushort Minor)
{
    /// <summary>
    /// File format 2.0 (LanceDB: <c>new_table_data_storage_version: "2.0"</c>). Its files have their own
    /// encodings (<see cref="V20.DataFileWriter20"/>) and say 0.3 in their footer, but the manifest records
    /// them as 2.0.
    /// </summary>
    public static LanceFileVersion V2_0 { get; } = new(2, 0);

    /// <summary>
    /// The legacy file format (LanceDB: <c>new_table_data_storage_version: "legacy"</c>), written by
    /// <see cref="Legacy.LegacyFileWriter"/>. A legacy dataset's manifest says <c>data_format.version = "0.1"</c>,
    /// while its files say 0.2, in their footer and in the manifest's <c>DataFile</c>, as LanceDB 0.31 writes them.
    /// </summary>
    public static LanceFileVersion Legacy { get; } = new(0, DataFiles.Legacy.LegacyFileWriter.MinorVersion);

    /// <summary>File format 2.1, LanceDB 0.31's default and this engine's.</summary>
    public static LanceFileVersion V2_1 { get; } = new(2, 1);

    /// <summary>File format 2.2 (LanceDB: <c>new_table_data_storage_version: "2.2"</c>).</summary>
    public static LanceFileVersion V2_2 { get; } = new(2, 2);

    /// <summary>Whether this is the legacy format (<see cref="Legacy"/>).</summary>
    public bool IsLegacy => Major == 0;

    /// <summary>The manifest's <c>data_format.version</c> of a dataset whose files have this version (<c>"0.1"</c> for legacy files).</summary>
    public string DatasetVersion => IsLegacy ? DataFormatVersions.Legacy : ToString();

    /// <summary>Whether mini-block pages use 32-bit chunk words and value sizes (<c>has_large_chunk</c>).</summary>
    public bool HasLargeChunks => Major > 2 || (Major == 2 && Minor >= 2);

    /// <summary>
    /// The version a dataset whose manifest says <paramref name="dataFormatVersion"/> gives its new
    /// data files; null when this engine does not write that version.
    /// </summary>
    public static LanceFileVersion? ForDataset(string dataFormatVersion) => dataFormatVersion switch
    {
        DataFormatVersions.Legacy => Legacy,
        "2.0" => V2_0,
        "2.1" => V2_1,
        "2.2" => V2_2,
        _ => null,
    };

    /// <summary>The file's version as the manifest's <c>DataFile</c> records it, e.g. <c>2.2</c> (<c>0.2</c> for legacy files).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}");
}
