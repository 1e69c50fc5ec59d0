using System.Text.Json;
using Apache.Arrow;
using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// Tables LanceDB writes in each storage version with every nesting of lists and structs
/// (<c>make-nested.mjs</c>: lists of structs with lists inside, structs of lists, lists of lists,
/// structs of structs of lists; null and empty at every level; a large list and a large string LanceDB
/// adds): we read every value as LanceDB reads it, and rows we append with our writer for the
/// table's format read back in LanceDB as ours.
/// </summary>
public sealed class NestedTablesTests : IDisposable
{
    private const string Table = "t";
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    public static TheoryData<string> StorageVersions => ["legacy", "2.0", "2.1", "2.2"];

    private string DatasetPath => Path.Combine(_db.Path, Table + ".lance");

    [Theory]
    [MemberData(nameof(StorageVersions))]
    public async Task Every_nested_value_LanceDB_wrote_reads_as_LanceDB_reads_it(string storageVersion)
    {
        using var made = await _peer.RunAsync("make-nested", new { db = _db.Path, table = Table, storageVersion });

        var failures = await UpdatedTableDifferences.CompareVersionAsync(DatasetPath, made.RootElement, "as written");

        Assert.True(failures.Count == 0, $"{storageVersion}: {failures.Count} difference(s) from LanceDB:\n  " + string.Join("\n  ", failures));
    }

    [Theory]
    [MemberData(nameof(StorageVersions))]
    public async Task Nested_rows_we_append_read_in_LanceDB_as_the_rows_we_read(string storageVersion)
    {
        using var made = await _peer.RunAsync("make-nested", new { db = _db.Path, table = Table, storageVersion });
        var dataset = await LanceDataset.OpenAsync(DatasetPath);
        var batches = new List<RecordBatch>();
        await foreach (var batch in dataset.ScanAsync())
        {
            batches.Add(batch);
        }

        await dataset.AppendAsync(batches);

        using var scan = await _peer.RunAsync("make-nested", new { db = _db.Path, table = Table, storageVersion, scanOnly = true });
        var expected = made.RootElement.GetProperty("rows").EnumerateArray().Select(r => r.GetRawText()).ToList();
        var rows = scan.RootElement.GetProperty("rows").EnumerateArray().Select(r => r.GetRawText()).ToList();
        Assert.Equal(2 * expected.Count, rows.Count);
        Assert.Equal(expected.Concat(expected).Order(StringComparer.Ordinal), rows.Order(StringComparer.Ordinal));
    }
}
