using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// SQL literals in <c>UpdateWithSqlAsync</c> are stored as LanceDB stores them (its <c>update</c> with
/// <c>valuesSql</c> casts the literal to the column's type): floats into float16 and integer columns,
/// integers beyond int64, the strings 'NaN' and '±Infinity' into float columns, strings into dictionary
/// columns of every key width. Where LanceDB refuses a literal, we refuse it too. Cases the generative
/// harness found (seeds 5002–5112 of the first long run on the merged engine). Not compared: NULL into
/// a dictionary column, which LanceDB 0.31 refuses and we store as a null.
/// </summary>
public sealed class SqlUpdateLiteralsInLanceDbTests : IDisposable
{
    private static readonly (string Column, string Sql)[] Cases =
    [
        ("h", "-77.375"), ("h", "-1"), ("h", "'NaN'"), ("h", "'-Infinity'"), ("h", "'inf'"), ("h", "3.7"), ("h", "1e30"), ("h", "70000"), ("h", "5.960464477539063e-8"),
        ("f", "'NaN'"), ("f", "'-Infinity'"), ("f", "'Infinity'"), ("f", "'1.5'"), ("f", "1e30"), ("f", "'abc'"),
        ("d", "'NaN'"), ("d", "'nan'"), ("d", "'-Infinity'"), ("d", "10980725273059122142"),
        ("u", "10980725273059122142"), ("u", "18446744073709551615"), ("u", "3.7"), ("u", "-3.7"), ("u", "1e-5"), ("u", "'NaN'"),
        ("i", "-9223372036854775808"), ("i", "-77.375"), ("i", "1e30"), ("i", "'1.5'"),
        ("tag", "'delta'"), ("tag", "''"), ("tag", "'日本語'"), ("tag16", "'γάμμα'"), ("tag16", "'red'"),
    ];

    private readonly TempCopy _ours = TempCopy.Empty();

    public void Dispose() => _ours.Dispose();

    [Fact]
    public async Task Update_literals_are_stored_or_refused_as_LanceDB_stores_or_refuses_them()
    {
        var dataset = await LanceDataset.CreateAsync(Path.Combine(_ours.Path, "t.lance"), Batch().Schema, [Batch()]);
        using var twin = TempCopy.Of(_ours.Path);
        var updates = Cases.Select((c, row) => new { where = $"id = {row}", valuesSql = new Dictionary<string, string> { [c.Column] = c.Sql } }).ToArray();
        using var result = await LanceDbPeer.Default.RunAsync("fuzz-tables", new { twin = new { db = twin.Path, table = "t", updates } });
        var done = result.RootElement.GetProperty("done").EnumerateArray().Select(d => d.GetString()!).ToHashSet();

        var disagreements = new List<string>();
        for (var row = 0; row < Cases.Length; row++)
        {
            var (column, sql) = Cases[row];
            string? ours = null;
            try
            {
                await dataset.UpdateWithSqlAsync($"id = {row}", new Dictionary<string, string> { [column] = sql });
            }
            catch (Exception e) when (e is LanceSchemaException or LanceFilterException)
            {
                ours = e.Message;
            }

            if ((ours is null) != done.Contains($"update{row}"))
            {
                disagreements.Add($"{column} = {sql}: LanceDB {(done.Contains($"update{row}") ? "stores it" : "refuses it")}, we {(ours is null ? "store it" : "refuse it: " + ours)}");
            }
        }

        var theirs = (await LanceDbPeer.Default.ScanAsync(twin.Path, "t")).Rows.ToDictionary(r => r.GetInt64("id"));
        foreach (var row in (await LanceDbPeer.Default.ScanAsync(_ours.Path, "t")).Rows)
        {
            var id = row.GetInt64("id");
            foreach (var (column, value) in row.Values)
            {
                if (value.GetRawText() != theirs[id][column].GetRawText())
                {
                    disagreements.Add($"row {id} ({Cases[id].Column} = {Cases[id].Sql}), column {column}: LanceDB stores {theirs[id][column].GetRawText()}, we {value.GetRawText()}");
                }
            }
        }

        Assert.True(disagreements.Count == 0, string.Join("\n", disagreements));
    }

    [Fact]
    public async Task A_NaN_stored_from_the_string_NaN_sorts_above_infinity_as_in_LanceDB()
    {
        var dataset = await LanceDataset.CreateAsync(Path.Combine(_ours.Path, "t.lance"), Batch().Schema, [Batch()]);
        await dataset.UpdateWithSqlAsync("id < 3", new Dictionary<string, string> { ["d"] = "'NaN'", ["h"] = "'NaN'" });

        // LanceDB's NaN (Rust's) has the sign bit clear: above +∞ in the total order filters use.
        Assert.Equal(3, await dataset.CountRowsAsync("d > CAST('Infinity' AS double)"));
        Assert.Equal(3, await dataset.CountRowsAsync("h > CAST('Infinity' AS double)"));
        Assert.Equal(3, await LanceDbPeer.Default.CountAsync(_ours.Path, "t", "d > CAST('Infinity' AS double)"));
    }

    private static RecordBatch Batch()
    {
        var rows = Cases.Length;
        var tag = new DictionaryType(Int8Type.Default, StringType.Default, false);
        var tag16 = new DictionaryType(UInt16Type.Default, StringType.Default, false);
        var schema = new Schema(
            [
                new Field("id", Int64Type.Default, false), new Field("h", HalfFloatType.Default, true), new Field("f", FloatType.Default, true),
                new Field("d", DoubleType.Default, true), new Field("u", UInt64Type.Default, true), new Field("i", Int64Type.Default, true),
                new Field("tag", tag, true), new Field("tag16", tag16, true),
            ],
            null);
        var ids = new Int64Array.Builder();
        var h = new HalfFloatArray.Builder();
        var f = new FloatArray.Builder();
        var d = new DoubleArray.Builder();
        var u = new UInt64Array.Builder();
        var i = new Int64Array.Builder();
        var keys = new Int8Array.Builder();
        var keys16 = new UInt16Array.Builder();
        for (var row = 0; row < rows; row++)
        {
            ids.Append(row);
            h.Append((Half)row);
            f.Append(row);
            d.Append(row);
            u.Append((ulong)row);
            i.Append(row);
            keys.Append((sbyte)(row % 2));
            keys16.Append((ushort)(row % 2));
        }

        var words = new StringArray.Builder().Append("red").Append("green").Build();
        return new RecordBatch(schema,
            [ids.Build(), h.Build(), f.Build(), d.Build(), u.Build(), i.Build(), new DictionaryArray(tag, keys.Build(), words), new DictionaryArray(tag16, keys16.Build(), words)], rows);
    }
}
