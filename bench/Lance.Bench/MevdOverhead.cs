using System.Diagnostics;
using System.Globalization;
using Lance.Engine;
using Lance.Orm;
using Lance.Orm.VectorData;
using Microsoft.Extensions.VectorData;

namespace Lance.Bench;

/// <summary>
/// The cost of going through Microsoft.Extensions.VectorData instead of our own API, on one table:
/// a search (top 10 of 20,000 rows × 128 dims, exact) and an upsert (a merge-insert of 100 rows on the
/// key), each through <c>Table&lt;T&gt;</c>, through MEVD with a POCO record (MEVD's model, per-property
/// mapping) and through MEVD with the same generated model; and a hybrid search (top 10: vector plus BM25
/// keywords over the full-text indexed title, fused by RRF) through the ORM's hybrid query and MEVD's
/// <c>HybridSearchAsync</c>. Steps are interleaved in a rotating order within their group so that load from
/// other processes hits all alike; figures are medians over rounds.
/// Run: <c>dotnet run -c Release --project bench/Lance.Bench -- mevd-overhead [rounds]</c>.
/// </summary>
public static class MevdOverhead
{
    private const int Rows = 20_000;
    private const int Dims = 128;
    private const int SearchesPerStep = 20;
    private const int UpsertRows = 100;
    private const int UpsertsPerStep = 3;

    public static async Task RunAsync(string[] args)
    {
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 9;
        var folder = Path.Combine(Path.GetTempPath(), "lance-bench-mevd-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await using var database = await LanceDb.ConnectAsync(folder);
            var rows = Enumerable.Range(0, Rows).Select(i => Row(i, 0)).ToList();
            var table = await database.CreateTableAsync("items", rows);
            await table.CreateFtsIndexAsync("title");
            using var store = new LanceVectorStore(database);
            var poco = store.GetCollection<long, MevdItem>("items");
            var generated = store.GetCollection<long, BenchItem>("items");
            var random = new Random(7);
            var queries = Enumerable.Range(0, SearchesPerStep).Select(_ => Vector(random)).ToArray();

            // Each query's keywords name two rows' ids (every title is "item <id> v<version>").
            var keywords = Enumerable.Range(0, SearchesPerStep).Select(_ => new[] { $"{random.Next(Rows)}", $"{random.Next(Rows)}" }).ToArray();
            var version = 1;

            var steps = new (string Name, Func<Task> Run)[]
            {
                ("search: Table<T>.Search(v).Limit(10), no vectors back", async () =>
                {
                    foreach (var q in queries)
                    {
                        _ = await table.Search(q).Limit(10).Select("id", "title", "year").ToSearchResultsAsync();
                    }
                }),
                ("search: MEVD SearchAsync, POCO record", async () =>
                {
                    foreach (var q in queries)
                    {
                        await foreach (var _ in poco.SearchAsync(q, 10))
                        {
                        }
                    }
                }),
                ("search: MEVD SearchAsync, generated model", async () =>
                {
                    foreach (var q in queries)
                    {
                        await foreach (var _ in generated.SearchAsync(q, 10))
                        {
                        }
                    }
                }),
                ("upsert: Table<T>.MergeInsertAsync(100 rows)", async () =>
                {
                    for (var k = 0; k < UpsertsPerStep; k++)
                    {
                        var v = ++version;
                        await table.MergeInsertAsync(Enumerable.Range(0, UpsertRows).Select(i => Row(i * 37 % Rows, v)), ["id"], MergeInsertOptions.Upsert);
                    }
                }),
                ("upsert: MEVD UpsertAsync(100 records), POCO record", async () =>
                {
                    for (var k = 0; k < UpsertsPerStep; k++)
                    {
                        var v = ++version;
                        await poco.UpsertAsync(Enumerable.Range(0, UpsertRows).Select(i => Poco(Row(i * 37 % Rows, v))));
                    }
                }),
                ("upsert: MEVD UpsertAsync(100 records), generated model", async () =>
                {
                    for (var k = 0; k < UpsertsPerStep; k++)
                    {
                        var v = ++version;
                        await generated.UpsertAsync(Enumerable.Range(0, UpsertRows).Select(i => Row(i * 37 % Rows, v)));
                    }
                }),
                ("hybrid: Table<T>.Search(v).FullTextSearch(k, \"title\").Limit(10)", async () =>
                {
                    for (var i = 0; i < queries.Length; i++)
                    {
                        _ = await table.Search(queries[i]).FullTextSearch(string.Join(' ', keywords[i]), "title").Limit(10).Select("id", "title", "year").ToSearchResultsAsync();
                    }
                }),
                ("hybrid: the same with .Limit(20), the candidates MEVD asks each half for", async () =>
                {
                    for (var i = 0; i < queries.Length; i++)
                    {
                        _ = await table.Search(queries[i]).FullTextSearch(string.Join(' ', keywords[i]), "title").Limit(20).Select("id", "title", "year").ToSearchResultsAsync();
                    }
                }),
                ("hybrid: MEVD HybridSearchAsync, POCO record", async () =>
                {
                    for (var i = 0; i < queries.Length; i++)
                    {
                        await foreach (var _ in ((IKeywordHybridSearchable<MevdItem>)poco).HybridSearchAsync(queries[i], keywords[i], 10))
                        {
                        }
                    }
                }),
                ("hybrid: MEVD HybridSearchAsync, generated model", async () =>
                {
                    for (var i = 0; i < queries.Length; i++)
                    {
                        await foreach (var _ in ((IKeywordHybridSearchable<BenchItem>)generated).HybridSearchAsync(queries[i], keywords[i], 10))
                        {
                        }
                    }
                }),
            };

            foreach (var (_, run) in steps)
            {
                await run(); // warm-up (and the first open of the table through the store)
            }

            // Searches rotate among themselves, upserts and hybrid searches likewise, so each ratio compares like with like;
            // the first step of each group is the baseline.
            int[][] groups = [[0, 1, 2], [3, 4, 5], [6, 7, 8, 9]];
            var seconds = steps.Select(_ => new List<double>()).ToArray();
            for (var round = 0; round < rounds; round++)
            {
                for (var k = 0; k < groups.Max(g => g.Length); k++)
                {
                    foreach (var group in groups.Where(g => k < g.Length))
                    {
                        var i = group[(k + round) % group.Length];
                        var clock = Stopwatch.StartNew();
                        await steps[i].Run();
                        seconds[i].Add(clock.Elapsed.TotalSeconds);
                    }
                }
            }

            Console.WriteLine($"| step ({Rows:N0} rows × {Dims}, {rounds} rounds, interleaved) | median per call | median ratio to our API |");
            Console.WriteLine("|---|---:|---:|");
            for (var i = 0; i < steps.Length; i++)
            {
                var baseline = groups.First(g => g.Contains(i))[0];
                var perCall = baseline == 3 ? UpsertsPerStep : SearchesPerStep;
                var ratios = seconds[i].Zip(seconds[baseline], (a, b) => a / b).ToList();
                Console.WriteLine($"| {steps[i].Name} | {BenchSupport.Median(seconds[i]) / perCall * 1000:F2} ms | {BenchSupport.Median(ratios):F3} |");
            }
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static BenchItem Row(int id, int version) => new()
    {
        Id = id,
        Title = $"item {id} v{version}",
        Year = 1990 + id % 30,
        Vector = Vector(new Random(id)),
    };

    private static MevdItem Poco(BenchItem row) => new() { Id = row.Id, Title = row.Title, Year = row.Year, Vector = row.Vector };

    private static float[] Vector(Random random)
    {
        var v = new float[Dims];
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = (float)random.NextDouble();
        }

        return v;
    }
}

/// <summary>The benchmark's row as a generated model, also described for MEVD.</summary>
public partial record BenchItem : ILanceModel
{
    [VectorStoreKey] public long Id { get; init; }
    [VectorStoreData(IsFullTextIndexed = true)] public string Title { get; init; } = "";
    [VectorStoreData] public int Year { get; init; }
    [Vector(128)]
    [VectorStoreVector(128, DistanceFunction = DistanceFunction.EuclideanSquaredDistance)]
    public float[] Vector { get; init; } = [];
}

/// <summary>The same row as a plain MEVD POCO, mapped to the same columns.</summary>
public sealed class MevdItem
{
    [VectorStoreKey(StorageName = "id")] public long Id { get; set; }
    [VectorStoreData(StorageName = "title", IsFullTextIndexed = true)] public string Title { get; set; } = "";
    [VectorStoreData(StorageName = "year")] public int Year { get; set; }
    [VectorStoreVector(128, DistanceFunction = DistanceFunction.EuclideanSquaredDistance, StorageName = "vector")]
    public ReadOnlyMemory<float> Vector { get; set; }
}
