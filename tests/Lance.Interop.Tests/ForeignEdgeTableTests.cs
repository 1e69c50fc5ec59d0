using System.Globalization;
using Apache.Arrow;
using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// Our engine reads every value of LanceDB's edge-case tables (<see cref="ForeignEdgeTables"/>) equal to
/// what LanceDB returns for them, in every storage version LanceDB writes them in.
/// </summary>
public sealed class ForeignEdgeTableTests(ForeignEdgeTables tables) : IClassFixture<ForeignEdgeTables>
{
    /// <summary>The tables make-edge-tables.mjs makes: its groups in the storage versions each is made in.</summary>
    public static readonly string[] TableNames =
    [
        "vectors_2_0", "vectors_2_1", "vectors_2_2",
        "wide_vectors_2_0", "wide_vectors_2_1", "wide_vectors_2_2",
        "big_2_1", "big_2_2",
        "lists_2_0", "lists_2_1", "lists_2_2",
    ];

    public static TheoryData<string> Tables => new(TableNames);

    /// <summary>Float32 vector columns with null rows (and null items): (table, column, dimension).</summary>
    public static TheoryData<string, string, int> NullableVectorColumns()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var version in new[] { "2_0", "2_1", "2_2" })
        {
            foreach (var (column, dimension) in new[] { ("v_f32_2", 2), ("v_f32_8", 8), ("v_f32_8_items", 8), ("v_f32_8_all_null", 8) })
            {
                data.Add($"vectors_{version}", column, dimension);
            }

            foreach (var (column, dimension) in new[] { ("v_f32_64", 64), ("v_f32_256", 256), ("v_f32_256_items", 256), ("v_f32_128_late_nulls", 128), ("v_f32_64_all_null", 64) })
            {
                data.Add($"wide_vectors_{version}", column, dimension);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NullableVectorColumns))]
    public async Task Searching_vectors_with_null_rows_finds_LanceDBs_rows_at_its_distances(string table, string column, int dimension)
    {
        var query = Enumerable.Range(0, dimension).Select(i => (float)Math.Sin(i + 1) / 2).ToArray();
        using var db = TempCopy.DatabaseWith(tables.Dataset(table), table);
        using var doc = await LanceDbPeer.Default.RunAsync("search", new { db = db.Path, table, column, vector = query, k = 25, columns = new[] { "id" }, exact = true });
        var theirs = doc.RootElement.GetProperty("rows").EnumerateArray()
            .Select(r => (Id: long.Parse(r.GetProperty("id").GetString()!, CultureInfo.InvariantCulture), Distance: r.GetProperty("_distance").GetDouble())).ToList();

        var dataset = await LanceDataset.OpenAsync(tables.Dataset(table));
        var result = await dataset.SearchAsync(new VectorSearchRequest(column, query, 25) { Columns = ["id"] });
        var ids = (Int64Array)result.Column("id");
        var distances = (FloatArray)result.Column(LanceDataset.DistanceColumn);

        Assert.Equal(theirs.Count, result.Length);
        for (int i = 0; i < theirs.Count; i++)
        {
            Assert.True(theirs[i].Id == ids.GetValue(i), $"neighbour {i} is {theirs[i].Id} for LanceDB, {ids.GetValue(i)} for us");
            // float32 sums in another order: equal to a few units in the last place.
            double ours = distances.GetValue(i)!.Value;
            Assert.True(Math.Abs(theirs[i].Distance - ours) <= 1e-5 * Math.Max(1, Math.Abs(ours)), $"neighbour {i}: distance {theirs[i].Distance} for LanceDB, {ours} for us");
        }
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public async Task LanceDB_reads_every_value_we_append_in_its_tables_storage_version(string table)
    {
        using var expected = tables.Expected(table);
        using var db = TempCopy.DatabaseWith(tables.Dataset(table), table);

        int rows = await CorpusReappend.AssertLanceDbReadsEveryRowTwiceAsync(expected, db, table, table[(table.LastIndexOf('_') - 1)..].Replace('_', '.'));

        Assert.Equal(expected.RootElement.GetProperty("rowCount").GetInt32(), rows);
    }

    [Fact]
    public void LanceDB_writes_every_edge_case_column_in_every_storage_version()
    {
        var refused = tables.Report.RootElement.GetProperty("refused");
        var made = tables.Report.RootElement.GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("table").GetString()!).Order();

        Assert.True(refused.GetArrayLength() == 0, $"LanceDB or apache-arrow refused: {refused.GetRawText()}");
        Assert.Equal(TableNames.Order(), made);
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public async Task Every_value_we_read_equals_what_LanceDB_returns(string table)
    {
        using var expected = tables.Expected(table);

        var failures = await ForeignScanComparison.CompareAsync(tables.Dataset(table), expected);

        Assert.True(failures.Count == 0, $"{table}: {failures.Count} column(s) differ from LanceDB:\n  " + string.Join("\n  ", failures));
    }
}
