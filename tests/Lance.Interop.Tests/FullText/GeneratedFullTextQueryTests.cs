using Lance.Orm;
using Lance.Engine;
using Lance.Engine.Index.FullText;

namespace Lance.Interop.Tests.FullText;

/// <summary>
/// Every full-text query kind, generated with a seed, run by our engine over indexes LanceDB built and by LanceDB itself:
/// the same top rows and BM25 scores (±1e-4 relative), or the same refusal.
/// </summary>
public sealed class GeneratedFullTextQueryTests : IDisposable
{
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Two_hundred_and_ten_generated_queries_of_every_kind_answer_as_LanceDB()
    {
        var rows = GeneratedQueries.Rows(500, 41);
        var requests = GeneratedQueries.Generate(210, 42, rows);
        using var json = await _peer.RunAsync("fts.mjs", new Dictionary<string, object?>
        {
            ["db"] = _db.Path,
            ["table"] = "t",
            ["rows"] = rows,
            ["index"] = new object[] { new { column = "text", options = new { withPosition = true } }, new { column = "title" } },
            ["queries"] = requests.Select(FtsPeerQueries.Entry).ToList(),
        });
        var theirs = FtsAnswers.Parse(json);

        await using var dataset = await LanceDataset.OpenAsync(Path.Combine(_db.Path, "t.lance"));
        var failures = new List<string>();
        var perKind = new Dictionary<string, int>();
        var refusals = 0;
        for (var i = 0; i < requests.Count; i++)
        {
            var kind = GeneratedQueries.Kinds[i % GeneratedQueries.Kinds.Length];
            try
            {
                if (theirs[i].Error is { } error)
                {
                    // LanceDB refuses a query (e.g. a fuzzy prefix that ends inside a character): so do we.
                    var refused = await Record.ExceptionAsync(() => FtsAnswers.OursAsync(dataset, requests[i]));
                    Assert.True(refused is ArgumentException or LanceException, $"LanceDB refused it ({error}); we answered.");
                    refusals++;
                    continue;
                }

                var ours = await FtsAnswers.OursAsync(dataset, requests[i]);
                FtsAnswers.AssertSame(theirs[i].Hits, ours, $"query {i} ({kind}) {Describe(requests[i])}", requests[i].Offset);
                perKind[kind] = perKind.GetValueOrDefault(kind) + (theirs[i].Hits.Count > 0 ? 1 : 0);
            }
            catch (Exception e)
            {
                failures.Add($"query {i} ({kind}) {Describe(requests[i])}: {e.Message}");
            }
        }

        // One known divergence, kept visible: for query 178 (phrase "light; SEARCH; golden", slop 1) LanceDB misses row 167
        // ("RETRIEVER bank tables golden. golden, dogs light; SEARCH; golden this light, ..."), which holds the phrase exactly.
        // With slop, LanceDB's position walk steps past an occurrence when a later word of the phrase ("golden") also comes
        // earlier in the row, against its documented meaning of slop (LanceDbSloppyPhrase, LanceDbFullTextQuirksTests); we
        // return the row.
        Assert.Contains(failures, f => f.StartsWith("query 178 ", StringComparison.Ordinal));
        failures.RemoveAll(f => f.StartsWith("query 178 ", StringComparison.Ordinal));
        Assert.True(failures.Count == 0, $"{failures.Count} of {requests.Count} queries differ:\n{string.Join("\n\n", failures)}");

        // Every kind found rows in most of its queries, so the comparison was not of empty answers.
        Assert.All(GeneratedQueries.Kinds, k => Assert.True(perKind.GetValueOrDefault(k) >= 15, $"{k}: only {perKind.GetValueOrDefault(k)} queries found rows"));
        Assert.True(refusals <= 10, $"{refusals} queries were refused by both");
    }

    private static string Describe(FullTextSearchRequest request)
        => $"{Describe(request.Query)} filter={request.Filter ?? "-"} limit={request.Limit} offset={request.Offset}";

    private static string Describe(FullTextQuery query) => query switch
    {
        BooleanQuery b => $"Boolean({string.Join(", ", b.Clauses.Select(c => $"{c.Occur}: {Describe(c.Query)}"))})",
        BoostQuery b => $"Boost(+{Describe(b.Positive)}, -{Describe(b.Negative)}, {b.NegativeBoost})",
        MultiMatchQuery m => $"MultiMatch('{m.Text}', [{string.Join(",", m.Columns)}], boosts [{string.Join(",", m.Boosts ?? [])}], {m.Operator})",
        _ => query.ToString() ?? "",
    };
}
