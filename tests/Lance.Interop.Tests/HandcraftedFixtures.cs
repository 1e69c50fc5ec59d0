using System.Collections.Concurrent;
using System.Text.Json;

namespace Lance.Interop.Tests;

/// <summary>A row of a fixture's <c>*.expected.json</c>: what LanceDB returned when the fixture was made.</summary>
public sealed record ExpectedRow(long Id, string? Text, float[]? Vector);

/// <summary>A fixture's <c>*.expected.json</c>: the latest version, its row count and its rows ordered by id.</summary>
public sealed record ExpectedScan(long Version, long Rows, IReadOnlyList<ExpectedRow> Data);

/// <summary>
/// The hand-written Lance 2.1 datasets in <c>fixtures/handcrafted-2.1</c> (see its README): each is a
/// database folder holding table <c>hand</c>. Shared by a test class: copies each fixture to a temp
/// folder once and scans it with LanceDB once.
/// </summary>
public sealed class HandcraftedFixtures : IDisposable
{
    public const string Table = "hand";
    public const string FullZip = "fullzip";
    public const string MiniBlockNullsDeletion = "miniblock-nulls-deletion";

    private readonly ConcurrentDictionary<string, TempCopy> _copies = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<PeerScan>>> _scans = new();
    private readonly ConcurrentDictionary<string, ExpectedScan> _expected = new();

    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures", "handcrafted-2.1");

    public LanceDbPeer Peer => LanceDbPeer.Default;

    /// <summary>A temp copy of fixture <paramref name="name"/> that LanceDB may touch (one per fixture per class).</summary>
    public string Database(string name) => _copies.GetOrAdd(name, n => TempCopy.Of(Path.Combine(Root, n))).Path;

    /// <summary>LanceDB's full scan of fixture <paramref name="name"/> at its latest version.</summary>
    public Task<PeerScan> ScanAsync(string name) =>
        _scans.GetOrAdd(name, n => new Lazy<Task<PeerScan>>(() => Peer.ScanAsync(Database(n), Table))).Value;

    /// <summary>The fixture's <c>*.expected.json</c>.</summary>
    public ExpectedScan Expected(string name) => _expected.GetOrAdd(name, n =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, n + ".expected.json")));
        var root = doc.RootElement;
        return new ExpectedScan(
            root.GetProperty("version").GetInt64(),
            root.GetProperty("rows").GetInt64(),
            [.. root.GetProperty("data").EnumerateArray().Select(r => new ExpectedRow(
                long.Parse(r.GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                r.GetProperty("text").ValueKind == JsonValueKind.Null ? null : r.GetProperty("text").GetString(),
                r.GetProperty("vector").ValueKind == JsonValueKind.Null
                    ? null
                    : [.. r.GetProperty("vector").EnumerateArray().Select(x => (float)x.GetDouble())]))]);
    });

    public void Dispose()
    {
        foreach (var copy in _copies.Values)
        {
            copy.Dispose();
        }
    }
}
