namespace Lance.Engine.Format;

/// <summary>
/// Which datasets this engine may add data files to. It writes file format 2.1, which is what
/// LanceDB 0.31 writes by default (<c>data_format.version = "2.1"</c>), and 2.0 for datasets LanceDB
/// made with storage version 2.0 (<see cref="V20.DataFileWriter20"/>). Lance requires every data
/// file of a dataset to share one version (LanceDB fails with "All data files must have the same
/// version" on a 2.2 dataset holding a 2.1 file), so writing new data files to a dataset of format
/// 2.2 or the legacy 0.1 format is refused; reading them works.
/// </summary>
internal static class DataFormatVersions
{
    /// <summary>Throws when new data files may not be added to a dataset whose manifest is <paramref name="manifest"/>.</summary>
    /// <exception cref="LanceFormatException">The dataset stores a format this engine does not write.</exception>
    public static void EnsureWritable(Manifest manifest, string datasetPath)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        EnsureWritable(manifest.DataFormatVersion, datasetPath);
    }

    /// <summary>Throws when new data files may not be added to a dataset of <c>data_format.version</c> <paramref name="version"/>.</summary>
    /// <exception cref="LanceFormatException">The dataset stores a format this engine does not write.</exception>
    public static void EnsureWritable(string version, string datasetPath)
    {
        if (!IsWritable(version))
        {
            throw new LanceFormatException(
                $"'{datasetPath}' stores its data in Lance file format {version}; Lance.Engine writes formats 2.0 and 2.1 only, "
                + "and Lance requires every data file of a dataset to have the same format. It can be read, not written "
                + "(LanceDB writes 2.1 by default; copy the table into a 2.1 dataset to write to it).");
        }
    }

    /// <summary>Whether this engine writes data files for a dataset of this <c>data_format.version</c>.</summary>
    public static bool IsWritable(string version) => version is "2.1" or "2.0";

    /// <summary>
    /// The <c>file_major_version</c> and <c>file_minor_version</c> a manifest records for a data file of
    /// a dataset of this <c>data_format.version</c> (2.0 files say 2.0 there, though their footers say 0.3).
    /// </summary>
    public static (uint Major, uint Minor) FileVersion(string version) => version switch
    {
        "2.0" => (2, 0),
        _ => (2, 1),
    };
}
