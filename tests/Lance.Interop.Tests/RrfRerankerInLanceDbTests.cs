using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Orm;

namespace Lance.Interop.Tests;

/// <summary>Our reciprocal rank fusion against LanceDB's own <c>RRFReranker</c> (Node, Rust inside), over the same result lists.</summary>
public sealed class RrfRerankerInLanceDbTests
{
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    [Fact]
    public async Task Our_fusion_gives_LanceDB_order_and_relevance_bit_for_bit_over_200_generated_list_pairs()
    {
        var random = new Random(16);
        var cases = Enumerable.Range(0, 200).Select(i => Generate(random, i)).ToList();

        using var doc = await _peer.RunAsync("rerank", new
        {
            cases = cases.Select(c => new
            {
                k = c.K,
                vector = c.Vector.Select(r => new { rowId = r.Id.ToString(CultureInfo.InvariantCulture), distance = r.Value }),
                fts = c.FullText.Select(r => new { rowId = r.Id.ToString(CultureInfo.InvariantCulture), score = r.Value }),
            }),
        });

        var theirs = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(cases.Count, theirs.Count);
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var ours = await new RrfReranker(c.K).RerankHybridAsync("q", Batch("_distance", c.Vector), Batch("_score", c.FullText));
            var expected = theirs[i].GetProperty("rows").EnumerateArray()
                .Select(r => (ulong.Parse(r.GetProperty("rowId").GetString()!, CultureInfo.InvariantCulture), (float)r.GetProperty("relevance").GetDouble()))
                .ToList();
            var actual = RerankResults.RowIds(ours).Zip(RerankResults.Relevance(ours).Values.ToArray()).ToList();
            Assert.True(expected.SequenceEqual(actual), $"case {i} (k = {c.K}): LanceDB {Show(expected)}, ours {Show(actual)}");
        }
    }

    private static string Show(IEnumerable<(ulong Id, float Relevance)> rows)
        => string.Join(" ", rows.Select(r => $"{r.Id}:{r.Relevance.ToString("R", CultureInfo.InvariantCulture)}"));

    /// <summary>
    /// Two lists of at most 10 rows each (LanceDB's default limit), drawn from a small id range so
    /// that they overlap, sometimes repeat an id, and tie often; k varies. Row ids above 2^53 check
    /// that they travel intact.
    /// </summary>
    private static Case Generate(Random random, int index)
    {
        float[] ks = [60f, 1f, 10f, 2.5f, 1000f];
        var k = ks[index % ks.Length];
        var range = random.Next(3, 30);
        var baseId = index % 7 == 0 ? (1UL << 60) : 0UL;
        List<(ulong, float)> List(int count, bool distances) => Enumerable.Range(0, count)
            .Select(rank => (baseId + (ulong)random.Next(range), distances ? rank * 0.1f : 10f - rank))
            .ToList();
        return new Case(k, List(random.Next(0, 11), distances: true), List(random.Next(0, 11), distances: false));
    }

    private static RecordBatch Batch(string scoreColumn, List<(ulong Id, float Value)> rows)
    {
        var values = new FloatArray.Builder();
        var ids = new UInt64Array.Builder();
        foreach (var (id, value) in rows)
        {
            values.Append(value);
            ids.Append(id);
        }

        var schema = new Schema([new Field(scoreColumn, FloatType.Default, true), new Field("_rowid", UInt64Type.Default, true)], null);
        return new RecordBatch(schema, [values.Build(), ids.Build()], rows.Count);
    }

    private sealed record Case(float K, List<(ulong Id, float Value)> Vector, List<(ulong Id, float Value)> FullText);
}
