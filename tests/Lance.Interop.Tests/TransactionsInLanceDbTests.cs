using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// Shared writers: LanceDB writes from a version it read before our commits, so it must rebase over
/// them by reading the transactions we record; and we commit over LanceDB's commits by reading
/// theirs. Nothing is lost and neither side errors.
/// </summary>
public sealed class TransactionsInLanceDbTests : IDisposable
{
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    private string TablePath => Path.Combine(_db.Path, "t.lance");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LanceDB_rebases_its_writes_over_every_kind_of_commit_we_make(bool stableRowIds)
    {
        await PeerTable.StepsAsync(_peer, _db.Path, "t", new { op = "create", start = 0, rows = 20, stableRowIds });
        var dataset = await LanceDataset.OpenAsync(TablePath);
        var ready = Path.Combine(_db.Path, "ready");
        var go = Path.Combine(_db.Path, "go");

        // LanceDB opens the table at version 1, then waits while we commit one of each kind.
        var lanceDb = PeerTable.StepsAsync(
            _peer, _db.Path, "t",
            new { op = "count" },
            new { op = "signal", file = ready },
            new { op = "waitFor", file = go },
            new { op = "add", start = 1000, rows = 3 },
            new { op = "delete", where = "id = 1001" },
            new { op = "update", where = "id = 1002", valuesSql = new Dictionary<string, string> { ["n"] = "n + 5" } },
            new { op = "delete", where = "id = 0" },
            new { op = "optimize" });
        await WaitForAsync(ready, lanceDb);

        await dataset.AppendAsync([PeerTable.Rows(100, 5)]);
        await dataset.DeleteAsync("id = 101");
        await dataset.UpdateWithSqlAsync("id = 102", new Dictionary<string, string> { ["n"] = "n + 1" });
        await dataset.MergeInsertAsync(["id"], [PeerTable.Rows(103, 1), PeerTable.Rows(200, 2)], MergeInsertOptions.Upsert);
        await dataset.CompactAsync(new CompactionOptions { TargetRowsPerFragment = 1000 });
        await dataset.AddColumnAsync(new Field("extra", Int32Type.Default, nullable: true));
        await dataset.DropColumnsAsync(["extra"]);
        var ourVersion = dataset.Version;
        await File.WriteAllTextAsync(go, "");

        var results = await lanceDb;
        Assert.True(results[^1].GetProperty("version").GetInt64() > (long)ourVersion);

        // Every write of both sides is there.
        await dataset.RefreshAsync();
        var expected = Enumerable.Range(1, 19).Select(k => (long)k)
            .Concat([100, 102, 103, 104, 200, 201, 1000, 1002])
            .Select(k => k switch
            {
                102 => (k, 103L),
                1002 => (k, 1007L),
                _ => (k, k),
            })
            .Select(p => $"{p.Item1}|{p.Item2}")
            .ToList();
        Assert.Equal(expected, (await PeerTable.OursAsync(dataset)).Select(IdAndN));
        var theirs = await PeerTable.TheirsAsync(_peer, _db.Path, "t");
        Assert.Equal(expected, theirs.Select(IdAndN));
        Assert.Equal(await PeerTable.OursAsync(dataset), theirs);
    }

    [Fact]
    public async Task Our_delete_and_update_run_again_over_LanceDBs_commits_to_the_same_fragment()
    {
        await PeerTable.StepsAsync(_peer, _db.Path, "t", new { op = "create", start = 0, rows = 10 });
        var stale = await LanceDataset.OpenAsync(TablePath);

        // LanceDB changes the one fragment after we read version 1.
        await PeerTable.StepsAsync(
            _peer, _db.Path, "t",
            new { op = "delete", where = "id = 2" },
            new { op = "add", start = 10, rows = 2 });

        // Our delete from the stale version meets LanceDB's delete in the same fragment: it runs again.
        Assert.Equal(1, await stale.DeleteAsync("id = 3"));
        var otherStale = await LanceDataset.OpenAsync(TablePath);
        await PeerTable.StepsAsync(_peer, _db.Path, "t", new { op = "delete", where = "id = 4" });
        Assert.Equal(4, await otherStale.UpdateWithSqlAsync("id >= 8", new Dictionary<string, string> { ["n"] = "n * 10" }));

        await otherStale.RefreshAsync();
        var expected = new[] { 0L, 1, 5, 6, 7, 8, 9, 10, 11 }.Select(k => $"{k}|{(k >= 8 ? k * 10 : k)}").ToList();
        Assert.Equal(expected, (await PeerTable.OursAsync(otherStale)).Select(IdAndN));
        Assert.Equal(expected, (await PeerTable.TheirsAsync(_peer, _db.Path, "t")).Select(IdAndN));
    }

    [Fact]
    public async Task Our_delete_over_a_LanceDB_overwrite_is_refused_from_its_transaction_and_commits_nothing()
    {
        await PeerTable.StepsAsync(_peer, _db.Path, "t", new { op = "create", start = 0, rows = 10 });
        var stale = await LanceDataset.OpenAsync(TablePath);
        await PeerTable.StepsAsync(_peer, _db.Path, "t", new { op = "create", start = 50, rows = 3 });

        var error = await Assert.ThrowsAsync<LanceCommitConflictException>(() => stale.DeleteAsync("id = 3"));
        Assert.Contains("overwrote", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, await _peer.CountAsync(_db.Path, "t"));
    }

    private static string IdAndN(string line)
    {
        var parts = line.Split('|');
        return $"{parts[0]}|{parts[2]}";
    }

    private static async Task WaitForAsync(string file, Task peer)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!File.Exists(file))
        {
            if (peer.IsCompleted)
            {
                await peer; // surfaces the peer's error
                throw new InvalidOperationException($"The peer finished without writing {file}.");
            }

            Assert.True(DateTime.UtcNow < deadline, $"The peer did not write {file} within a minute.");
            await Task.Delay(20);
        }
    }
}
