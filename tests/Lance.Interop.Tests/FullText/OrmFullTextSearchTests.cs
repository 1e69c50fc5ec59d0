using Apache.Arrow;
using Lance.Engine.Index.FullText;
using Lance.Orm;

namespace Lance.Interop.Tests.FullText;

/// <summary>Search(text, QueryType.FullText) from the ORM over an index LanceDB built: LanceDB's rows and scores.</summary>
public sealed class OrmFullTextSearchTests : IDisposable
{
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    private async Task<List<(List<(long Id, double Score)> Hits, string? Error)>> LanceDbAsync(IReadOnlyList<FullTextSearchRequest> requests)
    {
        using var json = await _peer.RunAsync("fts.mjs", new Dictionary<string, object?>
        {
            ["db"] = _db.Path,
            ["table"] = "t",
            ["rows"] = FtsCorpus.Rows(300, 21),
            ["index"] = new[] { new { column = "text" } },
            ["queries"] = requests.Select(FtsPeerQueries.Entry).ToList(),
        });
        return FtsAnswers.Parse(json);
    }

    [Fact]
    public async Task Untyped_and_typed_full_text_searches_return_LanceDBs_rows_and_scores()
    {
        var requests = new List<FullTextSearchRequest>
        {
            new(new MatchQuery("golden retriever", "text")) { Limit = 10 },
            new(new MatchQuery("walking in the garden", "text")) { Limit = 5, Filter = "category = 1" },
            new(new MatchQuery("search indexes", "text")) { Limit = 4, Offset = 2 },
        };
        var theirs = await LanceDbAsync(requests);
        var db = await LanceDb.ConnectAsync(_db.Path);

        var untyped = await db.OpenTableAsync("t");
        var batch = await untyped.Search("golden retriever", QueryType.FullText).Limit(10).ToBatchAsync();
        FtsAnswers.AssertSame(theirs[0].Hits, Hits(batch), "untyped");

        var typed = await db.OpenTableAsync<FtsRow>("t");
        var filtered = await typed.Search("walking in the garden", QueryType.FullText).Where(x => x.Category == 1).Limit(5).ToBatchAsync();
        FtsAnswers.AssertSame(theirs[1].Hits, Hits(filtered), "typed with a LINQ filter");
        var rows = await typed.Search("walking in the garden", QueryType.FullText).Where(x => x.Category == 1).Limit(5).ToListAsync();
        Assert.Equal(theirs[1].Hits.Select(h => (double)h.Id).Order(), rows.Select(r => r.Id).Order());
        Assert.All(rows, r => Assert.Equal(1.0, r.Category));

        // [Score] is filled with the row's _score, in LanceDB's order; a plain query leaves it null.
        FtsAnswers.AssertSame(theirs[1].Hits, rows.Select(r => ((long)r.Id, (double)r.Score!.Value)).ToList(), "typed [Score]");
        Assert.All(await typed.Query().Limit(3).ToListAsync(), r => Assert.Null(r.Score));

        var paged = await typed.Search("search indexes", QueryType.FullText).Column("text").Offset(2).Limit(4).ToBatchAsync();
        FtsAnswers.AssertSame(theirs[2].Hits, Hits(paged), "offset", offset: 2);
    }

    [Fact]
    public async Task Hybrid_without_a_vector_column_and_a_column_without_an_index_are_named()
    {
        await LanceDbAsync([]);
        var db = await LanceDb.ConnectAsync(_db.Path);
        var table = await db.OpenTableAsync("t");

        var hybrid = await Assert.ThrowsAsync<LanceSchemaException>(() => table.Search("dog", QueryType.Hybrid).ToBatchAsync());
        Assert.Contains("'t'", hybrid.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<LanceIndexException>(() => table.Search("dog", QueryType.FullText).Column("category").ToBatchAsync());
        Assert.Contains("'category'", missing.Message, StringComparison.Ordinal);
    }

    private static List<(long Id, double Score)> Hits(RecordBatch batch)
    {
        var ids = (DoubleArray)batch.Column("id");
        var scores = (FloatArray)batch.Column("_score");
        return Enumerable.Range(0, batch.Length).Select(i => ((long)ids.GetValue(i)!.Value, (double)scores.GetValue(i)!.Value)).ToList();
    }
}
