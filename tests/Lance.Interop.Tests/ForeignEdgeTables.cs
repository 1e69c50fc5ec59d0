using System.Text.Json;

namespace Lance.Interop.Tests;

/// <summary>
/// The LanceDB-written tables of shapes the type-matrix corpus does not reach
/// (<c>tools/lancedb-peer/make-edge-tables.mjs</c>): vectors with null rows and null items, values
/// larger than a mini-block chunk, and list pages that are entirely null, empty or constant. Made
/// once per test run into a temp folder, with LanceDB's own scan of each table.
/// </summary>
public sealed class ForeignEdgeTables : IAsyncLifetime
{
    private readonly TempCopy _folder = TempCopy.Empty();

    /// <summary>The database folder holding every table.</summary>
    public string Database => _folder.Path;

    /// <summary>What the script reported: the tables made and any column LanceDB refused.</summary>
    public JsonDocument Report { get; private set; } = null!;

    /// <summary>The dataset folder of table <paramref name="table"/>.</summary>
    public string Dataset(string table) => Path.Combine(Database, table + ".lance");

    /// <summary>LanceDB's scan of <paramref name="table"/> taken right after the script made it.</summary>
    public JsonDocument Expected(string table) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Database, table + ".expected.json")));

    public async Task InitializeAsync() =>
        Report = await LanceDbPeer.Default.RunAsync("make-edge-tables", new { Out = Database });

    public Task DisposeAsync()
    {
        Report?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}
