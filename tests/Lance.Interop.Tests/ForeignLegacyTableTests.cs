using System.Globalization;
using Lance.Engine;
using Lance.Orm;

namespace Lance.Interop.Tests;

/// <summary>
/// A typed table over a table LanceDB wrote in the legacy (0.1) file format, storage version
/// "legacy": 2,500 rows in one data file of three batches, with a deletion file. Typed queries,
/// filters and exact vector search agree with LanceDB on the same files; deleting works (a deletion
/// file is format-neutral), also in rounds with LanceDB's own appends and deletes; columns LanceDB
/// adds read from their own file; rows a typed table adds go to a legacy file LanceDB reads; a
/// one-batch vector column can be handed out without a copy.
/// </summary>
public sealed class ForeignLegacyTableTests : IDisposable
{
    private const string Table = "items";
    private const int Dimension = 16;
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    private string DatasetPath => Path.Combine(_db.Path, Table + ".lance");

    private async Task<Table<ForeignItem>> LegacyTableAsync()
    {
        using var made = await _peer.RunAsync("foreign-ops", new
        {
            db = _db.Path,
            table = Table,
            create = new { rows = 2500, dim = Dimension, storageVersion = "legacy" },
            delete = "id % 9 = 4",
        });
        var db = await LanceDb.ConnectAsync(_db.Path);
        return await db.OpenTableAsync<ForeignItem>(Table);
    }

    [Fact]
    public async Task LanceDB_wrote_one_legacy_data_file_of_three_batches()
    {
        await LegacyTableAsync();

        var file = Assert.Single(Directory.GetFiles(Path.Combine(DatasetPath, "data")));
        using var reader = Lance.Engine.DataFiles.DataFileReader.Open(file);
        Assert.True(reader.IsLegacy);
        Assert.Equal(["Legacy(Plain, 3 batches)"], reader.DescribePages(reader.Schema.FindField("vector")!));
    }

    [Fact]
    public async Task A_typed_query_reads_the_rows_LanceDB_scans()
    {
        var table = await LegacyTableAsync();

        var ours = await table.Query().ToListAsync();
        var theirs = await _peer.ScanAsync(_db.Path, Table, columns: ["id", "text", "vector"]);

        Assert.Equal(theirs.Rows.Count, ours.Count);
        Assert.Equal(
            theirs.Rows.Select(r => (r.GetInt64("id"), r.GetString("text"), string.Join(",", r.GetVector("vector")!))).Order(),
            ours.Select(r => (r.Id, r.Text, string.Join(",", r.Vector!))).Order());
    }

    [Fact]
    public async Task A_typed_filter_counts_what_LanceDB_counts()
    {
        var table = await LegacyTableAsync();

        long ours = await table.Query().Where(x => x.Id < 1800 && x.Text != null).CountAsync();
        long theirs = await _peer.CountAsync(_db.Path, Table, filter: "id < 1800 AND text IS NOT NULL");

        Assert.Equal(theirs, ours);
    }

    [Fact]
    public async Task An_exact_vector_search_finds_LanceDBs_nearest_ids_at_its_distances()
    {
        var table = await LegacyTableAsync();
        var query = Vector(31337);

        var ours = await table.Search(query).Limit(10).BypassVectorIndex().ToSearchResultsAsync();
        using var doc = await _peer.RunAsync("search", new { db = _db.Path, table = Table, vector = query, k = 10, metric = "l2", columns = new[] { "id" }, exact = true });
        var theirs = doc.RootElement.GetProperty("rows").EnumerateArray()
            .Select(r => (Id: long.Parse(r.GetProperty("id").GetString()!, CultureInfo.InvariantCulture), Distance: r.GetProperty("_distance").GetDouble())).ToList();

        Assert.Equal(theirs.Select(t => t.Id), ours.Select(o => o.Row.Id));
        for (int i = 0; i < theirs.Count; i++)
        {
            Assert.Equal(theirs[i].Distance, ours[i].Distance, 3);
        }
    }

    [Fact]
    public async Task Deleting_from_a_legacy_table_works_and_LanceDB_sees_it()
    {
        var table = await LegacyTableAsync();

        await table.DeleteAsync(x => x.Id >= 2000);

        Assert.Equal(await _peer.CountAsync(_db.Path, Table), await table.CountRowsAsync());
        Assert.Equal(0, await _peer.CountAsync(_db.Path, Table, filter: "id >= 2000"));
        Assert.Equal(2000 - Enumerable.Range(0, 2000).Count(i => i % 9 == 4), await _peer.CountAsync(_db.Path, Table));
    }

    [Fact]
    public async Task LanceDB_and_we_take_turns_deleting_and_agree_on_rows_and_nearest_ids_every_round()
    {
        var table = await LegacyTableAsync();
        var query = Vector(4242);
        for (int round = 0; round < 3; round++)
        {
            // LanceDB appends (legacy files of its own) and deletes; then we delete, from its fragments and ours.
            using var lance = await _peer.RunAsync("foreign-ops", new
            {
                db = _db.Path,
                table = Table,
                add = new { start = 10_000 * (round + 1), rows = 300, dim = Dimension },
                delete = $"id % 13 = {round}",
            });
            await table.RefreshAsync();
            await table.DeleteAsync($"id % 17 = {round}");

            Assert.Equal(await _peer.CountAsync(_db.Path, Table), await table.CountRowsAsync());
            var ours = await table.Search(query).Limit(10).BypassVectorIndex().ToSearchResultsAsync();
            var theirs = await _peer.SearchAsync(_db.Path, Table, query, k: 10, columns: ["id"]);
            Assert.Equal(theirs.Rows.Select(r => r.GetInt64("id")), ours.Select(o => o.Row.Id));
        }
    }

    [Fact]
    public async Task Rows_a_typed_table_adds_to_a_legacy_table_go_to_a_legacy_file_LanceDB_reads()
    {
        var table = await LegacyTableAsync();
        long before = await _peer.CountAsync(_db.Path, Table);

        await table.AddAsync([new ForeignItem { Id = 90_000, Text = "new", Vector = Vector(1) }, new ForeignItem { Id = 90_001, Text = null, Vector = Vector(2) }]);

        Assert.Equal(before + 2, await _peer.CountAsync(_db.Path, Table));
        var theirs = await _peer.ScanAsync(_db.Path, Table, columns: ["id", "text", "vector"], filter: "id >= 90000");
        Assert.Equal(
            [(90_000L, (string?)"new", string.Join(",", Vector(1))), (90_001L, null, string.Join(",", Vector(2)))],
            theirs.Rows.Select(r => (r.GetInt64("id"), r.GetString("text"), string.Join(",", r.GetVector("vector")!))).Order());
        Assert.All(Directory.GetFiles(Path.Combine(DatasetPath, "data")), f =>
        {
            using var reader = Lance.Engine.DataFiles.DataFileReader.Open(f);
            Assert.True(reader.IsLegacy);
        });
    }

    [Fact]
    public async Task Columns_LanceDB_added_to_a_legacy_table_read_from_their_own_data_file()
    {
        await LegacyTableAsync();
        using var added = await _peer.RunAsync("foreign-ops", new
        {
            db = _db.Path,
            table = Table,
            addColumns = new[] { new { name = "twice", valueSql = "id * 2" }, new { name = "label", valueSql = "concat('x', cast(id as string))" } },
        });
        var dataset = await LanceDataset.OpenAsync(DatasetPath);

        var ours = new List<(long, long, string?, string?)>();
        await foreach (var batch in dataset.ScanAsync(["id", "twice", "label", "text"]))
        {
            var ids = (Apache.Arrow.Int64Array)batch.Column(0);
            var twice = (Apache.Arrow.Int64Array)batch.Column(1);
            var labels = (Apache.Arrow.StringArray)batch.Column(2);
            var texts = (Apache.Arrow.StringArray)batch.Column(3);
            for (int i = 0; i < batch.Length; i++)
            {
                ours.Add((ids.GetValue(i)!.Value, twice.GetValue(i)!.Value, labels.GetString(i), texts.GetString(i)));
            }
        }

        var theirs = await _peer.ScanAsync(_db.Path, Table, columns: ["id", "twice", "label", "text"]);
        var files = Directory.GetFiles(Path.Combine(DatasetPath, "data"));
        Assert.Equal(2, files.Length);
        Assert.All(files, f =>
        {
            using var reader = Lance.Engine.DataFiles.DataFileReader.Open(f);
            Assert.True(reader.IsLegacy);
        });
        Assert.Equal(
            theirs.Rows.Select(r => (r.GetInt64("id"), r.GetInt64("twice"), r.GetString("label"), r.GetString("text"))).Order(),
            ours.Order());
    }

    [Fact]
    public async Task The_vectors_of_a_one_batch_legacy_file_are_handed_out_in_place_when_mapping_is_asked_for()
    {
        // 1,000 rows of 384 floats: one batch, 1.5 MB of vectors, enough to map.
        using var made = await _peer.RunAsync("foreign-ops", new { db = _db.Path, table = "wide", create = new { rows = 1000, dim = 384, storageVersion = "legacy" } });
        var bytes = File.ReadAllBytes(Assert.Single(Directory.GetFiles(Path.Combine(_db.Path, "wide.lance", "data"))));
        using var reader = Lance.Engine.DataFiles.DataFileReader.FromBytes(bytes, "wide.lance");
        reader.MapFlatColumns = true;

        var vectors = (Apache.Arrow.FixedSizeListArray)reader.ReadColumn(reader.Schema.FindField("vector")!);
        var values = ((Apache.Arrow.FloatArray)vectors.Values).ValueBuffer.Memory;

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(values, out var segment));
        Assert.Same(bytes, segment.Array);
        Assert.Equal(1000 * 384 * 4, segment.Count);
        var theirs = await _peer.ScanAsync(_db.Path, "wide", columns: ["id", "vector"], filter: "id = 777");
        var row = (int)((Apache.Arrow.Int64Array)reader.ReadColumn(reader.Schema.FindField("id")!)).Values.IndexOf(777);
        Assert.Equal(theirs.Rows.Single().GetVector("vector"), ((Apache.Arrow.FloatArray)vectors.Values).Values.Slice(row * 384, 384).ToArray());
    }

    private static float[] Vector(int seed) => ForeignRows.Vector(seed, Dimension);
}
