namespace Lance.Engine.Format;

/// <summary>
/// Which datasets this engine may add data files to. It writes file format 2.1, which is what
/// LanceDB 0.31 writes by default (<c>data_format.version = "2.1"</c>). Lance requires every data
/// file of a dataset to share one version (LanceDB fails with "All data files must have the same
/// version" on a 2.2 dataset holding a 2.1 file), so writing new data files to a dataset of format
/// 2.0, 2.2 or the legacy 0.1 format (LanceDB's storage version <c>"legacy"</c>) is refused before
/// anything is written; reading every one of them works (legacy files through
/// <see cref="Legacy.LegacyFileReader"/>), and so do deletions, which add no data file.
/// </summary>
internal static class DataFormatVersions
{
    /// <summary>The <c>data_format.version</c> of datasets in the legacy format.</summary>
    public const string Legacy = "0.1";

    /// <summary>Throws when new data files may not be added to a dataset whose manifest is <paramref name="manifest"/>.</summary>
    /// <exception cref="LanceFormatException">The dataset stores a format this engine does not write.</exception>
    public static void EnsureWritable(Manifest manifest, string datasetPath)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (!IsWritable(manifest.DataFormatVersion))
        {
            string format = manifest.DataFormatVersion == Legacy
                ? $"the legacy Lance file format {Legacy} (LanceDB's storage version \"legacy\")"
                : $"Lance file format {manifest.DataFormatVersion}";
            throw new LanceFormatException(
                $"'{datasetPath}' stores its data in {format}; Lance.Engine writes format 2.1 only, "
                + "and Lance requires every data file of a dataset to have the same format. It can be read, not written "
                + "(LanceDB writes 2.1 by default; copy the table into a 2.1 dataset to write to it).");
        }
    }

    /// <summary>Whether a dataset of this <c>data_format.version</c> takes 2.1 data files.</summary>
    public static bool IsWritable(string version) => version == "2.1";
}
