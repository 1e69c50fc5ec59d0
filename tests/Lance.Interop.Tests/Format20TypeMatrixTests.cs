using System.Text.Json;
using Apache.Arrow;
using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// Every column type of the matrix, written by us in file format 2.0: we read LanceDB's 2.0 table of
/// the whole type matrix (lists, structs, a dictionary column, nulls everywhere) and append its rows
/// to it again, as format 2.0 data files; LanceDB must then return every row twice, equal.
/// </summary>
public sealed class Format20TypeMatrixTests(ForeignCorpus corpus) : IClassFixture<ForeignCorpus>
{
    private const string Table = "types_2_0";

    [Fact]
    public async Task Rows_of_every_matrix_type_we_append_to_a_2_0_dataset_read_equal_in_LanceDB()
    {
        using var db = TempCopy.DatabaseWith(corpus.Dataset(Table), Table);

        await CorpusReappend.AssertLanceDbReadsEveryRowTwiceAsync(corpus, db, Table, "2.0");
    }

    [Fact]
    public async Task Nested_columns_we_append_over_several_offset_pages_read_equal_in_LanceDB()
    {
        // 47 copies of the 3,000 rows make a file of 141,000 rows: lists, structs and strings there
        // span two pages (128Ki rows each), so the second page's lists find their items after the first's.
        string[] columns = ["id", "l_i32", "l_s", "l_struct", "st", "s"];
        const int Copies = 47;
        using var db = TempCopy.DatabaseWith(corpus.Dataset(Table), Table);
        var dataset = await LanceDataset.OpenAsync(Path.Combine(db.Path, Table + ".lance"));
        var batches = new List<RecordBatch>();
        await foreach (var batch in dataset.ScanAsync(columns))
        {
            batches.Add(batch);
        }

        await dataset.AppendAsync(Enumerable.Repeat(batches, Copies).SelectMany(b => b));

        // Rows each side of the page boundary (row 131,072 of the file is id 2,072 of copy 43).
        long[] ids = [0, 7, 2071, 2072, 2073, 2999];
        using var expected = corpus.Expected(Table);
        var want = expected.RootElement.GetProperty("rows").EnumerateArray().Where(r => ids.Contains(long.Parse(r.GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture))).ToList();
        using var scan = await LanceDbPeer.Default.RunAsync("scan", new { db = db.Path, table = Table, columns, filter = $"id IN ({string.Join(", ", ids)})" });
        var rows = scan.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal((Copies + 1) * ids.Length, rows.Count);
        foreach (var column in columns)
        {
            var wanted = want.SelectMany(r => Enumerable.Repeat(CorpusReappend.Key(r, column), Copies + 1)).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(wanted, rows.Select(r => CorpusReappend.Key(r, column)).Order(StringComparer.Ordinal).ToList());
        }

        // And we read the same rows back from our own file.
        var byId = want.ToDictionary(r => r.GetProperty("id").GetString()!);
        int ours = 0;
        await foreach (var batch in dataset.ScanAsync(new ScanRequest { Columns = columns, Filter = $"id IN ({string.Join(", ", ids)})" }))
        {
            for (int i = 0; i < batch.Length; i++, ours++)
            {
                var row = byId[ForeignArrowJson.Render(batch.Column(0), i)!.GetValue<string>()];
                for (int c = 1; c < columns.Length; c++)
                {
                    var difference = ForeignArrowJson.Difference(row.GetProperty(columns[c]), ForeignArrowJson.Render(batch.Column(c), i));
                    Assert.True(difference is null, $"{columns[c]} of id {row.GetProperty("id")}: {difference}");
                }
            }
        }

        Assert.Equal((Copies + 1) * ids.Length, ours);
    }
}
