// A writer process of tests/Lance.Storage.Tests. Arguments: one JSON object
// {uri, storageOptions, writer, count, batch?, endless?}.
// - Racing (default): appends `count` one-row commits (id = writer * 1,000,000 + i), each a commit of
//   its own, retrying a commit that lost a race, and prints how many it made.
// - Endless (`endless: true`): prints "opened", then appends `batch`-row commits (ids from
//   writer * 1,000,000 on) until the test kills it, printing "committed <version>" after each.
using System.Text.Json;
using Apache.Arrow;
using Lance;
using Lance.Engine;
using Lance.Engine.Dataset;
using Lance.Storage.Cloud;

var args0 = JsonDocument.Parse(args.Length > 0 ? args[0] : Console.In.ReadToEnd()).RootElement;
var uri = args0.GetProperty("uri").GetString()!;
var options = args0.GetProperty("storageOptions").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
var writer = args0.GetProperty("writer").GetInt32();
var count = args0.GetProperty("count").GetInt32();
var endless = args0.TryGetProperty("endless", out var e) && e.GetBoolean();
var rowsPerCommit = args0.TryGetProperty("batch", out var b) ? b.GetInt32() : 1;

await using var store = ObjectStoreFactory.Open(uri, options);
await using var dataset = await LanceDataset.OpenAsync(uri, new DatasetOpenOptions { Store = store });
var conflicts = 0;
if (endless)
{
    Console.Out.WriteLine("opened");
    Console.Out.Flush();
}

for (var i = 0; endless || i < count; i++)
{
    var ids = new Int64Array.Builder();
    var writers = new Int32Array.Builder();
    for (var r = 0; r < rowsPerCommit; r++)
    {
        ids.Append((writer * 1_000_000L) + ((long)i * rowsPerCommit) + r);
        writers.Append(writer);
    }

    var batch = new RecordBatch(dataset.Schema, [ids.Build(), writers.Build()], rowsPerCommit);
    while (true)
    {
        try
        {
            await dataset.AppendAsync([batch]);
            break;
        }
        catch (LanceCommitConflictException)
        {
            // Nothing was committed: the other writer kept winning. Try the same rows again.
            conflicts++;
            await dataset.RefreshAsync();
        }
    }

    if (endless)
    {
        Console.Out.WriteLine($"committed {dataset.Version}");
        Console.Out.Flush();
    }
}

Console.WriteLine(JsonSerializer.Serialize(new { writer, appended = count, conflicts }));
