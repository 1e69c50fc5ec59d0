using System.Globalization;

namespace Lance.Engine.Dataset;

/// <summary>
/// Manifest file names. "V2" naming (LanceDB's default, and ours) stores version v as
/// <c>u64::MAX − v</c>, 20 digits, so the newest version sorts first; "V1" names are <c>v.manifest</c>.
/// </summary>
internal static class VersionNames
{
    public const string VersionsFolder = "_versions";
    public const string DataFolder = "data";
    public const string DeletionsFolder = "_deletions";

    public static string ManifestFileName(ulong version)
        => (ulong.MaxValue - version).ToString("D20", CultureInfo.InvariantCulture) + ".manifest";

    /// <summary>The "V1" name of version <paramref name="version"/>'s manifest: <c>{version}.manifest</c>.</summary>
    public static string V1ManifestFileName(ulong version)
        => version.ToString(CultureInfo.InvariantCulture) + ".manifest";

    /// <summary>The version a manifest file name stands for, or null when the name is not a manifest's.</summary>
    public static ulong? ParseVersion(string fileName)
    {
        if (!fileName.EndsWith(".manifest", StringComparison.Ordinal))
        {
            return null;
        }

        var stem = fileName.AsSpan(0, fileName.Length - ".manifest".Length);
        if (!ulong.TryParse(stem, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        // V2 names are near u64::MAX; V1 names are small. No real table has 2^63 versions.
        return stem.Length == 20 && number > long.MaxValue ? ulong.MaxValue - number : number;
    }

    /// <summary>Every committed version in <paramref name="datasetPath"/>, with its manifest path, newest first.</summary>
    public static List<(ulong Version, string Path)> List(string datasetPath)
    {
        var folder = Path.Combine(datasetPath, VersionsFolder);
        var result = new List<(ulong, string)>();
        if (!Directory.Exists(folder))
        {
            return result;
        }

        foreach (var file in Directory.EnumerateFiles(folder, "*.manifest"))
        {
            var version = ParseVersion(Path.GetFileName(file));
            if (version is { } v)
            {
                result.Add((v, file));
            }
        }

        result.Sort(static (a, b) => b.Item1.CompareTo(a.Item1));
        return result;
    }
}
