using System.Text.Json.Nodes;
using Apache.Arrow;
using Lance;
using Lance.Orm;

// usage: probe <database> <table> <query text>
// prints one JSON object: the restored functions, the table's row count and the ids of the 3 nearest rows.
if (args.Length != 3)
{
    await Console.Error.WriteLineAsync("usage: probe <database> <table> <query>");
    return 2;
}

try
{
    // What an app does once at startup: the functions a table stored are found by registration.
    EmbeddingFunctionRegistry.Default.AddLanceOrmEmbeddings();
    var db = await LanceDb.ConnectAsync(args[0]);
    var table = await db.OpenTableAsync(args[1]);
    var hits = await table.Search(args[2]).Limit(3).ToBatchAsync();
    var ids = (Int64Array)hits.Column("id");
    var result = new JsonObject
    {
        ["functions"] = new JsonArray(table.EmbeddingFunctions.Select(f => (JsonNode)new JsonObject { ["name"] = f.Name, ["model"] = f.Model?.DeepClone() }).ToArray()),
        ["rows"] = await table.CountRowsAsync(),
        ["hits"] = new JsonArray(Enumerable.Range(0, ids.Length).Select(i => (JsonNode)JsonValue.Create(ids.GetValue(i)!.Value)).ToArray()),
    };
    Console.WriteLine(result.ToJsonString());
    return 0;
}
catch (LanceException ex)
{
    await Console.Error.WriteLineAsync($"{ex.GetType().Name}: {ex.Message}");
    return 1;
}
