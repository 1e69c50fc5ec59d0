using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Lance.Engine;
using Lance.Orm;

namespace Lance.Bench;

/// <summary>A row of the scalar index benchmark: a category with 1,000 values (0.1% each) and a vector.</summary>
public partial record ScalarBenchRow : ILanceModel
{
    public long Id { get; init; }
    public int Category { get; init; }
    [Vector(384)] public float[]? Vector { get; init; }
}

/// <summary>
/// Prefiltered exact search with a 0.1%-selective filter on a BTREE (<c>id</c>) and a BITMAP (<c>category</c>)
/// column, without and with the index, Lance.Orm beside LanceDB (Node) on the same table in one run:
/// <c>dotnet run -c Release --project bench/Lance.Bench -- scalar-index [rows] [queries]</c>.
/// </summary>
public static class ScalarIndexBench
{
    public static async Task RunAsync(string[] args)
    {
        var rows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000;
        var queryCount = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;
        string[] filters = [$"id < {rows / 1000}", "category = 7"];
        var work = Path.Combine(Path.GetTempPath(), "lance-scalar-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            Console.WriteLine($"Data: {rows:N0} rows x {BenchData.Dimension} float32 (id int64, category int32 = id % 1000), {queryCount} queries, k=10, L2, exact, prefilter; {Environment.ProcessorCount} cores.");
            var db = await LanceDb.ConnectAsync(Path.Combine(work, "db"));
            var source = BenchData.Rows(rows);
            var table = await db.CreateTableAsync<ScalarBenchRow>("bench", source.Select(r => new ScalarBenchRow { Id = r.Id, Category = (int)(r.Id % 1000), Vector = r.Vector }));
            source = null;
            var queries = BenchData.Queries(queryCount);
            var queryFile = Path.Combine(work, "queries.json");
            await File.WriteAllTextAsync(queryFile, JsonSerializer.Serialize(queries));
            GC.Collect();

            async Task<(double Seconds, List<long> Ids)> Timed(string filter)
            {
                for (var i = 0; i < Math.Min(3, queries.Length); i++)
                {
                    await table.Search(queries[i]).Where(filter).Select("id").ToBatchAsync();
                }

                var times = new List<double>();
                foreach (var q in queries)
                {
                    var clock = Stopwatch.StartNew();
                    await table.Search(q).Where(filter).Select("id").ToBatchAsync();
                    times.Add(clock.Elapsed.TotalSeconds);
                }

                var first = await table.Search(queries[0]).Where(filter).Select("id").ToBatchAsync();
                var ids = (Int64Array)first.Column("id");
                return (BenchSupport.Median(times), Enumerable.Range(0, ids.Length).Select(i => ids.GetValue(i)!.Value).ToList());
            }

            var plain = new List<(double Seconds, List<long> Ids)>();
            foreach (var filter in filters)
            {
                plain.Add(await Timed(filter));
            }

            // LanceDB on the same table: without an index, then with its own indexes (dropped afterwards).
            var node = BenchSupport.Node("bench-scalar.mjs", new
            {
                db = Path.Combine(work, "db"),
                table = "bench",
                queries = queryFile,
                filters,
                indexes = new[] { new { column = "id", kind = "btree" }, new { column = "category", kind = "bitmap" } },
                k = 10,
            });
            await table.RefreshAsync();

            var builds = new List<(string Column, double Seconds, ScalarIndexInfo Info)>();
            foreach (var (column, config) in new[] { ("id", ScalarIndexConfig.BTree()), ("category", ScalarIndexConfig.Bitmap()) })
            {
                var clock = Stopwatch.StartNew();
                var info = await table.CreateScalarIndexAsync(column, config);
                builds.Add((column, clock.Elapsed.TotalSeconds, info));
            }

            var indexed = new List<(double Seconds, List<long> Ids)>();
            foreach (var filter in filters)
            {
                indexed.Add(await Timed(filter));
            }

            var plans = new List<string>();
            foreach (var filter in filters)
            {
                plans.Add((await table.Search(queries[0]).Where(filter).ExplainPlanAsync()).ToString());
            }

            var theirPlain = node.GetProperty("plain").EnumerateArray().ToList();
            var theirIndexed = node.GetProperty("indexed").EnumerateArray().ToList();
            var theirBuild = node.GetProperty("build").EnumerateArray().ToList();
            Console.WriteLine();
            Console.WriteLine("| prefiltered exact search k=10, median | Lance.Orm no index | Lance.Orm with index | speed-up | LanceDB no index | LanceDB with index | speed-up | same top-10 |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|");
            for (var i = 0; i < filters.Length; i++)
            {
                var tp = theirPlain[i].GetProperty("secondsMedian").GetDouble();
                var ti = theirIndexed[i].GetProperty("secondsMedian").GetDouble();
                var theirIds = theirIndexed[i].GetProperty("ids").EnumerateArray().Select(e => e.GetInt64()).ToList();
                var same = indexed[i].Ids.SequenceEqual(plain[i].Ids) && theirIds.SequenceEqual(indexed[i].Ids) ? "yes" : "NO";
                var kind = i == 0 ? "BTREE" : "BITMAP";
                Console.WriteLine($"| `{filters[i]}` ({kind}) | {plain[i].Seconds * 1000:F2} ms | {indexed[i].Seconds * 1000:F2} ms | {plain[i].Seconds / indexed[i].Seconds:F1}x | {tp * 1000:F2} ms | {ti * 1000:F2} ms | {tp / ti:F1}x | {same} |");
            }

            Console.WriteLine();
            Console.WriteLine("| index | Lance.Orm build | Lance.Orm files | Lance.Orm loaded in memory | LanceDB build | LanceDB files |");
            Console.WriteLine("|---|---|---|---|---|---|");
            for (var i = 0; i < builds.Count; i++)
            {
                var (column, seconds, info) = builds[i];
                var theirs = theirBuild[i];
                var theirSize = theirs.GetProperty("sizeBytes").ValueKind == JsonValueKind.Number ? $"{theirs.GetProperty("sizeBytes").GetInt64() / 1024.0:F0} KiB" : "n/a";
                Console.WriteLine($"| {column} {info.Kind} | {seconds:F2} s | {info.SizeBytes / 1024.0:F0} KiB | {info.MemoryBytes / 1024.0:F0} KiB | {theirs.GetProperty("seconds").GetDouble():F2} s | {theirSize} |");
            }

            Console.WriteLine();
            Console.WriteLine($"LanceDB (Node) process RSS before / after its indexed searches: {node.GetProperty("rssBeforeIndexedMiB").GetDouble():F0} / {node.GetProperty("rssAfterIndexedMiB").GetDouble():F0} MiB.");
            Console.WriteLine();
            Console.WriteLine("Our plans:");
            plans.ForEach(Console.WriteLine);
            Console.WriteLine("LanceDB's plans:");
            foreach (var plan in node.GetProperty("plans").EnumerateArray())
            {
                Console.WriteLine(plan.GetString());
            }
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }
}
