using Lance.Engine;
using Lance.Engine.Index.FullText;
using Lance.Interop.Tests.IndexManagement;

namespace Lance.Interop.Tests.FullText;

/// <summary>
/// A full-text index survives compaction both ways: whoever built it and whoever compacts (our <c>CompactAsync</c>, which
/// builds it again over the same rows at their new places, or LanceDB's <c>optimize</c>, which remaps it), it covers the
/// compacted rows, LanceDB lists and searches with it, and both libraries give the same answers, without deleted rows.
/// </summary>
public sealed class FtsIndexAfterCompactionTests : IDisposable
{
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    private string Dataset => Path.Combine(_db.Path, "t.lance");

    private async Task PeerAsync(Dictionary<string, object?> args)
    {
        args["db"] = _db.Path;
        args["table"] = "t";
        args.TryAdd("queries", Array.Empty<object>());
        (await _peer.RunAsync("fts.mjs", args)).Dispose();
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task A_full_text_index_survives_compaction_by_either_library_with_the_same_answers(bool builtByLanceDb, bool compactedByLanceDb)
    {
        // Three fragments (ids 0–599), indexed, then a fifth of the rows deleted from each.
        await PeerAsync(new() { ["rows"] = FtsCorpus.Rows(300, 31), ["add"] = FtsCorpus.Rows(200, 32, firstId: 300) });
        await PeerAsync(new() { ["add"] = FtsCorpus.Rows(100, 33, firstId: 500) });
        if (builtByLanceDb)
        {
            await PeerAsync(new() { ["index"] = new[] { new { column = "text" } } });
        }
        else
        {
            await using var builder = await LanceDataset.OpenAsync(Dataset);
            await builder.CreateFtsIndexAsync("text");
        }

        await PeerAsync(new() { ["delete"] = "id % 5 = 1" });
        var requests = new List<FullTextSearchRequest>
        {
            new(new MatchQuery("golden retriever", "text")) { Limit = 30 },
            new(new MatchQuery("walking in the garden", "text")) { Limit = 10 },
        };
        if (compactedByLanceDb)
        {
            await PeerAsync(new() { ["optimize"] = true });
        }
        else
        {
            await using var dataset = await LanceDataset.OpenAsync(Dataset);
            Assert.True((await dataset.CompactAsync()).FragmentsRemoved == 3);
            Assert.Equal(new IndexStatistics(480, 0, "FTS", null, 1), await dataset.IndexStatsAsync("text_idx"));
        }

        using var json = await _peer.RunAsync("fts.mjs", new Dictionary<string, object?>
        {
            ["db"] = _db.Path, ["table"] = "t", ["queries"] = requests.Select(FtsPeerQueries.Entry).ToList(),
        });
        var theirs = FtsAnswers.Parse(json);
        Assert.Equal("FTS", Assert.Single(json.RootElement.GetProperty("indices").EnumerateArray()).GetProperty("type").GetString());
        await using var reopened = await LanceDataset.OpenAsync(Dataset);
        var versions = new List<(LanceDataset Dataset, string What)> { (reopened, "after the compaction") };
        if (compactedByLanceDb)
        {
            versions.Add((await LanceDataset.OpenAsync(Dataset, IndexesAfterCompactionTests.RewriteVersion(Dataset)), "on LanceDB's compaction version"));
        }

        try
        {
            foreach (var (dataset, what) in versions)
            {
                Assert.Equal(["text"], dataset.FullTextIndexedColumns());
                for (var i = 0; i < requests.Count; i++)
                {
                    Assert.True(theirs[i].Error is null, $"query {i}: LanceDB failed: {theirs[i].Error}");
                    Assert.NotEmpty(theirs[i].Hits);
                    Assert.DoesNotContain(theirs[i].Hits, h => h.Id % 5 == 1);
                    FtsAnswers.AssertSame(theirs[i].Hits, await FtsAnswers.OursAsync(dataset, requests[i]), $"query {i} {what}");
                }
            }
        }
        finally
        {
            foreach (var (dataset, _) in versions.Skip(1))
            {
                await dataset.DisposeAsync();
            }
        }
    }
}
