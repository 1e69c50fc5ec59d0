using System.Text.Json;

namespace Lance.Engine.Tests.Format;

/// <summary>The hand-written datasets LanceDB opened, and LanceDB's own read of them.</summary>
internal static class Fixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures", "handcrafted-2.1");

    public static string Table(string fixture) => Path.Combine(Root, fixture, "hand.lance");

    public static string DataFile(string fixture) => Directory.GetFiles(Path.Combine(Table(fixture), "data"), "*.lance").Single();

    public static string Manifest(string fixture, ulong version) =>
        Path.Combine(Table(fixture), "_versions", (ulong.MaxValue - version).ToString("D20") + ".manifest");

    /// <summary>The rows LanceDB returned for a full scan at the fixture's latest version, by id.</summary>
    public static Dictionary<long, ExpectedRow> ExpectedRows(string fixture)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, fixture + ".expected.json")));
        var rows = new Dictionary<long, ExpectedRow>();
        foreach (var row in json.RootElement.GetProperty("data").EnumerateArray())
        {
            long id = long.Parse(row.GetProperty("id").GetString()!);
            var text = row.GetProperty("text");
            var vector = row.GetProperty("vector");
            rows[id] = new ExpectedRow(
                text.ValueKind == JsonValueKind.Null ? null : text.GetString(),
                vector.ValueKind == JsonValueKind.Null ? null : vector.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray());
        }

        return rows;
    }

    internal sealed record ExpectedRow(string? Text, float[]? Vector);
}
