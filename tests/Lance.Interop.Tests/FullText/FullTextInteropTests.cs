using Lance.Engine;
using Lance.Engine.Index.FullText;

namespace Lance.Interop.Tests.FullText;

/// <summary>Full-text indexes LanceDB built, searched by our engine: the same rows and BM25 scores as LanceDB's own search.</summary>
public sealed class FullTextInteropTests : IDisposable
{
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    private async Task CompareAsync(object setup, IReadOnlyList<FullTextSearchRequest> requests)
    {
        var args = new Dictionary<string, object?>((IDictionary<string, object?>)setup.GetType().GetProperties().ToDictionary(p => p.Name, p => p.GetValue(setup)))
        {
            ["db"] = _db.Path,
            ["table"] = "t",
            ["queries"] = requests.Select(FtsPeerQueries.Entry).ToList(),
        };
        using var json = await _peer.RunAsync("fts.mjs", args);
        var theirs = FtsAnswers.Parse(json);
        await using var dataset = await LanceDataset.OpenAsync(Path.Combine(_db.Path, "t.lance"));
        for (var i = 0; i < requests.Count; i++)
        {
            Assert.Null(theirs[i].Error);
            var ours = await FtsAnswers.OursAsync(dataset, requests[i]);
            FtsAnswers.AssertSame(theirs[i].Hits, ours, $"query {i} {requests[i].Query}", requests[i].Offset);
        }
    }

    private static List<FullTextSearchRequest> MatchRequests(int seed, int count)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => new FullTextSearchRequest(new MatchQuery(FtsCorpus.Query(random), "text")
        {
            Operator = i % 4 == 3 ? FullTextOperator.And : FullTextOperator.Or,
        }) { Limit = 10 }).ToList();
    }

    [Fact]
    public async Task Match_queries_on_an_index_LanceDB_built_rank_and_score_as_LanceDB()
        => await CompareAsync(new { rows = FtsCorpus.Rows(400, 1), index = new[] { new { column = "text" } } }, MatchRequests(11, 40));

    [Fact]
    public async Task Rows_added_after_the_index_are_searched_and_deleted_rows_never_return()
        => await CompareAsync(
            new { rows = FtsCorpus.Rows(300, 2), index = new[] { new { column = "text" } }, add = FtsCorpus.Rows(50, 3, firstId: 1000), delete = "id % 7 = 0" },
            MatchRequests(12, 30));

    [Fact]
    public async Task Prefilter_limit_and_offset_apply_as_in_LanceDB()
    {
        var random = new Random(13);
        var requests = Enumerable.Range(0, 20).Select(i => new FullTextSearchRequest(new MatchQuery(FtsCorpus.Query(random), "text"))
        {
            Filter = i % 2 == 0 ? "category = 2" : "id < 150",
            Limit = 5,
            Offset = i % 3,
        }).ToList();
        await CompareAsync(new { rows = FtsCorpus.Rows(300, 4), index = new[] { new { column = "text" } } }, requests);
    }

    [Fact]
    public async Task Phrase_queries_on_an_index_with_positions_match_LanceDB()
    {
        var rows = FtsCorpus.Rows(300, 5);
        var random = new Random(14);
        var requests = new List<FullTextSearchRequest>();
        foreach (var row in rows.Where(r => r["text"] is string { Length: > 20 }).Take(30))
        {
            var words = ((string)row["text"]!).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var start = random.Next(Math.Max(1, words.Length - 2));
            var phrase = string.Join(" ", words.Skip(start).Take(2 + random.Next(2)));
            requests.Add(new FullTextSearchRequest(new PhraseQuery(phrase, "text") { Slop = random.Next(3) == 0 ? 1 : 0 }));
        }

        await CompareAsync(new { rows, index = new[] { new { column = "text", options = new { withPosition = true } } } }, requests);
    }
}
