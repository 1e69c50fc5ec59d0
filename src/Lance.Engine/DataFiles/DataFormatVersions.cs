using Lance.Engine.Format;

namespace Lance.Engine.DataFiles;

/// <summary>
/// Which datasets this engine may add data files to. It writes file formats 2.0 (with
/// <see cref="V20.DataFileWriter20"/>), 2.1 (what LanceDB 0.31 writes by default,
/// <c>data_format.version = "2.1"</c>), 2.2 (see <see cref="LanceFileVersion"/>) and the legacy
/// format (<c>data_format.version = "0.1"</c>, LanceDB's storage version <c>"legacy"</c>, with
/// <see cref="Legacy.LegacyFileWriter"/>, whose files say 0.2). Lance requires every data file of a
/// dataset to share one version (LanceDB fails with "All data files must have the same version" on a
/// 2.2 dataset holding a 2.1 file), so new files always take the dataset's version, and a dataset of
/// any other <c>data_format.version</c> is refused before anything is written. Reading every one of
/// them works (legacy files through <see cref="Legacy.LegacyFileReader"/>), and so do deletions,
/// which add no data file.
/// </summary>
internal static class DataFormatVersions
{
    /// <summary>The <c>data_format.version</c> of datasets in the legacy format.</summary>
    public const string Legacy = "0.1";

    /// <summary>Throws when new data files may not be added to a dataset whose manifest is <paramref name="manifest"/>.</summary>
    /// <exception cref="LanceFormatException">The dataset stores a format this engine does not write.</exception>
    public static void EnsureWritable(Manifest manifest, string datasetPath) => _ = FileFormats.ForDataset(manifest, datasetPath);

    /// <summary>Throws when new data files may not be added to a dataset of <c>data_format.version</c> <paramref name="version"/>.</summary>
    /// <exception cref="LanceFormatException">The dataset stores a format this engine does not write.</exception>
    public static void EnsureWritable(string version, string datasetPath)
    {
        if (!IsWritable(version))
        {
            throw NotWritable(version, datasetPath);
        }
    }

    /// <summary>Whether this engine writes data files for a dataset of this <c>data_format.version</c> (it has an <see cref="IFileFormat"/> for it).</summary>
    public static bool IsWritable(string version) => FileFormats.ForDataset(version) is not null;

    /// <summary>The error for adding data files to a dataset of <c>data_format.version</c> <paramref name="version"/>, which this engine does not write.</summary>
    internal static LanceFormatException NotWritable(string version, string datasetPath) => new(
        $"'{datasetPath}' stores its data in Lance file format {version}; Lance.Engine writes formats 2.0, 2.1, 2.2 and the legacy {Legacy} only, "
        + "and Lance requires every data file of a dataset to have the same format. It can be read, not written "
        + "(LanceDB writes 2.1 by default; copy the table into a 2.1 dataset to write to it).");
}
