using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Lance.Orm;

namespace Lance.Interop.Tests.FullText;

/// <summary>
/// <c>Search(text, QueryType.Hybrid)</c> against LanceDB's own hybrid query (Node: full-text search and nearest-to fused by its
/// <c>RRFReranker</c>) over the same table, the same full-text index (built by LanceDB, or by us for LanceDB to use) and the same
/// query vector.
/// </summary>
public sealed class HybridSearchInLanceDbTests : IDisposable
{
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    /// <summary>Our table of <paramref name="count"/> documents, vectors embedded by <see cref="TrigramEmbedding"/>.</summary>
    private async Task<Table<HybridRow>> CreateAsync(int count, int seed)
    {
        // Two corpus texts per document: longer, more varied documents tie less often on BM25 score.
        var texts = FtsCorpus.Rows(count * 3, seed).Select(r => r["text"] as string).Where(t => !string.IsNullOrEmpty(t)).ToList();
        var rows = Enumerable.Range(0, count)
            .Select(i => new HybridRow { Id = i, Text = $"{texts[2 * i]} {texts[(2 * i) + 1]}", Category = i % 5 })
            .ToList();
        var db = await LanceDb.ConnectAsync(_db.Path);
        return await db.CreateTableAsync("docs", rows);
    }

    private async Task<List<List<(long Id, float Relevance)>>> LanceDbAsync(IEnumerable<Query> queries)
        => (await LanceDbWithHalvesAsync(queries, halves: false)).Hybrid;

    /// <summary>LanceDB's hybrid answers and, with <paramref name="halves"/>, the vector and full-text lists each query fuses.</summary>
    /// <remarks>With <paramref name="ourIndex"/>, LanceDB builds no index: its hybrid query uses the full-text index we built.</remarks>
    private async Task<(List<List<(long Id, float Relevance)>> Hybrid, List<List<(long Id, double Value)>> Vector, List<List<(long Id, double Value)>> FullText)> LanceDbWithHalvesAsync(
        IEnumerable<Query> queries, bool halves, bool ourIndex = false)
    {
        using var json = await _peer.RunAsync("hybrid.mjs", new Dictionary<string, object?>
        {
            ["db"] = _db.Path,
            ["table"] = "docs",
            ["index"] = ourIndex ? System.Array.Empty<object>() : new object[] { new { column = "text" } },
            ["queries"] = queries.Select(q => new
            {
                text = q.Text,
                vector = TrigramEmbedding.Embed(q.Text),
                limit = q.Limit,
                offset = q.Offset == 0 ? (int?)null : q.Offset,
                filter = q.Filter,
                k = q.K,
                select = q.Select,
            }).ToList(),
            ["halves"] = halves,
        });
        var hybrid = json.RootElement.GetProperty("results").EnumerateArray()
            .Select(r => r.EnumerateArray().Select(h => (h.GetProperty("id").GetInt64(), (float)h.GetProperty("relevance").GetDouble())).ToList())
            .ToList();
        List<List<(long, double)>> List(string name, string value) => !halves ? [] : json.RootElement.GetProperty(name).EnumerateArray()
            .Select(r => r.EnumerateArray().Select(h => (h.GetProperty("id").GetInt64(), h.GetProperty(value).GetDouble())).ToList())
            .ToList();
        return (hybrid, List("vector", "distance"), List("fts", "score"));
    }

    /// <summary>Our vector and full-text lists for <paramref name="q"/>: what our hybrid search fuses.</summary>
    private static async Task<(List<(long Id, double Value)> Vector, List<(long Id, double Value)> FullText)> OurHalvesAsync(Lance.Orm.Table table, Query q)
    {
        var vector = table.Search(TrigramEmbedding.Embed(q.Text)).Limit(q.Limit).Offset(q.Offset);
        var fullText = table.Search(q.Text, QueryType.FullText).Limit(q.Limit).Offset(q.Offset);
        if (q.Filter is not null)
        {
            vector = vector.Where(q.Filter);
            fullText = fullText.Where(q.Filter);
        }

        return (Pairs(await vector.ToBatchAsync(), "_distance"), Pairs(await fullText.ToBatchAsync(), "_score"));
    }

    private static List<(long Id, double Value)> Pairs(RecordBatch batch, string column)
    {
        var ids = (Int64Array)batch.Column("id");
        var values = (FloatArray)batch.Column(column);
        return Enumerable.Range(0, batch.Length).Select(i => (ids.GetValue(i)!.Value, (double)values.GetValue(i)!.Value)).ToList();
    }

    private static async Task<List<(long Id, float Relevance)>> OursAsync(Lance.Orm.Table table, Query q)
    {
        var query = table.Search(q.Text, QueryType.Hybrid).Limit(q.Limit);
        if (q.Filter is not null)
        {
            query = query.Where(q.Filter);
        }

        if (q.Offset > 0)
        {
            query = query.Offset(q.Offset);
        }

        if (q.Select is not null)
        {
            query = query.Select(q.Select);
        }

        if (q.K != 60)
        {
            query = query.Rerank(new RrfReranker(q.K));
        }

        var batch = await query.ToBatchAsync();
        var ids = (Int64Array)batch.Column("id");
        var relevance = RerankResults.Relevance(batch);
        return Enumerable.Range(0, batch.Length).Select(i => (ids.GetValue(i)!.Value, relevance.GetValue(i)!.Value)).ToList();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Generated_hybrid_queries_rank_rows_as_LanceDBs_hybrid_query_with_RRF(bool overOurIndex)
    {
        // Over LanceDB's full-text index, or over ours (CreateFtsIndexAsync), which LanceDB's hybrid query then uses too.
        var created = await CreateAsync(300, 31);
        if (overOurIndex)
        {
            await created.CreateFtsIndexAsync(x => x.Text);
        }

        var random = new Random(32);
        var queries = Enumerable.Range(0, 80).Select(i => new Query(
            FtsCorpus.Query(random),
            Limit: (i % 4) switch { 0 => 10, 1 => 5, 2 => 3, _ => 8 },
            Offset: i % 5 == 4 ? 1 + random.Next(4) : 0,
            Filter: (i % 6) switch { 1 => "category = 1", 3 => "id < 150", _ => null },
            K: i % 7 == 6 ? 10 : 60,
            Select: i % 3 == 2 ? ["id"] : null)).ToList();

        var (theirs, theirVectors, theirTexts) = await LanceDbWithHalvesAsync(queries, halves: true, ourIndex: overOurIndex);
        var db = await LanceDb.ConnectAsync(_db.Path);
        var table = await db.OpenTableAsync("docs");
        var nonEmpty = 0;
        var exact = 0;
        for (var i = 0; i < queries.Count; i++)
        {
            // The two lists fused are LanceDB's: the same rows and distances or scores at each rank.
            var (vector, text) = await OurHalvesAsync(table, queries[i]);
            FtsAnswers.AssertSame(theirVectors[i], vector, $"query {i} {queries[i]}, vector half", queries[i].Offset);
            FtsAnswers.AssertSame(theirTexts[i], text, $"query {i} {queries[i]}, full-text half", queries[i].Offset);

            // LanceDB orders rows of equal BM25 score (or distance) arbitrarily, which moves them a rank in its fusion; whenever
            // both lists hold the same rows in the same order, the fused ranking and relevance are LanceDB's, bit for bit.
            var ours = await OursAsync(table, queries[i]);
            nonEmpty += theirs[i].Count > 0 ? 1 : 0;
            if (theirVectors[i].Select(h => h.Id).SequenceEqual(vector.Select(h => h.Id)) && theirTexts[i].Select(h => h.Id).SequenceEqual(text.Select(h => h.Id)))
            {
                exact++;
                Assert.True(theirs[i].SequenceEqual(ours), $"query {i} {queries[i]}:\nLanceDB: {Show(theirs[i])}\nours:    {Show(ours)}");
            }
            else
            {
                Assert.Equal(theirs[i].Count, ours.Count);
            }
        }

        Assert.True(nonEmpty >= 75, $"only {nonEmpty} of {queries.Count} queries found rows");
        Assert.True(exact >= 50, $"only {exact} of {queries.Count} queries fused lists in LanceDB's exact order");
    }

    [Fact]
    public async Task Typed_hybrid_search_embeds_the_text_and_fills_Relevance_in_LanceDBs_order()
    {
        await CreateAsync(200, 33);
        var query = new Query("golden retriever walking", 10, 0, null, 60, null);
        var theirs = (await LanceDbAsync([query]))[0];
        var table = await (await LanceDb.ConnectAsync(_db.Path)).OpenTableAsync<HybridRow>("docs");

        var rows = await table.Search("golden retriever walking", QueryType.Hybrid).ToListAsync();
        Assert.Equal(theirs.Select(t => t.Id), rows.Select(r => r.Id));
        Assert.Equal(theirs.Select(t => t.Relevance), rows.Select(r => r.Relevance));

        var filtered = await table.Search("golden retriever walking", QueryType.Hybrid).Where(x => x.Category == 2).Limit(5).ToListAsync();
        Assert.NotEmpty(filtered);
        Assert.All(filtered, r => Assert.Equal(2, r.Category));
        Assert.True(filtered.Zip(filtered.Skip(1)).All(p => p.First.Relevance >= p.Second.Relevance));
    }

    private static string Show(List<(long Id, float Relevance)> rows)
        => string.Join(" ", rows.Select(r => $"{r.Id}:{r.Relevance.ToString("R", CultureInfo.InvariantCulture)}"));

    private sealed record Query(string Text, int Limit, int Offset, string? Filter, float K, string[]? Select);
}
