using System.Globalization;
using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// Our process and a LanceDB process (<c>shared-writer.mjs</c>) writing to one table at the same
/// time, 100 operations each (appends, deletes, updates of one row and of two): each side rebases or
/// retries over the other's commits as its library does; nothing is lost, neither side errors, and
/// both libraries read the table the two operation logs describe.
/// </summary>
public sealed class SharedWritersTests : IDisposable
{
    private const int Operations = 100;
    private const int InitialRows = 200;
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task We_and_LanceDB_append_delete_and_update_one_table_at_the_same_time_and_nothing_is_lost(bool stableRowIds)
    {
        // Both writers' rows share the first fragments, so their deletes and updates meet.
        await PeerTable.StepsAsync(_peer, _db.Path, "t", new { op = "create", start = 0, rows = InitialRows, stableRowIds });
        var dataset = await LanceDataset.OpenAsync(Path.Combine(_db.Path, "t.lance"));
        var ready = Path.Combine(_db.Path, "ready");
        var go = Path.Combine(_db.Path, "go");
        var lanceDb = _peer.RunAsync("shared-writer", new
        {
            db = Path.GetFullPath(_db.Path),
            table = "t",
            ops = Operations,
            seed = 7,
            owned = Enumerable.Range(0, InitialRows).Where(k => k % 2 == 0).ToArray(),
            idBase = 2_000_000,
            readyFile = ready,
            goFile = go,
        });
        while (!File.Exists(ready))
        {
            Assert.False(lanceDb.IsCompleted && (await lanceDb) is not null, "The LanceDB writer ended before it was ready.");
            await Task.Delay(10);
        }

        await File.WriteAllTextAsync(go, "");
        var ours = await WriteAsync(dataset, Enumerable.Range(0, InitialRows).Where(k => k % 2 == 1).Select(k => (long)k), 1_000_000, seed: 11);

        using var peerResult = await lanceDb;
        var root = peerResult.RootElement;
        Assert.Empty(root.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(Operations, root.GetProperty("log").GetArrayLength());
        var theirs = root.GetProperty("alive").EnumerateArray().ToDictionary(p => p[0].GetInt64(), p => p[1].GetInt64());

        var expected = ours.Concat(theirs).OrderBy(p => p.Key).Select(p => $"{p.Key}|{p.Value}").ToList();
        await dataset.RefreshAsync();
        var weRead = await PeerTable.OursAsync(dataset);
        var lanceDbRead = await PeerTable.TheirsAsync(_peer, _db.Path, "t");
        Assert.Equal(expected, weRead.Select(IdAndN));
        Assert.Equal(expected, lanceDbRead.Select(IdAndN));
        Assert.Equal(expected.Count, await _peer.CountAsync(_db.Path, "t"));
        Assert.Equal(expected.Count, dataset.CountRows());

        // Both read the same _rowid for every row; with stable row ids they are unique and every
        // row still present from the start kept its first id (row k was given id k).
        Assert.Equal(lanceDbRead, weRead);
        if (stableRowIds)
        {
            var rowIds = weRead.Select(l => l.Split('|')).ToList();
            Assert.Equal(rowIds.Count, rowIds.Select(r => r[3]).Distinct().Count());
            Assert.All(rowIds.Where(r => long.Parse(r[0], CultureInfo.InvariantCulture) < InitialRows), r => Assert.Equal(r[0], r[3]));
        }
    }

    /// <summary>Our writer: the same kinds of operations as <c>shared-writer.mjs</c>, on our own rows.</summary>
    private static async Task<Dictionary<long, long>> WriteAsync(LanceDataset dataset, IEnumerable<long> owned, long idBase, int seed)
    {
        var alive = owned.ToDictionary(id => id, id => id);
        var random = new Random(seed);
        long Pick() => alive.Keys.ElementAt(random.Next(alive.Count));
        var next = idBase;
        for (var i = 0; i < Operations; i++)
        {
            switch (i % 4)
            {
                case 0:
                    await dataset.AppendAsync([PeerTable.Rows(next, 3)]);
                    for (var id = next; id < next + 3; id++)
                    {
                        alive[id] = id;
                    }

                    next += 3;
                    break;
                case 1:
                {
                    var id = Pick();
                    Assert.Equal(1, await dataset.DeleteAsync($"id = {id}"));
                    alive.Remove(id);
                    break;
                }

                case 2:
                {
                    var id = Pick();
                    Assert.Equal(1, await dataset.UpdateWithSqlAsync($"id = {id}", new Dictionary<string, string> { ["n"] = "n + 1" }));
                    alive[id]++;
                    break;
                }

                default:
                {
                    var a = Pick();
                    var b = alive.Keys.Where(k => k != a).ElementAt(random.Next(alive.Count - 1));
                    Assert.Equal(2, await dataset.UpdateWithSqlAsync($"id IN ({a}, {b})", new Dictionary<string, string> { ["n"] = "n + 10" }));
                    alive[a] += 10;
                    alive[b] += 10;
                    break;
                }
            }
        }

        return alive;
    }

    private static string IdAndN(string line)
    {
        var parts = line.Split('|');
        return $"{parts[0]}|{parts[2]}";
    }
}
