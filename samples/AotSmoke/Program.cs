// Runs the generated serializers, the BatchView and a table on disk in a Native AOT binary.
using AotSmoke;
using Lance.Orm;

Pet[] rows = [new() { Id = 1, Name = "Rex", When = DateTimeOffset.UnixEpoch, Kind = Kind.Dog, Tags = ["a"], Vector = [1, 2, 3] }, new() { Id = 2, Name = "Tom", Kind = Kind.Cat, Vector = [4, 5, 6] }];
var batch = Pet.ToRecordBatch(rows);
var back = new List<Pet>();
Pet.ReadRecordBatch(batch, back);
var view = new Pet.BatchView(batch);
Console.WriteLine($"{back.Count} {back[1].Name} {back[1].Kind} {view.Vector(1)[2]}");
var folder = Path.Combine(Path.GetTempPath(), "aot-smoke-" + Environment.ProcessId);
var db = await LanceDb.ConnectAsync(folder);
var table = await db.CreateTableAsync("pets", rows.Select(r => new Stored { Id = r.Id, Name = r.Name, Vector = r.Vector }), CreateMode.Overwrite);
var count = 0;
await foreach (var _ in table.AsAsyncEnumerable()) count++;
Console.WriteLine($"table {count}");
Directory.Delete(folder, recursive: true);
