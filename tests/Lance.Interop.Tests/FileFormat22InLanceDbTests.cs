using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;
using Lance.Engine.DataFiles;
using Lance.Engine.Format;
using Lance.Engine.Tests.Format;

namespace Lance.Interop.Tests;

/// <summary>
/// Tables of Lance file format 2.2 that LanceDB made (<c>new_table_data_storage_version: "2.2"</c>):
/// we append, update and delete, and LanceDB keeps reading, appending, deleting, compacting and
/// indexing them. LanceDB scans a 2.2 table holding a 2.1 file without complaint but refuses to
/// append to, delete from or compact it ("All data files must have the same version"), so every
/// round here has LanceDB write after us.
/// </summary>
public sealed class FileFormat22InLanceDbTests : IDisposable
{
    private const int Dimension = 384;
    private const string Table = "t";
    private static readonly string[] ScalarColumns = ["id", "text", "n32", "score", "flag", "day", "tags", "meta"];
    private static readonly StructType MetaType = new([new Field("a", Int32Type.Default, true), new Field("b", StringType.Default, true)]);
    private static Schema RowSchema(int dimension) => new(
        [
            new Field("id", Int64Type.Default, nullable: false),
            new Field("text", StringType.Default, nullable: true),
            new Field("vector", new FixedSizeListType(new Field("item", FloatType.Default, true), dimension), nullable: true),
            new Field("n32", Int32Type.Default, nullable: true),
            new Field("score", DoubleType.Default, nullable: true),
            new Field("flag", BooleanType.Default, nullable: true),
            new Field("day", Date32Type.Default, nullable: true),
            new Field("tags", new ListType(new Field("item", StringType.Default, true)), nullable: true),
            new Field("meta", MetaType, nullable: true),
        ],
        null);

    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    private string DatasetPath => Path.Combine(_db.Path, Table + ".lance");

    [Fact]
    public async Task LanceDB_and_we_take_turns_on_a_2_2_table_and_agree_every_round()
    {
        await OpsAsync(new { extra = true, create = new { rows = 600, dim = Dimension, storageVersion = "2.2" } });
        var query = Vector(424242);
        for (int round = 0; round < 3; round++)
        {
            // LanceDB appends, deletes and (round 1) builds an IVF_PQ index, on top of our last round's files.
            var lance = await OpsAsync(new
            {
                extra = true,
                add = new { start = 10_000 * (round + 1), rows = 300, dim = Dimension },
                delete = $"id % 11 = {round}",
                index = round == 1 ? new { numPartitions = 2, numSubVectors = 16 } : null,
            });
            var dataset = await LanceDataset.OpenAsync(DatasetPath);
            Assert.Equal(lance.GetProperty("countRows").GetInt64(), dataset.CountRows());

            await dataset.AppendAsync([Rows(100_000 * (round + 1), 200)]);
            Assert.True(await dataset.UpdateAsync($"id % 13 = {round}", new Dictionary<string, object?> { ["text"] = $"updated {round}", ["n32"] = round }) > 0);
            Assert.True(await dataset.DeleteAsync($"id % 17 = {round}") > 0);

            AssertEveryDataFileIs22();
            await AssertSameRowsAsync(dataset, $"round {round}");
            await AssertSameNearestAsync(dataset, query, $"round {round}");
            if (round >= 1)
            {
                await AssertIndexSearchFindsLiveRowsAsync(dataset, query, $"round {round}");
            }
        }

        // LanceDB compacts every fragment, ours included, into 2.2 files; we still read the same rows.
        var optimized = await OpsAsync(new { optimize = true });
        var reopened = await LanceDataset.OpenAsync(DatasetPath);
        Assert.Equal(optimized.GetProperty("countRows").GetInt64(), reopened.CountRows());
        AssertEveryDataFileIs22();
        await AssertSameRowsAsync(reopened, "after LanceDB's compaction");
        await AssertSameNearestAsync(reopened, query, "after LanceDB's compaction");
    }

    [Fact]
    public async Task LanceDB_reads_every_type_of_the_matrix_from_a_2_2_table_we_overwrote_and_appended_to_and_compacts_it()
    {
        await OpsAsync(new { create = new { rows = 10, dim = 4, storageVersion = "2.2" } });
        var dataset = await LanceDataset.OpenAsync(DatasetPath);
        List<RecordBatch> written = [TypeMatrix.Batch(0, 700), TypeMatrix.Batch(700, 500)];

        await dataset.OverwriteAsync([written[0]], TypeMatrix.Schema);
        await dataset.AppendAsync([written[1]]);

        AssertEveryDataFileIs22();
        await AssertLanceDbReadsAsync(TypeMatrixInLanceDbTests.ExpectedById(written), "after our writes");

        // Compaction and a delete by LanceDB: it refuses both on a table whose files differ in version.
        await OpsAsync(new { delete = "id % 3 = 0", optimize = true });
        var expected = TypeMatrixInLanceDbTests.ExpectedById(written).Where(p => p.Key % 3 != 0).ToDictionary();
        await AssertLanceDbReadsAsync(expected, "after LanceDB's delete and compaction");
        Assert.Equal(expected.Count, (await LanceDataset.OpenAsync(DatasetPath)).CountRows());
    }

    [Fact]
    public async Task A_2_2_dataset_we_create_is_one_LanceDB_appends_to_deletes_from_and_compacts()
    {
        var schema = new Schema(RowSchema(Dimension).FieldsList.Take(3), null);
        var first = Rows(0, 500);
        await LanceDataset.CreateAsync(
            DatasetPath, schema, [new RecordBatch(schema, [first.Column(0), first.Column(1), first.Column(2)], first.Length)],
            options: new DatasetWriteOptions { DataStorageVersion = "2.2" });
        AssertEveryDataFileIs22();

        var lance = await OpsAsync(new { add = new { start = 1000, rows = 100, dim = Dimension }, delete = "id % 4 = 0", optimize = true });

        Assert.Equal(450, lance.GetProperty("countRows").GetInt64());
        Assert.Equal(450, await _peer.CountAsync(_db.Path, Table));
        var dataset = await LanceDataset.OpenAsync(DatasetPath);
        Assert.Equal(450, dataset.CountRows());
        AssertEveryDataFileIs22();
    }

    [Fact]
    public async Task A_2_0_dataset_we_create_is_one_LanceDB_appends_to_deletes_from_and_compacts()
    {
        var schema = new Schema(RowSchema(Dimension).FieldsList.Take(3), null);
        var first = Rows(0, 500);
        await LanceDataset.CreateAsync(
            DatasetPath, schema, [new RecordBatch(schema, [first.Column(0), first.Column(1), first.Column(2)], first.Length)],
            options: new DatasetWriteOptions { DataStorageVersion = "2.0" });
        AssertEveryDataFileIs20();

        var lance = await OpsAsync(new { add = new { start = 1000, rows = 100, dim = Dimension }, delete = "id % 4 = 0", optimize = true });

        Assert.Equal(450, lance.GetProperty("countRows").GetInt64());
        Assert.Equal(450, await _peer.CountAsync(_db.Path, Table));
        Assert.Equal(450, (await LanceDataset.OpenAsync(DatasetPath)).CountRows());
        AssertEveryDataFileIs20();
    }

    [Fact]
    public async Task After_our_merge_insert_new_column_and_compaction_LanceDB_reads_the_2_2_table_and_deletes_indexes_and_compacts_it()
    {
        const int dimension = 16;
        await OpsAsync(new { extra = true, create = new { rows = 400, dim = dimension, storageVersion = "2.2" } });
        await OpsAsync(new { extra = true, add = new { start = 400, rows = 200, dim = dimension } });
        var dataset = await LanceDataset.OpenAsync(DatasetPath);

        var merged = await dataset.MergeInsertAsync(["id"], [Rows(590, 20, dimension)], MergeInsertOptions.Upsert);
        await dataset.AddColumnsAsync(new Dictionary<string, string> { ["twice"] = "id * 2" });
        await dataset.DeleteAsync("id % 5 = 0");
        var compacted = await dataset.CompactAsync();

        Assert.Equal((10L, 10L), (merged.Inserted, merged.Updated));
        Assert.True(compacted.FragmentsAdded > 0, "nothing was compacted");
        AssertEveryDataFileIs22();
        string[] columns = ["id", "text", "twice", "n32", "tags", "meta"];
        var scan = await _peer.ScanAsync(_db.Path, Table, columns: columns);
        var ours = await OursByIdAsync(dataset, new ScanRequest { Columns = columns });
        Assert.Equal(ours.Count, scan.Rows.Count);
        AssertSame(ours, scan.Rows, "after our writes");
        Assert.All(scan.Rows, row => Assert.Equal(row.GetInt64("id") * 2, row.GetInt64("twice")));

        var lance = await OpsAsync(new { delete = "id % 7 = 0", index = new { numPartitions = 2, numSubVectors = 4 }, optimize = true });

        var reopened = await LanceDataset.OpenAsync(DatasetPath);
        Assert.Equal(ours.Keys.Count(id => id % 7 != 0), lance.GetProperty("countRows").GetInt64());
        Assert.Equal(lance.GetProperty("countRows").GetInt64(), reopened.CountRows());
        Assert.Contains("vector_idx", lance.GetProperty("indices").EnumerateArray().Select(e => e.GetString()));
        AssertEveryDataFileIs22();
    }

    // 2.0 data files say 2.0 in the manifest and 0.3 in their footer, as LanceDB writes them.
    private void AssertEveryDataFileIs20()
    {
        var (_, path) = Lance.Engine.Dataset.VersionNames.List(DatasetPath)[0];
        var manifest = ManifestCodec.Decode(File.ReadAllBytes(path), path);
        Assert.Equal("2.0", manifest.DataFormatVersion);
        Assert.All(manifest.Fragments.SelectMany(f => f.Files), file =>
        {
            Assert.Equal((2u, 0u), (file.FileMajorVersion, file.FileMinorVersion));
            using var reader = DataFileReader.Open(Path.Combine(DatasetPath, "data", file.Path));
            Assert.Equal((0, 3), (reader.MajorVersion, reader.MinorVersion));
        });
    }

    private void AssertEveryDataFileIs22()
    {
        var (_, path) = Lance.Engine.Dataset.VersionNames.List(DatasetPath)[0];
        var manifest = ManifestCodec.Decode(File.ReadAllBytes(path), path);
        Assert.Equal("2.2", manifest.DataFormatVersion);
        Assert.All(manifest.Fragments.SelectMany(f => f.Files), file =>
        {
            Assert.Equal((2u, 2u), (file.FileMajorVersion, file.FileMinorVersion));
            using var reader = DataFileReader.Open(Path.Combine(DatasetPath, "data", file.Path));
            Assert.Equal((2, 2), (reader.MajorVersion, reader.MinorVersion));
        });
    }

    private async Task AssertLanceDbReadsAsync(Dictionary<long, JsonObject> expected, string when)
    {
        using var doc = await _peer.RunAsync("scan-types", new { db = _db.Path, table = Table, select = TypeMatrixInLanceDbTests.Select() });

        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.True(rows.Count == expected.Count, $"{when}: LanceDB read {rows.Count} rows, {expected.Count} expected");
        var mismatches = rows
            .SelectMany(row => expected[long.Parse(row.GetProperty("id").GetString()!, CultureInfo.InvariantCulture)]
                .Where(p => !row.TryGetProperty(p.Key, out var actual) || !TypeMatrixInLanceDbTests.SameJson(p.Value, actual))
                .Select(p => $"row {row.GetProperty("id")}, column '{p.Key}': expected {TypeMatrixInLanceDbTests.Shorten(p.Value?.ToJsonString() ?? "null")}"))
            .ToList();
        Assert.True(mismatches.Count == 0, $"{when}: {mismatches.Count} values differ; first ones:\n{string.Join("\n", mismatches.Take(15))}");
    }

    private async Task<JsonElement> OpsAsync(object args)
    {
        var dict = JsonSerializer.SerializeToElement(args).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
        dict["db"] = _db.Path;
        dict["table"] = Table;
        using var doc = await _peer.RunAsync("foreign-ops", dict);
        return doc.RootElement.Clone();
    }

    // Every column but the vector for every row, and the vectors of every 20th id; both sides must
    // agree, and LanceDB's countRows must agree with its own scan.
    private async Task AssertSameRowsAsync(LanceDataset dataset, string when)
    {
        var scan = await _peer.ScanAsync(_db.Path, Table, columns: ScalarColumns);
        Assert.Equal(await _peer.CountAsync(_db.Path, Table), scan.Rows.Count);
        var ours = await OursByIdAsync(dataset, new ScanRequest { Columns = ScalarColumns });
        Assert.True(ours.Count == scan.Rows.Count, $"{when}: we see {ours.Count} rows, LanceDB {scan.Rows.Count}");
        AssertSame(ours, scan.Rows, when);

        var vectors = await _peer.ScanAsync(_db.Path, Table, columns: ["id", "vector"], filter: "id % 20 = 0");
        var ourVectors = await OursByIdAsync(dataset, new ScanRequest { Columns = ["id", "vector"], Filter = "id % 20 = 0" });
        Assert.True(vectors.Rows.Count > 10 && ourVectors.Count == vectors.Rows.Count, $"{when}: {ourVectors.Count} vectors for us, {vectors.Rows.Count} for LanceDB");
        AssertSame(ourVectors, vectors.Rows, when);
    }

    private static void AssertSame(Dictionary<long, JsonObject> ours, IReadOnlyList<PeerRow> theirs, string when)
    {
        var mismatches = new List<string>();
        foreach (var row in theirs)
        {
            long id = row.GetInt64("id");
            if (!ours.TryGetValue(id, out var mine))
            {
                mismatches.Add($"id {id}: LanceDB has it, we do not");
                continue;
            }

            mismatches.AddRange(mine.Where(p => !TypeMatrixInLanceDbTests.SameJson(p.Value, row[p.Key]))
                .Select(p => $"id {id}, column '{p.Key}': ours {TypeMatrixInLanceDbTests.Shorten(p.Value?.ToJsonString() ?? "null")}, LanceDB {TypeMatrixInLanceDbTests.Shorten(row[p.Key].GetRawText())}"));
        }

        Assert.True(mismatches.Count == 0, $"{when}: {mismatches.Count} differences; first ones:\n{string.Join("\n", mismatches.Take(15))}");
    }

    private static async Task<Dictionary<long, JsonObject>> OursByIdAsync(LanceDataset dataset, ScanRequest request)
    {
        var rows = new Dictionary<long, JsonObject>();
        await foreach (var batch in dataset.ScanAsync(request))
        {
            var ids = (Int64Array)batch.Column("id");
            for (int r = 0; r < batch.Length; r++)
            {
                var row = new JsonObject();
                for (int c = 0; c < batch.ColumnCount; c++)
                {
                    row[batch.Schema.FieldsList[c].Name] = ArrowValues.Json(batch.Column(c), r);
                }

                rows.Add(ids.GetValue(r)!.Value, row);
            }
        }

        return rows;
    }

    // LanceDB's IVF_PQ search (its index covers its own rows; ours are searched flat beside it)
    // returns live rows only: none we deleted or replaced by an update.
    private async Task AssertIndexSearchFindsLiveRowsAsync(LanceDataset dataset, float[] query, string when)
    {
        var search = await _peer.SearchAsync(_db.Path, Table, query, k: 20, columns: ["id", "text"]);
        var ours = await OursByIdAsync(dataset, new ScanRequest { Columns = ["id", "text"] });

        Assert.Equal(20, search.Rows.Count);
        Assert.All(search.Rows, row =>
        {
            long id = row.GetInt64("id");
            Assert.True(ours.TryGetValue(id, out var mine), $"{when}: LanceDB's index search returned id {id}, which is not a live row");
            Assert.Equal((string?)mine!["text"], row.GetString("text"));
        });
    }

    // Our rows, with the extra columns' values foreign-ops.mjs gives a LanceDB row of the same id.
    private static RecordBatch Rows(int start, int count, int dimension = Dimension)
    {
        var schema = RowSchema(dimension);
        var ids = Enumerable.Range(start, count).ToList();
        var words = new[] { "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa" };
        IArrowArray Column(int index, Func<int, object?> value) =>
            ArrowValues.Build(schema.FieldsList[index].DataType, ids.Select(value).ToList());
        return new RecordBatch(
            schema,
            [
                Column(0, id => (long)id),
                Column(1, id => id % 10 == 9 ? null : $"{words[id % 10]} ours {id}"),
                Column(2, id => Vector(id, dimension)),
                Column(3, id => id % 7 == 3 ? null : id * 3 - 1000),
                Column(4, id => id % 5 == 1 ? null : id / 8.0),
                Column(5, id => id % 11 == 4 ? null : id % 3 == 0),
                Column(6, id => id % 9 == 2 ? null : DateOnly.FromDateTime(DateTime.UnixEpoch).AddDays(19000 + (id % 1000))),
                Column(7, id => id % 6 == 5 ? null : Enumerable.Range(0, id % 3).Select(k => (object?)$"t{id}.{k}").ToArray()),
                Column(8, id => id % 8 == 7 ? null : new object?[] { id % 100, $"m{id}" }),
            ],
            count);
    }

    private Task AssertSameNearestAsync(LanceDataset dataset, float[] query, string when) =>
        ForeignRows.AssertSameNearestAsync(_peer, _db.Path, Table, dataset, query, when, precision: 2, requireFull: true);

    private static float[] Vector(int seed, int dimension = Dimension) => ForeignRows.Vector(seed, dimension);
}
