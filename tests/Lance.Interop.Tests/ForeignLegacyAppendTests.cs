using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;
using Lance.Engine.DataFiles;
using Lance.Engine.Format;

namespace Lance.Interop.Tests;

/// <summary>
/// Appending to a table LanceDB wrote in the legacy (0.1) file format keeps that format: our data
/// files are legacy files (footer 0.2, recorded as 0.2 in the manifest, which still says 0.1), and
/// LanceDB reads every row we wrote, appends, deletes, builds an IVF_PQ index, searches and compacts
/// on them, round after round, with both sides agreeing on rows and nearest neighbours.
/// </summary>
public sealed class ForeignLegacyAppendTests : IDisposable
{
    private const int Dimension = 16;
    private const string Table = "t";
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    private string DatasetPath => Path.Combine(_db.Path, Table + ".lance");

    [Fact]
    public async Task LanceDB_and_we_append_update_delete_and_index_a_legacy_table_and_agree_every_round()
    {
        await OpsAsync(new { create = new { rows = 600, dim = Dimension, storageVersion = "legacy" } });
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

            // 1,100 rows: two batches in one file; then an update (a delete and an append).
            await dataset.AppendAsync([Rows(100_000 * (round + 1), 1100)]);
            long updated = await dataset.UpdateAsync($"id % 7 = {round}", new Dictionary<string, object?> { ["text"] = $"updated {round}" });
            Assert.True(updated > 0);

            await AssertSameRowsAsync(dataset, $"round {round}");
            await AssertSameNearestAsync(dataset, query, $"round {round}");
            if (round >= 1)
            {
                // LanceDB's index survives our writes, and its indexed search runs over our files.
                var after = await OpsAsync(new { });
                Assert.Contains("vector_idx", after.GetProperty("indices").EnumerateArray().Select(e => e.GetString()));
                var search = await _peer.SearchAsync(_db.Path, Table, query, k: 10, columns: ["id"]);
                Assert.Equal(10, search.Rows.Count);
            }
        }

        AssertAllFilesLegacy();
    }

    [Fact]
    public async Task LanceDBs_compaction_over_its_legacy_files_and_ours_keeps_every_row()
    {
        await OpsAsync(new { create = new { rows = 500, dim = Dimension, storageVersion = "legacy" } });
        var dataset = await LanceDataset.OpenAsync(DatasetPath);
        await dataset.AppendAsync([Rows(100_000, 300)]);
        await dataset.AppendAsync([Rows(200_000, 1500)]);
        await dataset.DeleteAsync("id % 5 = 1");

        var compacted = await OpsAsync(new { add = new { start = 10_000, rows = 200, dim = Dimension }, optimize = true });

        long expected = 500 + 300 + 1500 + 200 - (Enumerable.Range(0, 500).Count(i => i % 5 == 1) + 60 + 300);
        Assert.Equal(expected, compacted.GetProperty("countRows").GetInt64());
        var reopened = await LanceDataset.OpenAsync(DatasetPath);
        Assert.Equal(1, reopened.FragmentCount);
        await AssertSameRowsAsync(reopened, "after LanceDB's compaction");
        AssertAllFilesLegacy();
    }

    [Fact]
    public async Task Our_compaction_of_a_legacy_table_writes_legacy_files_LanceDB_reads()
    {
        await OpsAsync(new { create = new { rows = 500, dim = Dimension, storageVersion = "legacy" } });
        await OpsAsync(new { add = new { start = 10_000, rows = 200, dim = Dimension }, delete = "id % 4 = 0" });
        var dataset = await LanceDataset.OpenAsync(DatasetPath);
        await dataset.AppendAsync([Rows(100_000, 300)]);

        await dataset.CompactAsync();

        Assert.Equal(1, dataset.FragmentCount);
        await AssertSameRowsAsync(dataset, "after our compaction");
        await AssertSameNearestAsync(dataset, Vector(99), "after our compaction");
        AssertAllFilesLegacy();
        var more = await OpsAsync(new { add = new { start = 20_000, rows = 100, dim = Dimension }, delete = "id % 3 = 0" });
        await dataset.RefreshAsync();
        Assert.Equal(more.GetProperty("countRows").GetInt64(), dataset.CountRows());
    }

    [Fact]
    public async Task Our_upsert_on_a_legacy_table_reads_equal_in_LanceDB_which_keeps_appending()
    {
        await OpsAsync(new { create = new { rows = 500, dim = Dimension, storageVersion = "legacy" } });
        var dataset = await LanceDataset.OpenAsync(DatasetPath);

        // Ids 400..599: 100 replace LanceDB's rows, 100 are new.
        var result = await dataset.MergeInsertAsync(["id"], [Rows(400, 200)], MergeInsertOptions.Upsert);

        Assert.Equal((100L, 100L), (result.Inserted, result.Updated));
        await AssertSameRowsAsync(dataset, "after our upsert");
        var theirs = await _peer.ScanAsync(_db.Path, Table, columns: ["id", "text"], filter: "id >= 400 AND id < 410");
        Assert.Equal(Enumerable.Range(400, 10).Select(i => i % 10 == 9 ? null : $"ours {i}"), theirs.Rows.OrderBy(r => r.GetInt64("id")).Select(r => r.GetString("text")));
        var more = await OpsAsync(new { add = new { start = 10_000, rows = 50, dim = Dimension } });
        Assert.Equal(650, more.GetProperty("countRows").GetInt64());
        AssertAllFilesLegacy();
    }

    [Fact]
    public async Task A_column_we_compute_on_a_legacy_table_goes_to_legacy_files_LanceDB_reads()
    {
        await OpsAsync(new { create = new { rows = 1500, dim = Dimension, storageVersion = "legacy" } });
        var dataset = await LanceDataset.OpenAsync(DatasetPath);
        await dataset.AppendAsync([Rows(100_000, 100)]);

        await dataset.AddColumnsAsync(new Dictionary<string, string> { ["twice"] = "id * 2" });

        var theirs = await _peer.ScanAsync(_db.Path, Table, columns: ["id", "twice"]);
        Assert.Equal(1600, theirs.Rows.Count);
        Assert.All(theirs.Rows, r => Assert.Equal(r.GetInt64("id") * 2, r.GetInt64("twice")));
        AssertAllFilesLegacy();
    }

    [Fact]
    public async Task An_unknown_data_format_version_is_refused_before_anything_is_written()
    {
        await OpsAsync(new { create = new { rows = 100, dim = Dimension, storageVersion = "legacy" } });
        // Edit the manifest to claim a format no one writes.
        var manifestFile = Directory.GetFiles(Path.Combine(DatasetPath, "_versions"), "*.manifest")
            .OrderByDescending(f => ManifestCodec.Decode(File.ReadAllBytes(f)).Version).First();
        var manifest = ManifestCodec.Decode(File.ReadAllBytes(manifestFile));
        manifest.DataFormatVersion = "9.9";
        File.WriteAllBytes(manifestFile, ManifestCodec.Encode(manifest));
        var dataset = await LanceDataset.OpenAsync(DatasetPath);
        var files = Directory.GetFiles(DatasetPath, "*", SearchOption.AllDirectories).Order().ToList();

        var error = await Assert.ThrowsAsync<LanceFormatException>(() => dataset.AppendAsync([Rows(1000, 10)]));

        Assert.Contains("format 9.9", error.Message);
        Assert.Contains(DatasetPath, error.Message);
        Assert.Equal(files, Directory.GetFiles(DatasetPath, "*", SearchOption.AllDirectories).Order());
    }

    // Every data file is a legacy file: footer version 0.2, and the manifest records 0.2 under data format 0.1.
    private void AssertAllFilesLegacy()
    {
        var manifest = Directory.GetFiles(Path.Combine(DatasetPath, "_versions"), "*.manifest")
            .Select(f => ManifestCodec.Decode(File.ReadAllBytes(f))).MaxBy(m => m.Version)!;
        Assert.Equal("0.1", manifest.DataFormatVersion);
        foreach (var file in manifest.Fragments.SelectMany(f => f.Files))
        {
            Assert.Equal((0u, 2u), (file.FileMajorVersion, file.FileMinorVersion));
            Assert.Empty(file.ColumnIndices);
            var bytes = File.ReadAllBytes(Path.Combine(DatasetPath, "data", file.Path));
            Assert.Equal((0, 2), (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(bytes.Length - 8)), BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(bytes.Length - 6))));
            Assert.Equal("LANC"u8.ToArray(), bytes[^4..]);
            using var reader = DataFileReader.FromBytes(bytes, file.Path);
            Assert.True(reader.IsLegacy);
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

    // Every row (id, text, vector) LanceDB scans equals ours; our null texts read as null on both sides.
    private async Task AssertSameRowsAsync(LanceDataset dataset, string when)
    {
        var scan = await _peer.ScanAsync(_db.Path, Table, columns: ["id", "text", "vector"]);
        var ours = new List<(long, string?, string)>();
        await foreach (var batch in dataset.ScanAsync(["id", "text", "vector"]))
        {
            var ids = (Int64Array)batch.Column(0);
            var texts = (StringArray)batch.Column(1);
            var vectors = (FixedSizeListArray)batch.Column(2);
            var items = (FloatArray)vectors.Values;
            for (int i = 0; i < batch.Length; i++)
            {
                ours.Add((ids.GetValue(i)!.Value, texts.GetString(i), string.Join(",", items.Values.Slice((vectors.Offset + i) * Dimension, Dimension).ToArray())));
            }
        }

        Assert.True(ours.Count == scan.Rows.Count, $"{when}: we see {ours.Count} rows, LanceDB {scan.Rows.Count}");
        Assert.Equal(scan.Rows.Select(r => (r.GetInt64("id"), r.GetString("text"), string.Join(",", r.GetVector("vector")!))).Order(), ours.Order());
        var mine = ours.Where(r => r.Item1 >= 100_000).ToList();
        Assert.All(mine, r => Assert.Equal(string.Join(",", Vector((int)r.Item1)), r.Item3));
    }

    private Task AssertSameNearestAsync(LanceDataset dataset, float[] query, string when) =>
        ForeignRows.AssertSameNearestAsync(_peer, _db.Path, Table, dataset, query, when, precision: 3);

    private static float[] Vector(int seed) => ForeignRows.Vector(seed, Dimension);

    private static RecordBatch Rows(int start, int count) => ForeignRows.Rows(start, count, Dimension, id => id % 10 == 9 ? null : $"ours {id}");
}
