using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lance.Interop.Tests.Generative;

/// <summary>How much fuzz-tables.mjs generates per seed.</summary>
/// <param name="Tables">Tables per seed.</param>
/// <param name="Rows">Most rows of a table's first write (and half that per later write).</param>
/// <param name="Ops">Most LanceDB operations per table.</param>
/// <param name="Filters">Random filters per table.</param>
/// <param name="Types">The column kinds to draw from (fuzz-tables.mjs's names); all when null.</param>
public sealed record GenerativeSettings(int Tables = 3, int Rows = 60, int Ops = 8, int Filters = 20, IReadOnlyList<string>? Types = null);

/// <summary>What one seed produced: failures, each table's replay spec, what LanceDB refused, and the counts.</summary>
public sealed class SeedOutcome
{
    /// <summary>Every difference and refusal found.</summary>
    public List<GenerativeFailure> Failures { get; } = [];

    /// <summary>Each table's replay spec (schema, rows, op list), by table name.</summary>
    public Dictionary<string, JsonObject> Specs { get; } = [];

    /// <summary>Column types LanceDB or apache-arrow refused (left out of the tables, listed here).</summary>
    public List<string> TypesRefused { get; } = [];

    /// <summary>Types the generator never draws, with the reason.</summary>
    public List<string> Excluded { get; } = [];

    /// <summary>What was compared.</summary>
    public GenerativeCounts Counts { get; } = new();
}

/// <summary>
/// Runs <c>tools/lancedb-peer/fuzz-tables.mjs</c> (LanceDB makes the tables and answers for them)
/// and checks every table it made with <see cref="GenerativeComparer"/>; replays one table's spec
/// for the shrinker.
/// </summary>
public sealed class GenerativeDriver(LanceDbPeer peer)
{
    private readonly GenerativeComparer _comparer = new(peer);

    /// <summary>Generates and checks the tables of one seed.</summary>
    public async Task<SeedOutcome> RunSeedAsync(long seed, GenerativeSettings settings, CancellationToken cancellationToken = default)
    {
        using var folder = TempCopy.Empty();
        var args = new { @out = folder.Path, seed, tables = settings.Tables, rows = settings.Rows, ops = settings.Ops, filters = settings.Filters, types = settings.Types };
        return await RunAsync(folder.Path, seed, args, cancellationToken);
    }

    /// <summary>Replays one table spec (as the manifest's <c>spec</c> holds it) and checks it.</summary>
    public async Task<SeedOutcome> ReplayAsync(long seed, JsonObject spec, CancellationToken cancellationToken = default)
    {
        using var folder = TempCopy.Empty();
        return await RunAsync(folder.Path, seed, new { @out = folder.Path, seed, replay = spec }, cancellationToken);
    }

    private async Task<SeedOutcome> RunAsync(string folder, long seed, object args, CancellationToken cancellationToken)
    {
        (await peer.RunAsync("fuzz-tables", args, cancellationToken)).Dispose();
        using var manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(folder, "manifest.json"), cancellationToken));
        var outcome = new SeedOutcome();
        foreach (var refused in manifest.RootElement.GetProperty("typesRefused").EnumerateArray())
        {
            outcome.TypesRefused.Add($"{refused.GetProperty("storageVersion").GetString()} {refused.GetProperty("type").GetRawText()}: {refused.GetProperty("error").GetString()}");
        }

        foreach (var excluded in manifest.RootElement.GetProperty("excluded").EnumerateArray())
        {
            outcome.Excluded.Add($"{excluded.GetProperty("type").GetString()}: {excluded.GetProperty("reason").GetString()}");
        }

        foreach (var entry in manifest.RootElement.GetProperty("tables").EnumerateArray())
        {
            var table = entry.GetProperty("table").GetString()!;
            outcome.Specs[table] = JsonNode.Parse(entry.GetProperty("spec").GetRawText())!.AsObject();
            try
            {
                outcome.Failures.AddRange(await _comparer.CheckAsync(folder, seed, entry, outcome.Counts, cancellationToken));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The check itself broke (a harness bug): a failure like any other, and the run goes on.
                outcome.Failures.Add(new GenerativeFailure(
                    seed, table, entry.GetProperty("storageVersion").GetString()!, entry.GetProperty("stableRowIds").GetBoolean(),
                    "harness", $"{e.GetType().Name}: {e.Message}", e.GetType().Name));
            }
        }

        return outcome;
    }
}
