using System.Text.Json;
using Apache.Arrow;
using Lance.Engine;
using Lance.Engine.Index.FullText;

namespace Lance.Interop.Tests.FullText;

/// <summary>Runs full-text queries on LanceDB (fts.mjs) and on our engine, and compares the ranked answers.</summary>
public static class FtsAnswers
{
    /// <summary>LanceDB's answers, one list of (id, score) per query (an error message instead when LanceDB failed).</summary>
    public static List<(List<(long Id, double Score)> Hits, string? Error)> Parse(JsonDocument json)
        => Parse(json.RootElement.GetProperty("results"));

    /// <summary>The answers of a <c>results</c>-shaped array: one list of (id, score) per query, or LanceDB's error message.</summary>
    public static List<(List<(long Id, double Score)> Hits, string? Error)> Parse(JsonElement results)
        => results.EnumerateArray().Select(r => r.ValueKind == JsonValueKind.Object
            ? (new List<(long, double)>(), (string?)r.GetProperty("error").GetString())
            : (r.EnumerateArray().Select(h => (h.GetProperty("id").GetInt64(), h.GetProperty("score").GetDouble())).ToList(), (string?)null)).ToList();

    /// <summary>Our answer: (id, score) best first.</summary>
    public static async Task<List<(long Id, double Score)>> OursAsync(LanceDataset dataset, FullTextSearchRequest request)
    {
        var batch = await dataset.FullTextSearchAsync(request with { Columns = ["id"] });
        var ids = batch.Column("id");
        var scores = (FloatArray)batch.Column("_score");
        return Enumerable.Range(0, batch.Length).Select(i => (ids switch
        {
            Int64Array l => l.GetValue(i)!.Value,
            Int32Array n => n.GetValue(i)!.Value,
            DoubleArray d => (long)d.GetValue(i)!.Value,
            _ => throw new InvalidOperationException(ids.GetType().Name),
        }, (double)scores.GetValue(i)!.Value)).ToList();
    }

    /// <summary>
    /// Asserts the two answers are the same: equal length, equal scores rank by rank (±1e-4 relative), and the same row at each
    /// rank except among rows whose scores tie (LanceDB orders ties arbitrarily).
    /// </summary>
    public static void AssertSame(List<(long Id, double Score)> theirs, List<(long Id, double Score)> ours, string what, int offset = 0)
    {
        Assert.True(theirs.Count == ours.Count, $"{what}: LanceDB returned {theirs.Count} rows, we returned {ours.Count}.\nLanceDB: {Show(theirs)}\nours:    {Show(ours)}");
        for (var i = 0; i < theirs.Count; i++)
        {
            Assert.True(Close(theirs[i].Score, ours[i].Score), $"{what}: rank {i} scores {theirs[i].Score} (LanceDB) vs {ours[i].Score} (ours).\nLanceDB: {Show(theirs)}\nours:    {Show(ours)}");
            if (theirs[i].Id != ours[i].Id)
            {
                var tied = theirs.Where(t => Close(t.Score, theirs[i].Score)).Select(t => t.Id).ToHashSet();
                // With an offset, rows tied with skipped ones may come in either order.
                var boundary = offset > 0 || Close(theirs[^1].Score, theirs[i].Score);
                Assert.True(tied.Contains(ours[i].Id) || boundary, $"{what}: rank {i} is row {theirs[i].Id} (LanceDB) vs {ours[i].Id} (ours).\nLanceDB: {Show(theirs)}\nours:    {Show(ours)}");
            }
        }
    }

    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-4 * Math.Max(Math.Abs(a), Math.Abs(b)) + 1e-6;

    private static string Show(List<(long Id, double Score)> hits) => string.Join(" ", hits.Select(h => $"{h.Id}:{h.Score:G6}"));
}
