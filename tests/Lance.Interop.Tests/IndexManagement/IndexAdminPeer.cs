using System.Text.Json;

namespace Lance.Interop.Tests.IndexManagement;

/// <summary>LanceDB's side of the index management tests (tools/lancedb-peer/index-admin.mjs) on one id/label/vector table.</summary>
internal sealed class IndexAdminPeer(string db, string table)
{
    private readonly LanceDbPeer _peer = new(LanceDbPeer.Default.PeerDirectory) { Timeout = TimeSpan.FromMinutes(5) };

    public string Db { get; } = db;

    public string Table { get; } = table;

    public string DatasetPath => Path.Combine(Db, Table + ".lance");

    public async Task CreateAsync(int rows, int dim) => (await RunAsync(new { op = "create", db = Db, table = Table, rows, dim })).Dispose();

    public async Task AppendAsync(int rows, int dim, int firstId, int seed)
        => (await RunAsync(new { op = "append", db = Db, table = Table, rows, dim, firstId, seed })).Dispose();

    public async Task DeleteAsync(string where) => (await RunAsync(new { op = "delete", db = Db, table = Table, where })).Dispose();

    /// <summary>Builds an index in LanceDB; returns LanceDB's error message when it refuses.</summary>
    public async Task<string?> IndexAsync(string column, string kind, string? name = null, bool replace = true, int? partitions = null, int? subVectors = null)
    {
        using var doc = await RunAsync(new { op = "index", db = Db, table = Table, column, kind, name, replace, partitions, subVectors });
        return doc.RootElement.TryGetProperty("error", out var error) ? error.GetString() : null;
    }

    /// <summary>What LanceDB's listIndices and indexStats say, one line per index.</summary>
    public async Task<IReadOnlyList<string>> DescribeAsync() => Lines(await RunAsync(new { op = "describe", db = Db, table = Table }));

    public async Task<IReadOnlyList<string>> DropAsync(string name) => Lines(await RunAsync(new { op = "drop", db = Db, table = Table, name }));

    public async Task<IReadOnlyList<string>> OptimizeAsync() => Lines(await RunAsync(new { op = "optimize", db = Db, table = Table }));

    /// <summary>The sorted ids LanceDB finds for each filter.</summary>
    public async Task<long[][]> QueryAsync(IReadOnlyList<string> filters)
    {
        using var doc = await RunAsync(new { op = "query", db = Db, table = Table, filters });
        return doc.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("ids").EnumerateArray().Select(x => x.GetInt64()).ToArray()).ToArray();
    }

    /// <summary>One line per index: name, listed type, columns, then the statistics, as <see cref="Line"/> writes ours.</summary>
    public static string Line(string name, string type, IEnumerable<string> columns, long indexed, long unindexed, string statsType, string? distance, int? parts)
        => $"{name} {type} [{string.Join(",", columns)}] indexed={indexed} unindexed={unindexed} {statsType} distance={distance ?? "-"} parts={parts?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}";

    private static IReadOnlyList<string> Lines(JsonDocument doc)
    {
        using (doc)
        {
            if (doc.RootElement.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException("LanceDB: " + error.GetString());
            }

            return doc.RootElement.GetProperty("indices").EnumerateArray().Select(i =>
            {
                var s = i.GetProperty("stats");
                return Line(
                    i.GetProperty("name").GetString()!, i.GetProperty("indexType").GetString()!, i.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!),
                    s.GetProperty("numIndexedRows").GetInt64(), s.GetProperty("numUnindexedRows").GetInt64(), s.GetProperty("indexType").GetString()!,
                    s.GetProperty("distanceType").ValueKind == JsonValueKind.Null ? null : s.GetProperty("distanceType").GetString(),
                    s.GetProperty("numIndices").ValueKind == JsonValueKind.Null ? null : s.GetProperty("numIndices").GetInt32());
            }).ToList();
        }
    }

    private Task<JsonDocument> RunAsync(object args) => _peer.RunAsync("index-admin", args);
}
