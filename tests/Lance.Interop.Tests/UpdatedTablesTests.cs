using System.Text.Json;
using Apache.Arrow;
using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// Tables LanceDB created in each storage version and then changed as users do
/// (<c>make-updated.mjs</c>: appends, <c>update</c> with values and with SQL, deletes, an upsert,
/// added and dropped columns): we read every version of them equal, value by value, to LanceDB's
/// own scan of that version; and what we then update, upsert and delete there reads in LanceDB as we
/// read it.
/// </summary>
public sealed class UpdatedTablesTests : IDisposable
{
    private const string Table = "t";
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    public static TheoryData<string> StorageVersions => ["2.0", "2.1", "2.2", "legacy"];

    [Theory]
    [MemberData(nameof(StorageVersions))]
    public async Task Every_version_of_a_table_LanceDB_updated_reads_as_LanceDB_reads_it(string storageVersion)
    {
        using var made = await _peer.RunAsync("make-updated", new { db = _db.Path, table = Table, storageVersion });

        var failures = await UpdatedTableDifferences.CompareEveryVersionAsync(
            Path.Combine(_db.Path, Table + ".lance"), made.RootElement.GetProperty("versions"));

        Assert.True(failures.Count == 0, $"{storageVersion}: {failures.Count} difference(s) from LanceDB:\n  " + string.Join("\n  ", failures));
    }

    [Fact]
    public async Task Every_version_of_a_2_2_table_with_stable_row_ids_LanceDB_updated_reads_as_LanceDB_reads_it()
    {
        using var made = await _peer.RunAsync("make-updated", new { db = _db.Path, table = Table, storageVersion = "2.2", stableRowIds = true });

        var failures = await UpdatedTableDifferences.CompareEveryVersionAsync(
            Path.Combine(_db.Path, Table + ".lance"), made.RootElement.GetProperty("versions"));

        Assert.True(failures.Count == 0, $"{failures.Count} difference(s) from LanceDB:\n  " + string.Join("\n  ", failures));
    }

    [Theory]
    [InlineData("2.2")]
    [InlineData("2.1")]
    public async Task Our_updates_upsert_and_delete_on_a_table_LanceDB_updated_read_in_LanceDB_as_we_read_them(string storageVersion)
    {
        using (await _peer.RunAsync("make-updated", new { db = _db.Path, table = Table, storageVersion }))
        {
        }

        string path = Path.Combine(_db.Path, Table + ".lance");
        var dataset = await LanceDataset.OpenAsync(path);
        await dataset.UpdateAsync("id % 10 = 7", new Dictionary<string, object?> { ["s"] = "ours", ["b"] = true, ["f64"] = 2.5, ["u8"] = null });
        await dataset.UpdateWithSqlAsync("id % 8 = 3", new Dictionary<string, string> { ["i32"] = "i32 + 5", ["b_nn"] = "NOT b_nn" });
        var matched = await ScanAsync(dataset, "id % 9 = 0");
        var inserted = (await ScanAsync(dataset, "id < 30")).Select(b => WithIds(b, 100_000)).ToList();
        await dataset.MergeInsertAsync(["id"], [.. matched, .. inserted], MergeInsertOptions.Upsert);
        await dataset.DeleteAsync("id % 17 = 5");

        using var scan = await _peer.RunAsync("scan", new { db = _db.Path, table = Table });
        var failures = await UpdatedTableDifferences.CompareVersionAsync(path, scan.RootElement, "after our writes");

        Assert.True(failures.Count == 0, $"{storageVersion}: {failures.Count} difference(s) from LanceDB:\n  " + string.Join("\n  ", failures));
        Assert.Equal(dataset.CountRows(), await _peer.CountAsync(_db.Path, Table));
    }

    private static async Task<List<RecordBatch>> ScanAsync(LanceDataset dataset, string filter)
    {
        var batches = new List<RecordBatch>();
        await foreach (var batch in dataset.ScanAsync(new ScanRequest { Filter = filter }))
        {
            batches.Add(batch);
        }

        return batches;
    }

    // The batch with every id shifted by `shift` (new keys for an upsert).
    private static RecordBatch WithIds(RecordBatch batch, long shift)
    {
        int index = batch.Schema.GetFieldIndex("id");
        var ids = (Int64Array)batch.Column(index);
        var shifted = new Int64Array.Builder();
        for (int i = 0; i < ids.Length; i++)
        {
            shifted.Append(ids.GetValue(i)!.Value + shift);
        }

        var columns = Enumerable.Range(0, batch.ColumnCount).Select(c => c == index ? shifted.Build() : batch.Column(c)).ToList();
        return new RecordBatch(batch.Schema, columns, batch.Length);
    }
}

/// <summary>Compares our scan of every version of a dataset with the scans <c>make-updated.mjs</c> recorded.</summary>
internal static class UpdatedTableDifferences
{
    /// <summary>One line per (version, column) that differs, naming the first differing row.</summary>
    public static async Task<List<string>> CompareEveryVersionAsync(string datasetPath, JsonElement versions)
    {
        var failures = new List<string>();
        foreach (var version in versions.EnumerateArray())
        {
            failures.AddRange(await CompareVersionAsync(datasetPath, version, version.GetProperty("op").GetString()!));
        }

        return failures;
    }

    /// <summary>
    /// Compares our scan of one version (<c>{version, countRows or rowCount, schema, rows}</c> as the
    /// peer scripts report it) column by column; one line per column that differs.
    /// </summary>
    public static async Task<List<string>> CompareVersionAsync(string datasetPath, JsonElement version, string op)
    {
        var failures = new List<string>();
        ulong number = version.GetProperty("version").GetUInt64();
        var rows = version.GetProperty("rows").EnumerateArray().ToList();
        LanceDataset dataset;
        try
        {
            dataset = await LanceDataset.OpenAsync(datasetPath, number);
        }
        catch (LanceException e)
        {
            failures.Add($"v{number} ({op}) cannot be opened: {e.GetType().Name}: {e.Message}");
            return failures;
        }

        long count = (version.TryGetProperty("countRows", out var c) ? c : version.GetProperty("rowCount")).GetInt64();
        if (dataset.CountRows() != count)
        {
            failures.Add($"v{number} ({op}): we count {dataset.CountRows()} rows, LanceDB {count}");
        }

        foreach (var field in version.GetProperty("schema").EnumerateArray())
        {
            string column = field.GetProperty("name").GetString()!;
            if (await DifferenceAsync(dataset, column, rows) is { } difference)
            {
                failures.Add($"v{number} ({op}) {column} ({field.GetProperty("type").GetString()}): {difference}");
            }
        }

        return failures;
    }

    private static async Task<string?> DifferenceAsync(LanceDataset dataset, string column, List<JsonElement> rows)
    {
        try
        {
            int row = 0;
            int differing = 0;
            string? first = null;
            await foreach (var batch in dataset.ScanAsync([column]))
            {
                var array = batch.Column(0);
                for (int i = 0; i < batch.Length; i++, row++)
                {
                    if (row >= rows.Count)
                    {
                        return $"we read more than LanceDB's {rows.Count} rows";
                    }

                    if (ForeignArrowJson.Difference(rows[row].GetProperty(column), ForeignArrowJson.Render(array, i)) is { } d)
                    {
                        differing++;
                        first ??= $"row {row} (id {rows[row].GetProperty("id")}){d}";
                    }
                }
            }

            if (row != rows.Count)
            {
                return $"we read {row} rows, LanceDB {rows.Count}";
            }

            return first is null ? null : $"{differing} row(s) differ, first {first}";
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}
