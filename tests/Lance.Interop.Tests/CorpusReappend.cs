using System.Text.Json;
using Apache.Arrow;
using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// The check the format writers share: we read a type-matrix table LanceDB wrote, append every one
/// of its rows to it again with our writer for the table's format, and LanceDB must return each row
/// twice, every column equal to its own scan of the original.
/// </summary>
internal static class CorpusReappend
{
    /// <summary>
    /// Appends the rows of <paramref name="table"/> (a copy in <paramref name="db"/>) to themselves and
    /// asserts LanceDB reads each twice; returns the number of rows the original held.
    /// </summary>
    public static async Task<int> AssertLanceDbReadsEveryRowTwiceAsync(ForeignCorpus corpus, TempCopy db, string table, string format)
    {
        using var expected = corpus.Expected(table);
        return await AssertLanceDbReadsEveryRowTwiceAsync(expected, db, table, format);
    }

    /// <summary>
    /// Appends the rows of <paramref name="table"/> (a copy in <paramref name="db"/>) to themselves and
    /// asserts LanceDB reads each twice, equal to <paramref name="expected"/> (its scan of the original).
    /// </summary>
    public static async Task<int> AssertLanceDbReadsEveryRowTwiceAsync(JsonDocument expected, TempCopy db, string table, string format)
    {
        var dataset = await LanceDataset.OpenAsync(Path.Combine(db.Path, table + ".lance"));
        var batches = new List<RecordBatch>();
        await foreach (var batch in dataset.ScanAsync())
        {
            batches.Add(batch);
        }

        await dataset.AppendAsync(batches);

        using var scan = await LanceDbPeer.Default.RunAsync("scan", new { db = db.Path, table });
        var expectedRows = expected.RootElement.GetProperty("rows").EnumerateArray().ToList();
        var rows = scan.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(2 * expectedRows.Count, rows.Count);
        var failures = new List<string>();
        foreach (var field in expected.RootElement.GetProperty("schema").EnumerateArray())
        {
            string column = field.GetProperty("name").GetString()!;
            var want = expectedRows.Concat(expectedRows).Select(r => Key(r, column)).Order(StringComparer.Ordinal).ToList();
            var got = rows.Select(r => Key(r, column)).Order(StringComparer.Ordinal).ToList();
            int first = Enumerable.Range(0, want.Count).FirstOrDefault(i => want[i] != got[i], -1);
            if (first >= 0)
            {
                failures.Add($"{column} ({field.GetProperty("type").GetString()}): LanceDB read {got[first]}, expected {want[first]}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} column(s) differ in LanceDB after our {format} append:\n  " + string.Join("\n  ", failures));
        return expectedRows.Count;
    }

    /// <summary>A row's id and one column's value, as LanceDB's JSON gives them: a sort key for comparing scans.</summary>
    public static string Key(JsonElement row, string column) => row.GetProperty("id").GetRawText() + " " + row.GetProperty(column).GetRawText();
}
