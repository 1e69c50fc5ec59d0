using System.Globalization;
using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// Tables with stable row ids (LanceDB's <c>new_table_enable_stable_row_ids</c>): after each of our
/// writes LanceDB still opens the table, and reads the same rows with the same <c>_rowid</c>s as we
/// do; row ids follow Lance's rules (new rows take the next ids, updated and compacted rows keep
/// theirs), and LanceDB goes on writing to what we wrote.
/// </summary>
public sealed class StableRowIdsInLanceDbTests : IDisposable
{
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    private string TablePath => Path.Combine(_db.Path, "t.lance");

    [Fact]
    public async Task LanceDB_reads_our_append_delete_update_merge_and_compaction_of_its_stable_row_id_table_with_the_row_ids_Lance_assigns()
    {
        await PeerTable.StepsAsync(_peer, _db.Path, "t", new { op = "create", start = 0, rows = 10, stableRowIds = true });
        var dataset = await LanceDataset.OpenAsync(TablePath);

        // Lance numbers rows from 0 in creation order, so row k has _rowid k until it moves.
        var expected = Enumerable.Range(0, 10).ToDictionary(k => (long)k, k => PeerTable.Line(Id(k), "r" + Id(k), Id(k), Id(k)));
        await AssertBothAsync(dataset, expected, "open");

        await dataset.AppendAsync([PeerTable.Rows(10, 5)]);
        foreach (var k in Enumerable.Range(10, 5))
        {
            expected[k] = PeerTable.Line(Id(k), "r" + Id(k), Id(k), Id(k));
        }

        await AssertBothAsync(dataset, expected, "append");

        await dataset.DeleteAsync("id = 3");
        expected.Remove(3);
        await AssertBothAsync(dataset, expected, "delete");

        // An updated row is written again elsewhere but keeps its id.
        await dataset.UpdateWithSqlAsync("id = 5 OR id = 12", new Dictionary<string, string> { ["n"] = "n + 100" });
        expected[5] = PeerTable.Line("5", "r5", "105", "5");
        expected[12] = PeerTable.Line("12", "r12", "112", "12");
        await AssertBothAsync(dataset, expected, "update");

        // Merge: the matched row keeps its id, the new one takes the next (15).
        await dataset.MergeInsertAsync(["id"], [PeerTable.Rows(7, 1), PeerTable.Rows(20, 1)], MergeInsertOptions.Upsert);
        expected[20] = PeerTable.Line("20", "r20", "20", "15");
        await AssertBothAsync(dataset, expected, "merge insert");

        var result = await dataset.CompactAsync(new CompactionOptions { TargetRowsPerFragment = 1000 });
        Assert.True(result.FragmentsRemoved > 1);
        Assert.Equal(1, dataset.FragmentCount);
        await AssertBothAsync(dataset, expected, "compaction");
    }

    [Fact]
    public async Task LanceDB_appends_deletes_updates_and_compacts_after_our_writes_to_a_stable_row_id_table()
    {
        await PeerTable.StepsAsync(_peer, _db.Path, "t", new { op = "create", start = 0, rows = 6, stableRowIds = true });
        var dataset = await LanceDataset.OpenAsync(TablePath);
        await dataset.AppendAsync([PeerTable.Rows(6, 4)]);
        await dataset.UpdateWithSqlAsync("id = 2", new Dictionary<string, string> { ["n"] = "n + 100" });
        await dataset.DeleteAsync("id = 8");

        var results = await PeerTable.StepsAsync(
            _peer, _db.Path, "t",
            new { op = "add", start = 100, rows = 3 },
            new { op = "delete", where = "id = 0" },
            new { op = "update", where = "id = 7 OR id = 101", valuesSql = new Dictionary<string, string> { ["n"] = "n + 1000" } },
            new { op = "optimize" });
        Assert.Equal(4, results.Count);

        await dataset.RefreshAsync();
        var ours = await PeerTable.OursAsync(dataset);
        var theirs = await PeerTable.TheirsAsync(_peer, _db.Path, "t");
        Assert.Equal(theirs, ours);

        // LanceDB gave its new rows the ids after ours (10, 11, 12) and kept every moved row's id.
        var expected = new[] { 1L, 2, 3, 4, 5, 6, 7, 9, 100, 101, 102 }.Select(k => k switch
        {
            2 => PeerTable.Line("2", "r2", "102", "2"),
            7 => PeerTable.Line("7", "r7", "1007", "7"),
            >= 100 => PeerTable.Line(Id(k), "r" + Id(k), Id(k == 101 ? 1101 : k), Id(k - 90)),
            _ => PeerTable.Line(Id(k), "r" + Id(k), Id(k), Id(k)),
        });
        Assert.Equal(expected, ours);
    }

    [Fact]
    public async Task A_table_we_create_with_stable_row_ids_keeps_row_ids_through_LanceDBs_update_and_compaction()
    {
        var dataset = await LanceDataset.CreateAsync(
            TablePath, PeerTable.Schema, [PeerTable.Rows(0, 4), PeerTable.Rows(4, 4)], options: new DatasetWriteOptions { EnableStableRowIds = true, MaxRowsPerFile = 4 });
        Assert.Equal(2, dataset.FragmentCount);

        // Without stable row ids the rows of the second fragment would read as 1 << 32 and up.
        Assert.Equal(Enumerable.Range(0, 8).Select(k => PeerTable.Line(Id(k), "r" + Id(k), Id(k), Id(k))), await PeerTable.TheirsAsync(_peer, _db.Path, "t"));

        await PeerTable.StepsAsync(
            _peer, _db.Path, "t",
            new { op = "update", where = "id = 1", valuesSql = new Dictionary<string, string> { ["n"] = "n + 100" } },
            new { op = "delete", where = "id = 6" },
            new { op = "optimize" },
            new { op = "add", start = 50, rows = 1 });
        await dataset.RefreshAsync();
        var expected = new[] { 0L, 1, 2, 3, 4, 5, 7, 50 }.Select(k => PeerTable.Line(Id(k), "r" + Id(k), Id(k == 1 ? 101 : k), Id(k == 50 ? 8 : k)));
        Assert.Equal(expected, await PeerTable.OursAsync(dataset));
        Assert.Equal(expected, await PeerTable.TheirsAsync(_peer, _db.Path, "t"));
    }

    private async Task AssertBothAsync(LanceDataset dataset, Dictionary<long, string> expected, string step)
    {
        var want = expected.OrderBy(p => p.Key).Select(p => p.Value).ToList();
        var ours = await PeerTable.OursAsync(dataset);
        Assert.True(want.SequenceEqual(ours), $"after {step}, we read:\n{string.Join("\n", ours)}\nexpected:\n{string.Join("\n", want)}");
        var theirs = await PeerTable.TheirsAsync(_peer, _db.Path, "t");
        Assert.True(want.SequenceEqual(theirs), $"after {step}, LanceDB read:\n{string.Join("\n", theirs)}\nexpected:\n{string.Join("\n", want)}");
    }

    private static string Id(long k) => k.ToString(CultureInfo.InvariantCulture);
}
