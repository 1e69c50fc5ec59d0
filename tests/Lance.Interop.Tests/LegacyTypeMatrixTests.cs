using System.Text.Json;
using Apache.Arrow;
using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// Every column type LanceDB's legacy (0.1) writer accepts, written by us in that format: we read
/// LanceDB's legacy table of the type matrix (lists, structs, vectors, a dictionary column, nulls
/// everywhere) and append its rows to it again as legacy data files; LanceDB must then return every
/// row twice, equal. The legacy format keeps no nulls, so what we write for a null is what LanceDB
/// wrote for it, and both copies read the same.
/// </summary>
public sealed class LegacyTypeMatrixTests(ForeignCorpus corpus) : IClassFixture<ForeignCorpus>
{
    private const string Table = "types_legacy";

    [Fact]
    public async Task Rows_of_every_matrix_type_we_append_to_a_legacy_dataset_read_equal_in_LanceDB()
    {
        using var db = TempCopy.DatabaseWith(corpus.Dataset(Table), Table);

        var rows = await CorpusReappend.AssertLanceDbReadsEveryRowTwiceAsync(corpus, db, Table, "legacy");

        // And LanceDB keeps appending to the table after us.
        using var more = await LanceDbPeer.Default.RunAsync("foreign-ops", new { db = db.Path, table = Table, readd = "id < 100" });
        Assert.Equal(2 * rows + 200, more.RootElement.GetProperty("countRows").GetInt64());
    }

    [Fact]
    public async Task A_row_of_nulls_we_append_reads_in_LanceDB_as_we_read_it_back()
    {
        using var db = TempCopy.DatabaseWith(corpus.Dataset(Table), Table);
        var path = Path.Combine(db.Path, Table + ".lance");
        var dataset = await LanceDataset.OpenAsync(path);

        // Only the id and a dictionary value: every other column is null, which legacy files cannot mark.
        await dataset.AppendAsync([Row(5000, dictionaryKey: 1, ["alpha", "beta"])]);

        using var scan = await LanceDbPeer.Default.RunAsync("scan", new { db = db.Path, table = Table, filter = "id = 5000" });
        var theirs = Assert.Single(scan.RootElement.GetProperty("rows").EnumerateArray().ToList());
        Assert.Equal("beta", theirs.GetProperty("dict_s").GetString());
        Assert.Equal(0, theirs.GetProperty("i32").GetInt32());
        var ours = new List<RecordBatch>();
        await foreach (var batch in dataset.ScanAsync(new ScanRequest { Filter = "id = 5000" }))
        {
            ours.Add(batch);
        }

        var row = Assert.Single(ours, b => b.Length > 0);
        for (int c = 0; c < row.ColumnCount; c++)
        {
            var difference = ForeignArrowJson.Difference(theirs.GetProperty(row.Schema.GetFieldByIndex(c).Name), ForeignArrowJson.Render(row.Column(c), 0));
            Assert.True(difference is null, $"{row.Schema.GetFieldByIndex(c).Name}: {difference}");
        }
    }

    [Fact]
    public async Task A_dictionary_value_the_legacy_dataset_lacks_is_refused_and_nothing_is_written()
    {
        using var db = TempCopy.DatabaseWith(corpus.Dataset(Table), Table);
        var path = Path.Combine(db.Path, Table + ".lance");
        var dataset = await LanceDataset.OpenAsync(path);
        var files = Directory.GetFiles(path, "*", SearchOption.AllDirectories).Order().ToList();

        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => dataset.AppendAsync([Row(5000, dictionaryKey: 0, ["omega"])]));

        Assert.Contains("dict_s", error.Message);
        Assert.Contains("omega", error.Message);
        Assert.Equal(files, Directory.GetFiles(path, "*", SearchOption.AllDirectories).Order());
    }

    private static RecordBatch Row(long id, int dictionaryKey, string[] dictionary)
    {
        var type = new Apache.Arrow.Types.DictionaryType(Apache.Arrow.Types.Int32Type.Default, Apache.Arrow.Types.StringType.Default, false);
        var values = new StringArray.Builder().AppendRange(dictionary).Build();
        var keys = new Int32Array.Builder().Append(dictionaryKey).Build();
        var schema = new Schema([new Field("id", Apache.Arrow.Types.Int64Type.Default, false), new Field("dict_s", type, true)], null);
        return new RecordBatch(schema, [new Int64Array.Builder().Append(id).Build(), new DictionaryArray(type, keys, values)], 1);
    }
}
