using Apache.Arrow.Types;
using Lance.Engine;
using Lance.Orm;

namespace Lance.Interop.Tests.VectorIndexes;

public partial record MultiVectorRow : ILanceModel
{
    public long Id { get; init; }
    [Vector(16)] public float[]? Vector { get; init; }
}

/// <summary>
/// The ORM's search with several query vectors (<c>table.Search(vectors)</c>) against LanceDB's multi-vector
/// query (<c>nearestTo(q0).addQueryVector(q1)…</c>) on one table LanceDB wrote: the same rows per query, the
/// same <c>query_index</c> (int32, first column) and distances within 1e-4 relative, exactly and with filters
/// and offsets; through an IVF_PQ index we build at fixed nprobes and refine factor, the same rows up to one
/// per query and equal distances for the rows both find.
/// </summary>
public sealed class MultiVectorSearchInLanceDbTests : IDisposable
{
    private const int Dim = 16;
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = new(LanceDbPeer.Default.PeerDirectory) { Timeout = TimeSpan.FromMinutes(5) };

    public void Dispose() => _db.Dispose();

    private async Task<Table<MultiVectorRow>> LanceDbTableAsync()
    {
        await new VectorIndexPeer(_db.Path, "t").CreateAsync(rows: 3000, dim: Dim);
        var db = await LanceDb.ConnectAsync(_db.Path);
        return await db.OpenTableAsync<MultiVectorRow>("t");
    }

    private static float[][] Queries(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, Dim).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray()).ToArray();
    }

    private sealed record Hit(int QueryIndex, long Id, float Distance);

    private async Task<(string FirstColumn, string FirstType, List<Hit> Rows)> LanceDbAsync(
        float[][] queries, string metric, int k, string? filter = null, bool postfilter = false, int? offset = null, int? nprobes = null, int? refine = null, bool exact = false)
    {
        using var doc = await _peer.RunAsync("multi-vector", new
        {
            db = _db.Path,
            table = "t",
            queries,
            k,
            metric,
            filter,
            postfilter = postfilter ? true : (bool?)null,
            offset,
            nprobes,
            refine,
            exact = exact ? true : (bool?)null,
        });
        var first = doc.RootElement.GetProperty("schema")[0];
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray()
            .Select(r => new Hit(r.GetProperty("queryIndex").GetInt32(), r.GetProperty("id").GetInt64(), r.GetProperty("distance").GetSingle()))
            // LanceDB unions the per-query searches in no promised order; within a query, nearest first (ties by row id).
            .OrderBy(h => h.QueryIndex).ThenBy(h => h.Distance).ToList();
        return (first.GetProperty("name").GetString()!, first.GetProperty("type").GetString()!, rows);
    }

    private static async Task<List<Hit>> OursAsync(VectorQuery<MultiVectorRow> query)
        => (await query.ToSearchResultsAsync()).Select(r => new Hit(r.QueryIndex!.Value, r.Row.Id, r.Distance)).ToList();

    private static void AssertSameDistance(float expected, float actual, string what)
        => Assert.True(Math.Abs(expected - actual) <= 1e-4f * Math.Max(1f, Math.Abs(expected)), $"{what}: LanceDB {expected}, ours {actual}");

    private static void AssertSame(List<Hit> lanceDb, List<Hit> ours)
    {
        Assert.Equal(lanceDb.Select(h => (h.QueryIndex, h.Id)), ours.Select(h => (h.QueryIndex, h.Id)));
        foreach (var (theirs, mine) in lanceDb.Zip(ours))
        {
            AssertSameDistance(theirs.Distance, mine.Distance, $"query {theirs.QueryIndex}, id {theirs.Id}");
        }
    }

    [Theory]
    [InlineData("l2", DistanceMetric.L2)]
    [InlineData("cosine", DistanceMetric.Cosine)]
    [InlineData("dot", DistanceMetric.Dot)]
    public async Task An_exact_search_with_several_vectors_matches_LanceDBs_multi_vector_query(string metricName, DistanceMetric metric)
    {
        var table = await LanceDbTableAsync();
        var queries = Queries(4, seed: 11);

        var (firstColumn, firstType, lanceDb) = await LanceDbAsync(queries, metricName, k: 10, exact: true);
        var batch = await table.Search(queries).DistanceType(metric).Limit(10).Select("id").ToBatchAsync();
        var ours = await OursAsync(table.Search(queries).DistanceType(metric).Limit(10));

        Assert.Equal(("query_index", "Int32"), (firstColumn, firstType));
        Assert.Equal("query_index", batch.Schema.FieldsList[0].Name);
        Assert.IsType<Int32Type>(batch.Schema.FieldsList[0].DataType);
        Assert.Equal(40, ours.Count);
        AssertSame(lanceDb, ours);
    }

    [Fact]
    public async Task A_prefilter_and_an_offset_apply_per_query_vector_as_in_LanceDB()
    {
        var table = await LanceDbTableAsync();
        var queries = Queries(3, seed: 12);

        var (_, _, lanceDb) = await LanceDbAsync(queries, "l2", k: 5, filter: "id % 3 = 0", offset: 2, exact: true);
        var ours = await OursAsync(table.Search(queries).Where(x => x.Id % 3 == 0).Offset(2).Limit(5));

        Assert.Equal(15, ours.Count);
        AssertSame(lanceDb, ours);
    }

    [Fact]
    public async Task A_postfilter_applies_to_each_query_vectors_nearest_rows_as_in_LanceDB()
    {
        var table = await LanceDbTableAsync();
        var queries = Queries(3, seed: 13);

        var (_, _, lanceDb) = await LanceDbAsync(queries, "cosine", k: 10, filter: "id % 2 = 0", postfilter: true, exact: true);
        var ours = await OursAsync(table.Search(queries).DistanceType(DistanceMetric.Cosine).Where("id % 2 = 0", prefilter: false).Limit(10));

        Assert.InRange(ours.Count, 1, 29);
        AssertSame(lanceDb, ours);
    }

    [Theory]
    [InlineData("l2", DistanceMetric.L2)]
    [InlineData("cosine", DistanceMetric.Cosine)]
    public async Task Through_our_IVF_PQ_index_LanceDB_and_we_find_the_same_rows_for_each_query_vector(string metricName, DistanceMetric metric)
    {
        var table = await LanceDbTableAsync();
        await table.CreateIndexAsync(x => x.Vector, new IvfPqOptions { NumPartitions = 8, NumSubVectors = 4, Metric = metric });
        var queries = Queries(4, seed: 14);

        var (_, _, lanceDb) = await LanceDbAsync(queries, metricName, k: 10, nprobes: 4, refine: 10);
        var query = table.Search(queries).DistanceType(metric).Nprobes(4).RefineFactor(10).Limit(10);
        var ours = await OursAsync(query);

        Assert.Equal("vector_idx", (await query.ExplainPlanAsync()).VectorIndex);
        for (var q = 0; q < queries.Length; q++)
        {
            var theirs = lanceDb.Where(h => h.QueryIndex == q).ToDictionary(h => h.Id, h => h.Distance);
            var mine = ours.Where(h => h.QueryIndex == q).ToList();
            Assert.Equal(10, mine.Count);
            Assert.Equal(10, theirs.Count);

            // Same partitions probed and exact re-ranking on both sides: at most one row differs (PQ codes rank candidates).
            Assert.True(mine.Count(h => theirs.ContainsKey(h.Id)) >= 9, $"query {q}: ours {string.Join(",", mine.Select(h => h.Id))}, LanceDB {string.Join(",", theirs.Keys)}");
            foreach (var hit in mine.Where(h => theirs.ContainsKey(h.Id)))
            {
                AssertSameDistance(theirs[hit.Id], hit.Distance, $"query {q}, id {hit.Id}");
            }
        }
    }
}
