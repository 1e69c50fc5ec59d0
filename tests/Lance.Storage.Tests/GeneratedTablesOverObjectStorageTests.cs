using System.Text.Json;
using Apache.Arrow;
using Lance.Engine;
using Lance.Engine.Dataset;
using Lance.Engine.Storage;
using Lance.Interop.Tests;
using Lance.Storage.Cloud;
using Lance.Storage.Tests.Support;
using Xunit.Abstractions;

namespace Lance.Storage.Tests;

/// <summary>
/// Tables LanceDB made with random schemas, values and operations (the generative harness's
/// <c>fuzz-tables.mjs</c>: every Arrow type LanceDB accepts, nulls, deletes, updates, appends, every
/// storage version, stable row ids or not), copied file for file into a bucket: over S3 and Azure our
/// engine reads every version, and counts every random filter, exactly as it does from disk — so the
/// object-store layer (ranged and coalesced reads, the file-tail cache, read-ahead, LIST-based version
/// discovery) adds nothing and loses nothing. How our disk reads compare with LanceDB's own answers is the
/// generative harness's check (<c>GenerativeHarnessTests</c>); this one pins the store under it.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class GeneratedTablesOverObjectStorageTests(Emulators emulators, ITestOutputHelper output)
{
    private static readonly LanceDbPeer Peer = LanceDbPeer.Default;

    public static TheoryData<string, long> Seeds => new()
    {
        { "s3", 15_001 },
        { "s3", 15_002 },
        { "s3", 15_003 },
        { "azure", 15_004 },
        { "azure", 15_005 },
        { "azure", 15_006 },
    };

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Tables_lancedb_generated_read_the_same_over_the_store_as_from_disk_in_every_version(string kind, long seed)
    {
        var folder = Directory.CreateTempSubdirectory("lance-generated-");
        try
        {
            (await Peer.RunAsync("fuzz-tables", new { @out = folder.FullName, seed, tables = 3, rows = 400, ops = 8, filters = 12 })).Dispose();
            using var manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(folder.FullName, "manifest.json")));
            var compared = 0;
            var filters = 0;
            var rows = 0L;
            var differences = new List<string>();
            foreach (var entry in manifest.RootElement.GetProperty("tables").EnumerateArray())
            {
                if (entry.TryGetProperty("error", out _))
                {
                    continue; // LanceDB could not make this one: nothing on disk to copy.
                }

                var table = entry.GetProperty("table").GetString()!;
                var local = Path.Combine(folder.FullName, table + ".lance");
                var uri = (kind == "s3" ? Emulators.NewS3Uri() : Emulators.NewAzureUri()) + "/" + table + ".lance";
                await using var store = ObjectStoreFactory.Open(uri, kind == "s3" ? emulators.S3Options() : emulators.AzureOptions(), Emulators.FastRetry);
                await UploadAsync(local, store);

                var where = $"seed {seed}, table {table} (storage {entry.GetProperty("storageVersion").GetString()})";
                await using var remote = await LanceDataset.OpenAsync(uri, new DatasetOpenOptions { Store = store });
                foreach (var version in entry.GetProperty("versions").EnumerateArray().Select(v => (ulong)v.GetInt64()))
                {
                    var fromDisk = await OutcomeAsync(async () => await Render(await LanceDataset.OpenAsync(local, version)));
                    var fromStore = await OutcomeAsync(async () => await Render(await remote.CheckoutAsync(version)));
                    Compare($"{where}, version {version}", fromDisk, fromStore, differences);
                    compared++;
                    rows += fromDisk.Count - 1;
                }

                await using var latestOnDisk = await LanceDataset.OpenAsync(local);
                foreach (var filter in entry.GetProperty("filters").EnumerateArray().Select(f => f.GetProperty("filter").GetString()!))
                {
                    var fromDisk = await OutcomeAsync(async () => [(await latestOnDisk.CountRowsAsync(filter)).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                    var fromStore = await OutcomeAsync(async () => [(await remote.CountRowsAsync(filter)).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                    Compare($"{where}, count where `{filter}`", fromDisk, fromStore, differences);
                    filters++;
                }
            }

            output.WriteLine($"seed {seed} over {kind}: {compared} versions ({rows} rows) and {filters} filter counts compared");
            Assert.True(compared > 0, $"seed {seed}: LanceDB made no table to compare");
            Assert.True(differences.Count == 0, string.Join("\n", differences));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    // Every file of the dataset folder, byte for byte, under the same relative keys.
    private static async Task UploadAsync(string local, IObjectStore store)
    {
        foreach (var file in Directory.EnumerateFiles(local, "*", SearchOption.AllDirectories))
        {
            var key = Path.GetRelativePath(local, file).Replace(Path.DirectorySeparatorChar, '/');
            await store.PutAsync(key, await File.ReadAllBytesAsync(file));
        }
    }

    // Every row of every column of the version, as the peer's JSON, with the schema first; the dataset is disposed.
    private static async Task<List<string>> Render(LanceDataset dataset)
    {
        await using (dataset)
        {
            var lines = new List<string> { string.Join(", ", dataset.Schema.FieldsList.Select(f => $"{f.Name}: {f.DataType.Name}")) };
            await foreach (var batch in dataset.ScanAsync())
            {
                for (var row = 0; row < batch.Length; row++)
                {
                    lines.Add(string.Join(" | ", Enumerable.Range(0, batch.ColumnCount).Select(c => ForeignArrowJson.Render(batch.Column(c), row)?.ToJsonString() ?? "null")));
                }
            }

            return lines;
        }
    }

    // What a read gave, or the type of what it threw: a read that fails from disk must fail the same way from the store.
    private static async Task<List<string>> OutcomeAsync(Func<Task<List<string>>> read)
    {
        try
        {
            return await read();
        }
        catch (Exception e) when (e is LanceException or NotSupportedException or InvalidOperationException)
        {
            return [$"throws {e.GetType().Name}"];
        }
    }

    private static void Compare(string what, List<string> fromDisk, List<string> fromStore, List<string> differences)
    {
        if (fromDisk.Count != fromStore.Count)
        {
            differences.Add($"{what}: {fromDisk.Count - 1} rows from disk, {fromStore.Count - 1} over the store ({fromDisk[0]} / {fromStore[0]})");
            return;
        }

        var at = fromDisk.Zip(fromStore).Select((pair, i) => (pair, i)).FirstOrDefault(x => x.pair.First != x.pair.Second);
        if (at.pair.First is not null)
        {
            differences.Add($"{what}, line {at.i}: from disk `{at.pair.First}`, over the store `{at.pair.Second}`");
        }
    }
}
