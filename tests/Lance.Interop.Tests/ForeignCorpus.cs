using System.Text.Json;

namespace Lance.Interop.Tests;

/// <summary>
/// The corpus of datasets that LanceDB itself wrote (<c>tools/lancedb-peer/make-corpus.mjs</c>),
/// made once per test run into a temp folder, with LanceDB's own scan of each table.
/// </summary>
public sealed class ForeignCorpus : IAsyncLifetime
{
    private readonly TempCopy _folder = TempCopy.Empty();

    /// <summary>Rows of each type-matrix table (two fragments).</summary>
    public const int TypeRows = 3000;

    /// <summary>The database folder holding every corpus table.</summary>
    public string Database => _folder.Path;

    /// <summary>What the script reported: the tables made and any column type LanceDB or apache-arrow refused.</summary>
    public JsonDocument Report { get; private set; } = null!;

    /// <summary>The dataset folder of table <paramref name="table"/>.</summary>
    public string Dataset(string table) => Path.Combine(Database, table + ".lance");

    /// <summary>LanceDB's scan of <paramref name="table"/> taken right after the script made it.</summary>
    public JsonDocument Expected(string table) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Database, table + ".expected.json")));

    public async Task InitializeAsync() =>
        Report = await LanceDbPeer.Default.RunAsync("make-corpus", new { Out = Database, Rows = TypeRows });

    public Task DisposeAsync()
    {
        Report?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}
