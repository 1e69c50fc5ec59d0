using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Lance.Orm;
using Lance.Storage.Cloud;

// One fresh process's first query against an object store, compiled ahead of time: connect, open and
// the first exact search (k = 10, L2) timed as one figure, as the object-store-child mode does.
var input = JsonDocument.Parse(await File.ReadAllTextAsync(args[0])).RootElement;
var store = input.GetProperty("store").GetString()!;
var uri = input.GetProperty("uri").GetString()!;
var storage = new Dictionary<string, string>();
foreach (var option in input.GetProperty("storageOptions").EnumerateObject())
{
    storage[option.Name] = option.Value.GetString()!;
}

var query = input.GetProperty("query").EnumerateArray().Select(e => e.GetSingle()).ToArray();
var options = new DatabaseOptions().UseObjectStorage(storage);
if (input.TryGetProperty("cacheBudget", out var budget) && budget.ValueKind == JsonValueKind.Number)
{
    options = options with { CacheBudgetBytes = budget.GetInt64() };
}

var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var timed = Stopwatch.StartNew();
await using var db = await LanceDb.ConnectAsync(uri, options);
var table = await db.OpenTableAsync<AotRow>("bench");
var openSeconds = timed.Elapsed.TotalSeconds;
var first = await table.Search(query).BypassVectorIndex().Limit(10).ToBatchAsync();
var firstSeconds = timed.Elapsed.TotalSeconds;
var firstCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
var ids = ((Int64Array)first.Column("id")).Select(v => v!.Value.ToString(CultureInfo.InvariantCulture));
Console.WriteLine($"{{\"store\":\"{store}\",\"openSeconds\":{openSeconds.ToString(CultureInfo.InvariantCulture)},\"firstSeconds\":{firstSeconds.ToString(CultureInfo.InvariantCulture)},\"firstCpuSeconds\":{firstCpuSeconds.ToString(CultureInfo.InvariantCulture)},\"firstIds\":[{string.Join(",", ids.Select(i => $"\"{i}\""))}]}}");

/// <summary>The benchmark table's row (as the bench's BenchRow).</summary>
public partial record AotRow : ILanceModel
{
    public long Id { get; init; }
    public string Text { get; init; } = "";
    [Vector(384)] public float[]? Vector { get; init; }
}
