// One of the racing writers of tests/Lance.Storage.Tests: appends `count` one-row commits
// (id = writer * 1,000,000 + i) to the dataset at `uri`, each a commit of its own, and prints
// how many it made. Arguments: one JSON object {uri, storageOptions, writer, count}.
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

await using var store = ObjectStoreFactory.Open(uri, options);
await using var dataset = await LanceDataset.OpenAsync(uri, new DatasetOpenOptions { Store = store });
var conflicts = 0;
for (var i = 0; i < count; i++)
{
    var id = (writer * 1_000_000L) + i;
    var batch = new RecordBatch(dataset.Schema, [new Int64Array.Builder().Append(id).Build(), new Int32Array.Builder().Append(writer).Build()], 1);
    while (true)
    {
        try
        {
            await dataset.AppendAsync([batch]);
            break;
        }
        catch (LanceCommitConflictException)
        {
            // Nothing was committed: the other writer kept winning. Try the same row again.
            conflicts++;
            await dataset.RefreshAsync();
        }
    }
}

Console.WriteLine(JsonSerializer.Serialize(new { writer, appended = count, conflicts }));
