using System.Text.Json;
using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// Tables LanceDB created in each storage version and then changed as users do
/// (<c>make-updated.mjs</c>: appends, <c>update</c> with values and with SQL, deletes, an upsert,
/// added and dropped columns): we read every version of them equal, value by value, to LanceDB's
/// own scan of that version.
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
    /// Compares our scan of one version (<c>{version, countRows, schema, rows}</c> as the peer
    /// scripts report it) column by column; one line per column that differs.
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

        if (dataset.CountRows() != version.GetProperty("countRows").GetInt64())
        {
            failures.Add($"v{number} ({op}): we count {dataset.CountRows()} rows, LanceDB {version.GetProperty("countRows").GetInt64()}");
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
