using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Lance.Orm;

namespace Lance.Bench;

/// <summary>
/// Filtered scans and filtered exact searches, Lance.Orm beside LanceDB (Node) on the same table in one run:
/// <c>dotnet run -c Release --project bench/Lance.Bench -- compare-filters [rows] [queries] [ours-only]</c>.
/// </summary>
public static class FilterSideBySide
{
    private static readonly string[] ScanFilters = ["id > 900000", "id % 10 = 3", "text LIKE 'row 12%'", "id > 100 AND (id % 7 = 0 OR text LIKE '%9 of%')"];

    public static async Task RunAsync(string[] args)
    {
        var rows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
        var queryCount = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;
        var searchFilter = $"id > {rows * 9 / 10}";
        const int ScanRepeats = 5;
        var work = Path.Combine(Path.GetTempPath(), "lance-filter-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            Console.WriteLine($"Data: {rows:N0} rows x {BenchData.Dimension} float32 (id int64, text utf8), {queryCount} queries, k=10, L2, exact; {Environment.ProcessorCount} cores.");
            var db = await LanceDb.ConnectAsync(Path.Combine(work, "db"));
            Table<BenchRow> table;
            {
                var data = BenchData.Rows(rows);
                table = await db.CreateTableAsync<BenchRow>("bench", data);
            }

            var queries = BenchData.Queries(queryCount);
            var queryFile = Path.Combine(work, "queries.json");
            await File.WriteAllTextAsync(queryFile, JsonSerializer.Serialize(queries));
            GC.Collect();
            GC.WaitForPendingFinalizers();

            // Ours: filtered scans returning the id column (the first run warms the column cache up).
            var ourScans = new List<(string Filter, long Rows, double Seconds)>();
            foreach (var filter in ScanFilters)
            {
                long count = 0;
                var times = new List<double>();
                for (var r = 0; r <= ScanRepeats; r++)
                {
                    var clock = Stopwatch.StartNew();
                    count = 0;
                    await foreach (var batch in table.Query().Where(filter).Select("id").ToArrowAsync())
                    {
                        count += batch.Length;
                    }

                    if (r > 0)
                    {
                        times.Add(clock.Elapsed.TotalSeconds);
                    }
                }

                ourScans.Add((filter, count, BenchSupport.Median(times)));
            }

            // Ours: exact search unfiltered, prefiltered and postfiltered.
            async Task<double> Timed(Func<float[], Task> search)
            {
                for (var i = 0; i < Math.Min(3, queries.Length); i++)
                {
                    await search(queries[i]);
                }

                var times = new List<double>();
                foreach (var q in queries)
                {
                    var clock = Stopwatch.StartNew();
                    await search(q);
                    times.Add(clock.Elapsed.TotalSeconds);
                }

                return BenchSupport.Median(times);
            }

            var oursUnfiltered = await Timed(q => table.Search(q).Select("id").ToBatchAsync());
            var oursPre = await Timed(q => table.Search(q).Where(searchFilter).Select("id").ToBatchAsync());
            var oursPost = await Timed(q => table.Search(q).Where(searchFilter, prefilter: false).Select("id").ToBatchAsync());
            var firstOurs = await table.Search(queries[0]).Where(searchFilter).Select("id").ToBatchAsync();
            var oursFirstIds = Enumerable.Range(0, firstOurs.Length).Select(i => ((Int64Array)firstOurs.Column("id")).GetValue(i)!.Value.ToString(CultureInfo.InvariantCulture)).ToList();

            if (args.Length > 3 && args[3] == "ours-only")
            {
                Console.WriteLine($"ours: unfiltered {oursUnfiltered * 1000:F1} ms, prefilter {oursPre * 1000:F1} ms ({oursUnfiltered / oursPre:F1}x), postfilter {oursPost * 1000:F1} ms; scans: "
                    + string.Join("; ", ourScans.Select(x => $"{x.Filter}: {x.Seconds * 1000:F1} ms")));
                return;
            }

            // LanceDB (Node) on the very same table.
            var node = BenchSupport.Node("bench-filter.mjs", new
            {
                db = Path.Combine(work, "db"),
                table = "bench",
                queries = queryFile,
                filters = ScanFilters,
                searchFilter,
                k = 10,
                scanRepeats = ScanRepeats,
                warmup = 3,
            });
            var theirScans = node.GetProperty("scans").EnumerateArray().ToList();
            var theirSearch = node.GetProperty("search");
            var theirFirstIds = theirSearch.GetProperty("firstPrefilterIds").EnumerateArray().Select(e => e.GetString()!).ToList();

            Console.WriteLine();
            Console.WriteLine("| filtered scan (returns id) | rows out | Lance.Orm | LanceDB (Node) | Lance.Orm faster by |");
            Console.WriteLine("|---|---|---|---|---|");
            for (var i = 0; i < ScanFilters.Length; i++)
            {
                var ours = ourScans[i];
                var theirs = theirScans[i];
                var theirSeconds = theirs.GetProperty("secondsMedian").GetDouble();
                var sameRows = theirs.GetProperty("rows").GetInt64() == ours.Rows ? "" : $" (LanceDB: {theirs.GetProperty("rows").GetInt64():N0})";
                Console.WriteLine($"| `{ours.Filter}` | {ours.Rows:N0}{sameRows} | {ours.Seconds * 1000:F1} ms = {rows / ours.Seconds / 1e6:F1} M rows/s | {theirSeconds * 1000:F1} ms = {rows / theirSeconds / 1e6:F1} M rows/s | {theirSeconds / ours.Seconds:F2}x |");
            }

            var tu = theirSearch.GetProperty("unfilteredSecondsMedian").GetDouble();
            var tp = theirSearch.GetProperty("prefilterSecondsMedian").GetDouble();
            var tq = theirSearch.GetProperty("postfilterSecondsMedian").GetDouble();
            Console.WriteLine();
            Console.WriteLine("| exact search k=10, median latency | Lance.Orm | LanceDB (Node) | Lance.Orm faster by |");
            Console.WriteLine("|---|---|---|---|");
            Console.WriteLine($"| unfiltered | {oursUnfiltered * 1000:F1} ms | {tu * 1000:F1} ms | {tu / oursUnfiltered:F2}x |");
            Console.WriteLine($"| prefilter `{searchFilter}` | {oursPre * 1000:F1} ms | {tp * 1000:F1} ms | {tp / oursPre:F2}x |");
            Console.WriteLine($"| postfilter `{searchFilter}` | {oursPost * 1000:F1} ms | {tq * 1000:F1} ms | {tq / oursPost:F2}x |");
            Console.WriteLine($"| prefilter speed-up over unfiltered | {oursUnfiltered / oursPre:F1}x | {tu / tp:F1}x | |");
            Console.WriteLine();
            Console.WriteLine($"Same prefiltered top-10 ids for the first query: {(oursFirstIds.SequenceEqual(theirFirstIds) ? "yes" : $"NO (ours {string.Join(",", oursFirstIds)}; LanceDB {string.Join(",", theirFirstIds)})")}.");
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }
}
