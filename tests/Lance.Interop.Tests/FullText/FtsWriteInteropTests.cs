using System.Text.Json;
using Lance.Engine;
using Lance.Engine.Index.FullText;
using Lance.Orm;

namespace Lance.Interop.Tests.FullText;

/// <summary>
/// Full-text indexes this engine builds, used by LanceDB's own full-text search: over the same rows, LanceDB answers
/// the same top 10 with the same BM25 scores from our index as from the index it built itself (fts-twin.mjs).
/// </summary>
public sealed class FtsWriteInteropTests : IDisposable
{
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    /// <summary>
    /// Creates "theirs" (LanceDB's index) and "ours" (our index, same options) over <paramref name="rows"/>, applies
    /// <paramref name="add"/>/<paramref name="delete"/> to both, and checks LanceDB answers every query alike on both,
    /// and that our own search over our index gives LanceDB's answer too.
    /// </summary>
    private async Task CompareAsync(
        List<Dictionary<string, object?>> rows, FullTextIndexOptions options, IReadOnlyList<object> queries, object? add = null, string? delete = null,
        Func<string, Task<FullTextIndexInfo>>? build = null)
    {
        var nodeOptions = new Dictionary<string, object?>
        {
            ["baseTokenizer"] = options.BaseTokenizer,
            ["language"] = options.Language,
            ["withPosition"] = options.WithPosition,
            ["maxTokenLength"] = options.MaxTokenLength,
            ["lowercase"] = options.LowerCase,
            ["stem"] = options.Stem,
            ["removeStopWords"] = options.RemoveStopWords,
            ["asciiFolding"] = options.AsciiFolding,
            ["ngramMinLength"] = options.NgramMinLength,
            ["ngramMaxLength"] = options.NgramMaxLength,
            ["prefixOnly"] = options.PrefixOnly,
        };
        using (await _peer.RunAsync("fts-twin.mjs", new Dictionary<string, object?> { ["db"] = _db.Path, ["phase"] = "create", ["rows"] = rows, ["options"] = nodeOptions }))
        {
        }

        if (build is null)
        {
            await using var dataset = await LanceDataset.OpenAsync(Path.Combine(_db.Path, "ours.lance"));
            var info = await dataset.CreateFtsIndexAsync("text", options);
            Assert.Equal(rows.Count(r => r["text"] is not null), info.IndexedRows);
        }
        else
        {
            var info = await build(_db.Path);
            Assert.Equal(("text_idx", "text"), (info.Name, info.Column));
        }

        using var json = await _peer.RunAsync("fts-twin.mjs", new Dictionary<string, object?>
        {
            ["db"] = _db.Path, ["phase"] = "query", ["queries"] = queries, ["add"] = add, ["delete"] = delete,
        });
        var theirs = Hits(json.RootElement.GetProperty("theirs"));
        var ours = Hits(json.RootElement.GetProperty("ours"));
        var indices = json.RootElement.GetProperty("indices");
        var ourIndex = indices.GetProperty("ours").EnumerateArray().Single();
        Assert.Equal("FTS", ourIndex.GetProperty("type").GetString());
        Assert.Equal(indices.GetProperty("theirs")[0].GetProperty("details").GetRawText(), ourIndex.GetProperty("details").GetRawText());

        await using var reopened = await LanceDataset.OpenAsync(Path.Combine(_db.Path, "ours.lance"));
        for (var i = 0; i < queries.Count; i++)
        {
            var what = $"query {i} {JsonSerializer.Serialize(queries[i])}";
            Assert.True(theirs[i].Error is null, $"{what}: LanceDB failed on its own index: {theirs[i].Error}");
            Assert.True(ours[i].Error is null, $"{what}: LanceDB failed on our index: {ours[i].Error}");
            Assert.NotEmpty(theirs.SelectMany(t => t.Hits));
            FtsAnswers.AssertSame(theirs[i].Hits, ours[i].Hits, what + " (LanceDB on our index)");
            if (queries[i] is string text)
            {
                var mine = await FtsAnswers.OursAsync(reopened, new FullTextSearchRequest(new MatchQuery(text, "text")) { Limit = 10 });
                FtsAnswers.AssertSame(theirs[i].Hits, mine, what + " (our search on our index)");
            }
        }
    }

    private static List<(List<(long Id, double Score)> Hits, string? Error)> Hits(JsonElement results)
        => results.EnumerateArray().Select(r => r.ValueKind == JsonValueKind.Object
            ? (new List<(long, double)>(), (string?)r.GetProperty("error").GetString())
            : (r.EnumerateArray().Select(h => (h.GetProperty("id").GetInt64(), h.GetProperty("score").GetDouble())).ToList(), (string?)null)).ToList();

    private static List<object> PlainQueries(int seed, int count)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => i % 4 == 3
            ? (object)new Dictionary<string, object?> { ["type"] = "match", ["text"] = FtsCorpus.Query(random), ["operator"] = "AND" }
            : FtsCorpus.Query(random)).ToList();
    }

    [Fact]
    public async Task LanceDB_ranks_and_scores_with_our_index_as_with_its_own()
        => await CompareAsync(FtsCorpus.Rows(600, 21), new FullTextIndexOptions(), PlainQueries(31, 40));

    [Fact]
    public async Task LanceDB_finds_rows_appended_after_our_index_and_never_deleted_ones()
        => await CompareAsync(FtsCorpus.Rows(400, 22), new FullTextIndexOptions(), PlainQueries(32, 30), add: FtsCorpus.Rows(80, 23, firstId: 1000), delete: "id % 6 = 1");

    [Fact]
    public async Task LanceDB_runs_phrase_queries_on_the_positions_of_our_index()
    {
        var rows = FtsCorpus.Rows(400, 24);
        var random = new Random(34);
        var queries = new List<object>();
        foreach (var row in rows.Where(r => r["text"] is string { Length: > 20 }).Take(25))
        {
            var words = ((string)row["text"]!).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var start = random.Next(Math.Max(1, words.Length - 2));
            queries.Add(new Dictionary<string, object?> { ["type"] = "phrase", ["text"] = string.Join(" ", words.Skip(start).Take(2 + random.Next(2))), ["slop"] = random.Next(3) == 0 ? 1 : 0 });
        }

        queries.AddRange(PlainQueries(35, 10));
        await CompareAsync(rows, new FullTextIndexOptions { WithPosition = true }, queries);
    }

    [Fact]
    public async Task The_typed_ORM_builds_an_index_LanceDB_uses()
        => await CompareAsync(FtsCorpus.Rows(300, 25), new FullTextIndexOptions(), PlainQueries(36, 12), build: async path =>
        {
            var db = await LanceDb.ConnectAsync(path);
            var table = await db.OpenTableAsync<FtsRow>("ours");
            return await table.CreateFtsIndexAsync(x => x.Text);
        });

    [Fact]
    public async Task The_untyped_ORM_builds_an_index_with_options_LanceDB_uses()
    {
        var options = new FullTextIndexOptions { WithPosition = true, Stem = false };
        await CompareAsync(FtsCorpus.Rows(300, 26), options, PlainQueries(37, 12), build: async path =>
        {
            var db = await LanceDb.ConnectAsync(path);
            var table = await db.OpenTableAsync("ours");
            await table.CreateFtsIndexAsync("text", new FullTextIndexOptions());
            return await table.CreateFtsIndexAsync("text", options);
        });
    }
}
