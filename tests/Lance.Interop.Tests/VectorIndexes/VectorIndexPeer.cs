using System.Text.Json;
using Apache.Arrow;
using Lance.Engine;

namespace Lance.Interop.Tests.VectorIndexes;

/// <summary>
/// The two sides of a vector index comparison: LanceDB's (tools/lancedb-peer/vector-index.mjs) and
/// ours, on one table of clustered float32 vectors with an <c>id</c> column.
/// </summary>
internal sealed class VectorIndexPeer(string db, string table)
{
    private readonly LanceDbPeer _peer = new(LanceDbPeer.Default.PeerDirectory) { Timeout = TimeSpan.FromMinutes(5) };

    public string Db { get; } = db;

    public string Table { get; } = table;

    public string DatasetPath => Path.Combine(Db, Table + ".lance");

    public async Task CreateAsync(int rows, int dim, int firstId = 0, int seed = 7)
        => (await _peer.RunAsync("vector-index", new { op = "create", db = Db, table = Table, rows, dim, seed, firstId })).Dispose();

    public async Task AppendAsync(int rows, int dim, int firstId, int seed)
        => (await _peer.RunAsync("vector-index", new { op = "append", db = Db, table = Table, rows, dim, seed, firstId })).Dispose();

    public async Task DeleteAsync(string where)
        => (await _peer.RunAsync("vector-index", new { op = "delete", db = Db, table = Table, where })).Dispose();

    public async Task OptimizeAsync()
        => (await _peer.RunAsync("vector-index", new { op = "optimize", db = Db, table = Table })).Dispose();

    /// <summary>Builds a LanceDB index; returns the index types LanceDB then lists.</summary>
    public async Task<IReadOnlyList<string>> IndexAsync(string kind, string metric, int partitions, int? subVectors = null)
    {
        using var doc = await _peer.RunAsync("vector-index", new { op = "index", db = Db, table = Table, kind, metric, partitions, subVectors });
        return doc.RootElement.GetProperty("indices").EnumerateArray().Select(i => i.GetProperty("type").GetString()!).ToList();
    }

    /// <summary>LanceDB's <c>indexStats</c> of the index named <paramref name="name"/> (null when it has none of that name).</summary>
    public async Task<JsonElement> StatsAsync(string name)
    {
        using var doc = await _peer.RunAsync("vector-index", new { op = "stats", db = Db, table = Table, name });
        return doc.RootElement.GetProperty("stats").Clone();
    }

    /// <summary>LanceDB's top-k ids and distances per query.</summary>
    public async Task<(long[][] Ids, float[][] Distances)> SearchWithDistancesAsync(float[][] queries, string metric, int k, int? nprobes = null)
    {
        using var doc = await _peer.RunAsync("vector-index", new { op = "search", db = Db, table = Table, queries, metric, k, nprobes });
        return (
            doc.RootElement.GetProperty("ids").EnumerateArray().Select(a => a.EnumerateArray().Select(x => x.GetInt64()).ToArray()).ToArray(),
            doc.RootElement.GetProperty("distances").EnumerateArray().Select(a => a.EnumerateArray().Select(x => x.GetSingle()).ToArray()).ToArray());
    }

    /// <summary>LanceDB's top-k ids per query.</summary>
    public async Task<long[][]> SearchAsync(float[][] queries, string metric, int k, int? nprobes = null, int? refine = null, bool exact = false, int? ef = null)
    {
        using var doc = await _peer.RunAsync("vector-index", new { op = "search", db = Db, table = Table, queries, metric, k, nprobes, refine, ef, exact = exact ? true : (bool?)null });
        return doc.RootElement.GetProperty("ids").EnumerateArray().Select(a => a.EnumerateArray().Select(x => x.GetInt64()).ToArray()).ToArray();
    }

    /// <summary>LanceDB's explain plan of one vector search.</summary>
    public async Task<string> ExplainAsync(float[] vector, string metric, int? nprobes = null)
    {
        using var doc = await _peer.RunAsync("vector-index", new { op = "explain", db = Db, table = Table, vector, metric, nprobes });
        return doc.RootElement.GetProperty("plan").GetString()!;
    }

    /// <summary>Our top-k ids per query.</summary>
    public static async Task<long[][]> OurSearchAsync(LanceDataset dataset, float[][] queries, DistanceMetric metric, int k, int nprobes, int? refine, bool exact = false, int? ef = null)
    {
        var result = new long[queries.Length][];
        for (var q = 0; q < queries.Length; q++)
        {
            var batch = await dataset.SearchAsync(new VectorSearchRequest("vector", queries[q], k)
            {
                Metric = metric,
                Nprobes = nprobes,
                RefineFactor = refine,
                Ef = ef,
                BypassIndex = exact,
                Columns = ["id"],
            });
            var ids = (Int64Array)batch.Column("id");
            result[q] = Enumerable.Range(0, ids.Length).Select(i => ids.GetValue(i)!.Value).ToArray();
        }

        return result;
    }

    /// <summary>Mean recall of <paramref name="found"/> against <paramref name="truth"/>.</summary>
    public static double Recall(long[][] found, long[][] truth)
        => found.Zip(truth).Average(p => p.Second.Length == 0 ? 1 : (double)p.First.Intersect(p.Second).Count() / p.Second.Length);

    /// <summary>Query vectors near the data: rows' vectors (read by us) with a little noise.</summary>
    public static async Task<float[][]> QueriesAsync(LanceDataset dataset, int count, int seed)
    {
        var batch = await dataset.SearchAsync(new VectorSearchRequest("vector", new float[await DimensionAsync(dataset)], count * 7) { BypassIndex = true, Columns = ["vector"] });
        var vectors = (FixedSizeListArray)batch.Column("vector");
        var values = (FloatArray)vectors.Values;
        var dim = values.Length / vectors.Length;
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(q => Enumerable.Range(0, dim)
            .Select(d => values.GetValue((q * 7 * dim) + d)!.Value + (float)((random.NextDouble() - 0.5) * 0.4)).ToArray()).ToArray();
    }

    private static Task<int> DimensionAsync(LanceDataset dataset)
        => Task.FromResult(((Apache.Arrow.Types.FixedSizeListType)dataset.Schema.GetFieldByName("vector").DataType).ListSize);

    public static string Json(object value) => JsonSerializer.Serialize(value);
}
