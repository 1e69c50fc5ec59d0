using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// Round trips on a dataset LanceDB created with storage version 2.0: we append and update (writing
/// format 2.0 data files, as the dataset requires), LanceDB reads every row equal, appends, deletes,
/// builds an IVF_PQ index and searches; we read and search again, with equal results every round.
/// </summary>
public sealed class Format20RoundTripTests : IDisposable
{
    private const int Dimension = 384;
    private const string Table = "t";
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    private string DatasetPath => Path.Combine(_db.Path, Table + ".lance");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task We_append_and_update_a_LanceDB_2_0_dataset_and_both_sides_agree_every_round(bool v1Names)
    {
        await OpsAsync(new { create = new { rows = 300, dim = Dimension, storageVersion = "2.0", v1Names } });
        // What every row's text must be: both sides are checked against it, not only against each other.
        var texts = Enumerable.Range(0, 300).ToDictionary(id => (long)id, id => LanceDbText(id));
        var query = Vector(424242);
        for (int round = 0; round < 3; round++)
        {
            string when = $"round {round}";
            var dataset = await LanceDataset.OpenAsync(DatasetPath);
            await dataset.AppendAsync([Rows(100_000 * (round + 1), 120)]);
            Enumerable.Range(100_000 * (round + 1), 120).ToList().ForEach(id => texts[id] = OurText(id));
            long updated = await dataset.UpdateAsync($"id % 7 = {round}", new Dictionary<string, object?> { ["text"] = $"updated {round}" });
            foreach (var id in texts.Keys.Where(id => id % 7 == round).ToList())
            {
                texts[id] = $"updated {round}";
            }

            Assert.Equal(texts.Keys.Count(id => id % 7 == round), updated);

            // LanceDB reads every row as we do, and as they were written.
            await AssertSameRowsAsync(dataset, texts, when);

            // LanceDB appends, deletes and (round 1) indexes on top of our 2.0 files, then searches.
            var lance = await OpsAsync(new
            {
                add = new { start = 10_000 * (round + 1), rows = 150, dim = Dimension },
                delete = $"id % 11 = {round}",
                index = round == 1 ? new { numPartitions = 2, numSubVectors = 8 } : null,
            });
            Enumerable.Range(10_000 * (round + 1), 150).ToList().ForEach(id => texts[id] = LanceDbText(id));
            foreach (var id in texts.Keys.Where(id => id % 11 == round).ToList())
            {
                texts.Remove(id);
            }

            var search = await _peer.SearchAsync(_db.Path, Table, query, k: 10, columns: ["id"]);
            Assert.Equal(10, search.Rows.Count);

            dataset = await LanceDataset.OpenAsync(DatasetPath);
            Assert.Equal(lance.GetProperty("countRows").GetInt64(), dataset.CountRows());
            await AssertSameRowsAsync(dataset, texts, when + ", after LanceDB wrote");
            await AssertSameNearestAsync(dataset, query, when);
        }

        AssertEveryDataFileIsFormat20();
        var names = Directory.GetFiles(Path.Combine(DatasetPath, "_versions"), "*.manifest").Select(Path.GetFileNameWithoutExtension).ToList();
        Assert.All(names, name => Assert.Equal(v1Names, name!.Length < 20));
        var after = await OpsAsync(new { });
        Assert.Contains("vector_idx", after.GetProperty("indices").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Appending_to_a_LanceDB_2_0_dataset_writes_format_2_0_files()
    {
        await OpsAsync(new { create = new { rows = 50, dim = Dimension, storageVersion = "2.0" } });
        var dataset = await LanceDataset.OpenAsync(DatasetPath);

        await dataset.AppendAsync([Rows(1000, 10)]);

        AssertEveryDataFileIsFormat20();
        Assert.Equal(60, await _peer.CountAsync(_db.Path, Table));
    }

    [Fact]
    public async Task A_column_we_add_and_our_compaction_on_a_LanceDB_2_0_dataset_read_equal_in_LanceDB()
    {
        await OpsAsync(new { create = new { rows = 200, dim = Dimension, storageVersion = "2.0" } });
        await OpsAsync(new { add = new { start = 1000, rows = 100, dim = Dimension }, delete = "id % 3 = 0" });
        var dataset = await LanceDataset.OpenAsync(DatasetPath);
        await dataset.AppendAsync([Rows(5000, 50)]);

        await dataset.AddColumnsAsync(new Dictionary<string, string> { ["twice"] = "id * 2" });
        var compaction = await dataset.CompactAsync();

        Assert.True(compaction.FragmentsRemoved > 1, $"compaction removed {compaction.FragmentsRemoved} fragments");
        AssertEveryDataFileIsFormat20();
        var scan = await _peer.ScanAsync(_db.Path, Table, columns: ["id", "text", "twice"]);
        var expectedIds = Enumerable.Range(0, 200).Concat(Enumerable.Range(1000, 100)).Where(id => id % 3 != 0).Concat(Enumerable.Range(5000, 50)).Select(id => (long)id);
        Assert.Equal(expectedIds.Order(), scan.Rows.Select(r => r.GetInt64("id")).Order());
        Assert.All(scan.Rows, r => Assert.Equal(2 * r.GetInt64("id"), r.GetInt64("twice")));
        Assert.All(scan.Rows, r => Assert.Equal(r.GetInt64("id") >= 5000 ? OurText(r.GetInt64("id")) : LanceDbText(r.GetInt64("id")), r.GetString("text")));
    }

    [Fact]
    public async Task Overwriting_a_LanceDB_2_0_dataset_keeps_format_2_0_and_LanceDB_reads_the_new_rows()
    {
        await OpsAsync(new { create = new { rows = 80, dim = Dimension, storageVersion = "2.0" } });
        var rows = Rows(7000, 40);

        await LanceDataset.CreateAsync(DatasetPath, rows.Schema, [rows], WriteMode.Overwrite);

        AssertEveryDataFileIsFormat20();
        var lance = await OpsAsync(new { add = new { start = 8000, rows = 5, dim = Dimension } });
        Assert.Equal(45, lance.GetProperty("countRows").GetInt64());
        var scan = await _peer.ScanAsync(_db.Path, Table, columns: ["id", "text"], filter: "id < 8000");
        Assert.Equal(Enumerable.Range(7000, 40).Select(id => (long)id), scan.Rows.Select(r => r.GetInt64("id")).Order());
        Assert.All(scan.Rows, r => Assert.Equal(OurText(r.GetInt64("id")), r.GetString("text")));
    }

    // Footer version 0.3 is file format 2.0: a 2.1 file in a 2.0 dataset would break LanceDB.
    private void AssertEveryDataFileIsFormat20()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(DatasetPath, "data"), "*.lance"))
        {
            var bytes = File.ReadAllBytes(file);
            var version = (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(bytes.Length - 8)), BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(bytes.Length - 6)));
            Assert.True(version == (0, 3), $"{Path.GetFileName(file)} has footer version {version.Item1}.{version.Item2}, not 0.3 (format 2.0)");
        }
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

    private async Task AssertSameRowsAsync(LanceDataset dataset, Dictionary<long, string?> texts, string when)
    {
        var scan = await _peer.ScanAsync(_db.Path, Table, columns: ["id", "text", "vector"]);
        var ours = new Dictionary<long, (string? Text, float[]? Vector)>();
        await foreach (var batch in dataset.ScanAsync(["id", "text", "vector"]))
        {
            var ids = (Int64Array)batch.Column(0);
            var textColumn = (StringArray)batch.Column(1);
            var vectors = (FixedSizeListArray)batch.Column(2);
            var items = (FloatArray)vectors.Values;
            for (int i = 0; i < batch.Length; i++)
            {
                var vector = vectors.IsNull(i) ? null : items.Values.Slice((vectors.Offset + i) * Dimension, Dimension).ToArray();
                ours.Add(ids.GetValue(i)!.Value, (textColumn.IsNull(i) ? null : textColumn.GetString(i), vector));
            }
        }

        Assert.True(ours.Count == scan.Rows.Count, $"{when}: we see {ours.Count} rows, LanceDB {scan.Rows.Count}");
        Assert.True(ours.Count == texts.Count, $"{when}: we see {ours.Count} rows, {texts.Count} were written");
        foreach (var row in scan.Rows)
        {
            long id = row.GetInt64("id");
            Assert.True(ours.TryGetValue(id, out var mine), $"{when}: LanceDB has id {id}, we do not");
            Assert.True(texts.TryGetValue(id, out var text), $"{when}: id {id} should not be there");
            Assert.True(text == row.GetString("text"), $"{when}: id {id} has text '{row.GetString("text") ?? "null"}' for LanceDB, '{text ?? "null"}' was written");
            Assert.True(text == mine.Text, $"{when}: id {id} has text '{mine.Text ?? "null"}' for us, '{text ?? "null"}' was written");
            Assert.True(
                (mine.Vector ?? []).SequenceEqual(row.GetVector("vector") ?? []),
                $"{when}: id {id} has another vector for LanceDB than for us");
            Assert.True(id < 100_000 || mine.Vector!.SequenceEqual(Vector((int)id)), $"{when}: our row {id} does not read back the vector written");
        }
    }

    private static readonly string[] Words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"];

    // foreign-ops.mjs's texts, and ours (Rows).
    private static string? LanceDbText(long id) => id % 10 == 9 ? null : $"{Words[id % 10]} {id}";

    private static string? OurText(long id) => id % 10 == 9 ? null : $"ours {id}";

    private Task AssertSameNearestAsync(LanceDataset dataset, float[] query, string when) =>
        ForeignRows.AssertSameNearestAsync(_peer, _db.Path, Table, dataset, query, when, precision: 2);

    private static float[] Vector(int seed) => ForeignRows.Vector(seed, Dimension);

    private static RecordBatch Rows(int start, int count) => ForeignRows.Rows(start, count, Dimension, id => OurText(id));
}
