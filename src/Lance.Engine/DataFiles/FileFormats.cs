using Lance.Engine.DataFiles.Legacy;
using Lance.Engine.DataFiles.V20;
using Lance.Engine.DataFiles.V21;
using Lance.Engine.Format;

namespace Lance.Engine.DataFiles;

/// <summary>
/// The one place a data file version is turned into the code that reads and writes it: one
/// <see cref="IFileFormat"/> per version, found from the version a data file's footer records
/// (<see cref="ForFile"/>) or from the dataset's <c>data_format.version</c> (<see cref="ForDataset(Manifest, string)"/>).
/// </summary>
internal static class FileFormats
{
    /// <summary>The legacy format (footer 0.1/0.2; a dataset's <c>data_format.version</c> "0.1").</summary>
    public static IFileFormat Legacy { get; } = new LegacyFileFormat();

    /// <summary>File format 2.0 (footer 0.3).</summary>
    public static IFileFormat V2_0 { get; } = new File20Format();

    /// <summary>File format 2.1, LanceDB's default.</summary>
    public static IFileFormat V2_1 { get; } = new File21Format(LanceFileVersion.V2_1);

    /// <summary>File format 2.2 (2.1's layouts with large mini-block chunks).</summary>
    public static IFileFormat V2_2 { get; } = new File21Format(LanceFileVersion.V2_2);

    /// <summary>The format that writes files of <paramref name="version"/>.</summary>
    /// <exception cref="ArgumentException">This engine has no format of that version.</exception>
    public static IFileFormat For(LanceFileVersion version) => version switch
    {
        { IsLegacy: true } => Legacy,
        { Major: 2, Minor: 0 } => V2_0,
        { Major: 2, Minor: 1 } => V2_1,
        { Major: 2, Minor: 2 } => V2_2,
        _ => throw new ArgumentException($"Lance.Engine has no writer for Lance file format {version}.", nameof(version)),
    };

    /// <summary>The format of a dataset whose manifest says <c>data_format.version = </c><paramref name="dataFormatVersion"/>; null when this engine does not write it.</summary>
    public static IFileFormat? ForDataset(string dataFormatVersion) =>
        LanceFileVersion.ForDataset(dataFormatVersion) is { } version ? For(version) : null;

    /// <summary>
    /// The format new data files of the dataset at version <paramref name="manifest"/> take: the
    /// dataset's own, since Lance requires every data file of a dataset to share one version.
    /// </summary>
    /// <exception cref="LanceFormatException">The dataset stores a format this engine does not write (see <see cref="DataFormatVersions"/>).</exception>
    public static IFileFormat ForDataset(Manifest manifest, string datasetPath)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return ForDataset(manifest.DataFormatVersion) ?? throw DataFormatVersions.NotWritable(manifest.DataFormatVersion, datasetPath);
    }

    /// <summary>
    /// The format that reads a data file whose footer records version
    /// <paramref name="major"/>.<paramref name="minor"/>: 0.1 and 0.2 are the legacy format, 0.3 is
    /// file format 2.0, and 2.1 or later the 2.1 layouts (2.2 with large chunks).
    /// </summary>
    /// <exception cref="LanceFormatException">The engine reads no file of that version; the message names <paramref name="name"/>.</exception>
    public static IFileFormat ForFile(int major, int minor, string name) => (major, minor) switch
    {
        (0, 1 or 2) => Legacy,
        (0, 3) => V2_0,
        (2, 1) => V2_1,
        (2, >= 2) => V2_2,
        _ => throw new LanceFormatException(
            $"'{name}' uses Lance file format {major}.{minor}; Lance.Engine reads the legacy format (0.1/0.2) and file formats 2.0, 2.1 and 2.2 (2.x layouts it knows)."),
    };
}
