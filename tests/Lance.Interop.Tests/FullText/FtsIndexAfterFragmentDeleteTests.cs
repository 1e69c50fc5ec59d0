using Lance.Engine;
using Lance.Engine.Index.FullText;

namespace Lance.Interop.Tests.FullText;

/// <summary>
/// Our full-text index outlives a delete of every row of a fragment (the fragment leaves the manifest, the index
/// stays, as in Lance): LanceDB still searches with it, and gives our answer, without the deleted rows.
/// </summary>
public sealed class FtsIndexAfterFragmentDeleteTests : IDisposable
{
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    [Theory]
    [InlineData("id >= 300")]
    [InlineData("id < 300")]
    public async Task LanceDB_searches_with_our_index_after_a_whole_fragment_was_deleted(string delete)
    {
        // LanceDB writes rows 0..299, then appends 300..499 as a second fragment; we index both, then delete one whole fragment.
        using (await _peer.RunAsync("fts.mjs", new Dictionary<string, object?>
        {
            ["db"] = _db.Path, ["table"] = "t", ["rows"] = FtsCorpus.Rows(300, 21), ["add"] = FtsCorpus.Rows(200, 22, firstId: 300), ["queries"] = Array.Empty<object>(),
        }))
        {
        }

        await using (var dataset = await LanceDataset.OpenAsync(Path.Combine(_db.Path, "t.lance")))
        {
            await dataset.CreateFtsIndexAsync("text");
            Assert.Equal(500, await dataset.CountRowsAsync((string?)null));
            await dataset.DeleteAsync(delete);
            Assert.Equal(["text"], dataset.FullTextIndexedColumns());
        }

        var requests = new List<FullTextSearchRequest>
        {
            new(new MatchQuery("golden retriever", "text")) { Limit = 20 },
            new(new MatchQuery("walking in the garden", "text")) { Limit = 10 },
        };
        using var json = await _peer.RunAsync("fts.mjs", new Dictionary<string, object?>
        {
            ["db"] = _db.Path, ["table"] = "t", ["queries"] = requests.Select(FtsPeerQueries.Entry).ToList(),
        });
        var theirs = FtsAnswers.Parse(json);
        var indices = json.RootElement.GetProperty("indices").EnumerateArray().ToList();

        Assert.Equal("FTS", Assert.Single(indices).GetProperty("type").GetString());
        await using var reopened = await LanceDataset.OpenAsync(Path.Combine(_db.Path, "t.lance"));
        var gone = delete == "id >= 300" ? (Func<long, bool>)(id => id >= 300) : id => id < 300;
        for (var i = 0; i < requests.Count; i++)
        {
            Assert.True(theirs[i].Error is null, $"query {i}: LanceDB failed on our index: {theirs[i].Error}");
            Assert.NotEmpty(theirs[i].Hits);
            Assert.DoesNotContain(theirs[i].Hits, h => gone(h.Id));
            FtsAnswers.AssertSame(theirs[i].Hits, await FtsAnswers.OursAsync(reopened, requests[i]), $"query {i} after deleting {delete}");
        }
    }
}
