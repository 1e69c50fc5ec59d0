using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// Round trips on datasets LanceDB created: over several rounds LanceDB appends, deletes and builds
/// an IVF_PQ index, we append, and both sides must see the same rows and find the same nearest
/// neighbours (exact search) every round; the manifest naming LanceDB chose is kept. The legacy
/// (0.1) format takes the same turns (more in <see cref="ForeignLegacyAppendTests"/>).
/// </summary>
public sealed class ForeignRoundTripTests : IDisposable
{
    private const int Dimension = 16;
    private const string Table = "t";
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    private string DatasetPath => Path.Combine(_db.Path, Table + ".lance");

    [Theory]
    [InlineData("2.1", false)]
    [InlineData("2.1", true)]
    [InlineData("legacy", false)]
    public async Task LanceDB_and_we_take_turns_and_agree_every_round(string storageVersion, bool v1Names)
    {
        await OpsAsync(new { create = new { rows = 600, dim = Dimension, storageVersion, v1Names } });
        var query = Vector(424242);
        for (int round = 0; round < 3; round++)
        {
            var lance = await OpsAsync(new
            {
                add = new { start = 10_000 * (round + 1), rows = 300, dim = Dimension },
                delete = $"id % 11 = {round}",
                index = round == 1 ? new { numPartitions = 2, numSubVectors = 4 } : null,
            });
            var dataset = await LanceDataset.OpenAsync(DatasetPath);
            Assert.Equal(lance.GetProperty("countRows").GetInt64(), dataset.CountRows());

            await dataset.AppendAsync([Rows(100_000 * (round + 1), 200)]);
            await AssertSameRowsAsync(dataset, $"round {round}");
            await AssertSameNearestAsync(dataset, query, $"round {round}");
            if (round >= 1)
            {
                // Our append kept LanceDB's index in the manifest.
                var after = await OpsAsync(new { });
                Assert.Contains("vector_idx", after.GetProperty("indices").EnumerateArray().Select(e => e.GetString()));
            }
        }

        var names = Directory.GetFiles(Path.Combine(DatasetPath, "_versions"), "*.manifest").Select(Path.GetFileNameWithoutExtension).ToList();
        Assert.All(names, name => Assert.Equal(v1Names, name!.Length < 20));
    }

    [Fact]
    public async Task LanceDBs_index_search_still_runs_after_our_appends()
    {
        await OpsAsync(new { create = new { rows = 600, dim = Dimension }, index = new { numPartitions = 2, numSubVectors = 4 } });
        var dataset = await LanceDataset.OpenAsync(DatasetPath);
        await dataset.AppendAsync([Rows(100_000, 200)]);

        var search = await _peer.SearchAsync(_db.Path, Table, Vector(7), k: 5);

        Assert.Equal(5, search.Rows.Count);
    }

    private async Task<JsonElement> OpsAsync(object args)
    {
        var merged = JsonSerializer.SerializeToElement(args);
        var dict = merged.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
        dict["db"] = _db.Path;
        dict["table"] = Table;
        using var doc = await _peer.RunAsync("foreign-ops", dict);
        return doc.RootElement.Clone();
    }

    private async Task AssertSameRowsAsync(LanceDataset dataset, string when)
    {
        var scan = await _peer.ScanAsync(_db.Path, Table, columns: ["id", "text"]);
        var ours = new List<(long, string?)>();
        await foreach (var batch in dataset.ScanAsync(["id", "text"]))
        {
            var ids = (Int64Array)batch.Column(0);
            var texts = (StringArray)batch.Column(1);
            for (int i = 0; i < batch.Length; i++)
            {
                ours.Add((ids.GetValue(i)!.Value, texts.GetString(i)));
            }
        }

        Assert.True(ours.Count == scan.Rows.Count, $"{when}: we see {ours.Count} rows, LanceDB {scan.Rows.Count}");
        Assert.Equal(scan.Rows.Select(r => (r.GetInt64("id"), r.GetString("text"))).Order(), ours.Order());
    }

    private Task AssertSameNearestAsync(LanceDataset dataset, float[] query, string when) =>
        ForeignRows.AssertSameNearestAsync(_peer, _db.Path, Table, dataset, query, when, precision: 3);

    private static float[] Vector(int seed) => ForeignRows.Vector(seed, Dimension);

    private static RecordBatch Rows(int start, int count) => ForeignRows.Rows(start, count, Dimension, id => id % 10 == 9 ? null : $"ours {id}");
}
