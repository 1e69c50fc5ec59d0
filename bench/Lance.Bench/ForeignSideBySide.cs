using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Lance.Engine;

namespace Lance.Bench;

/// <summary>
/// Full scans and exact searches on a dataset LanceDB (Node) wrote with its default settings, by
/// our engine and by LanceDB on the same files in one run:
/// <c>dotnet run -c Release --project bench/Lance.Bench -- foreign [db folder] [queries]</c>. The
/// dataset is 1M rows of (id, text, 384-d vector) made once by <c>tools/lancedb-peer/make-bench-data.mjs</c>
/// into the git-ignored <c>data/foreign-bench</c> (made here when missing).
/// </summary>
public static class ForeignSideBySide
{
    public static async Task RunAsync(string[] args)
    {
        var db = Path.GetFullPath(args.Length > 1 ? args[1] : Path.Combine(RepositoryRoot(), "data", "foreign-bench"));
        var queryCount = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;
        const int Runs = 3;
        const int K = 10;
        if (!Directory.Exists(Path.Combine(db, "big.lance")))
        {
            Console.WriteLine($"Making the dataset with LanceDB into {db} (once)...");
            BenchSupport.Node("make-bench-data.mjs", new { db });
        }

        var path = Path.Combine(db, "big.lance");
        var probe = await LanceDataset.OpenAsync(path);
        var rows = probe.CountRows();
        var dimension = ((Apache.Arrow.Types.FixedSizeListType)probe.Schema.GetFieldByName("vector").DataType).ListSize;
        Console.WriteLine($"Dataset: {path}, written by LanceDB (Node) 0.31.0 with its defaults: {rows:N0} rows, {probe.FragmentCount} fragments, {dimension}-d vectors; {Environment.ProcessorCount} cores (shared machine).");
        var random = new Random(17);
        var queries = Enumerable.Range(0, queryCount).Select(_ => Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToList();

        // Ours. Scans: a fresh dataset object each time (nothing decoded is kept), files in the page cache;
        // every value is read (vectors summed, ids summed, text lengths taken), as a consumer would.
        async Task<double> ScanAsync(IReadOnlyList<string>? columns)
        {
            var dataset = await LanceDataset.OpenAsync(path);
            GC.Collect();
            var clock = Stopwatch.StartNew();
            long count = 0;
            double checksum = 0;
            await foreach (var batch in dataset.ScanAsync(columns))
            {
                count += batch.Length;
                checksum += BenchSupport.Consume(batch);
            }

            var elapsed = clock.Elapsed.TotalSeconds;
            GC.KeepAlive(checksum);
            return count == rows ? elapsed : throw new InvalidOperationException($"scan read {count} rows, not {rows}");
        }

        await ScanAsync(null);
        var scanAll = new List<double>();
        var scanVector = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            scanAll.Add(await ScanAsync(null));
        }

        for (var run = 0; run < Runs; run++)
        {
            scanVector.Add(await ScanAsync(["vector"]));
        }

        // Exact search: one dataset object, as a service would keep it; the first query reads and
        // decodes the vectors, the others search them in memory.
        var searcher = await LanceDataset.OpenAsync(path);
        var searchSeconds = new List<double>();
        List<long>? firstIds = null;
        foreach (var query in queries)
        {
            var clock = Stopwatch.StartNew();
            var result = await searcher.SearchAsync(new VectorSearchRequest("vector", query, K) { Columns = ["id"] });
            searchSeconds.Add(clock.Elapsed.TotalSeconds);
            firstIds ??= [.. ((Int64Array)result.Column("id")).Select(v => v!.Value)];
        }

        var node = BenchSupport.Node("bench-foreign.mjs", new { db, table = "big", queries, k = K, runs = Runs });
        var nodeScanAll = Doubles(node, "scanSeconds");
        var nodeScanVector = Doubles(node, "scanVectorSeconds");
        var nodeSearch = Doubles(node, "searchSeconds");
        var nodeIds = node.GetProperty("firstIds").EnumerateArray().Select(e => long.Parse(e.GetString()!, CultureInfo.InvariantCulture)).ToList();
        var sameNeighbours = nodeIds.SequenceEqual(firstIds!);

        double vectorMb = rows * (double)dimension * 4 / 1e6;
        Console.WriteLine();
        Console.WriteLine($"| measure (median of {Runs} scans, {queryCount} queries) | Lance.Engine | LanceDB (Node) | Lance.Engine faster by |");
        Console.WriteLine("|---|---|---|---|");
        Row("full scan, all columns (rows/s)", rows / BenchSupport.Median(scanAll), rows / BenchSupport.Median(nodeScanAll));
        Row("full scan, vector column (rows/s)", rows / BenchSupport.Median(scanVector), rows / BenchSupport.Median(nodeScanVector));
        Row("full scan, vector column (MB/s of vectors)", vectorMb / BenchSupport.Median(scanVector), vectorMb / BenchSupport.Median(nodeScanVector));
        Row($"exact search k={K}, first query (queries/s)", 1 / searchSeconds[0], 1 / nodeSearch[0]);
        Row($"exact search k={K}, median query (queries/s)", 1 / BenchSupport.Median(searchSeconds), 1 / BenchSupport.Median(nodeSearch));
        Console.WriteLine();
        Console.WriteLine($"Same 10 nearest ids for the first query: {(sameNeighbours ? "yes" : "NO")} (ours {string.Join(",", firstIds!)}; LanceDB {string.Join(",", nodeIds)}).");
        Console.WriteLine($"Raw seconds, ours: scan {Join(scanAll)} | vector {Join(scanVector)} | search {Join(searchSeconds)}");
        Console.WriteLine($"Raw seconds, LanceDB: scan {Join(nodeScanAll)} | vector {Join(nodeScanVector)} | search {Join(nodeSearch)}");
    }

    private static void Row(string name, double ours, double theirs) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {ours:N1} | {theirs:N1} | {ours / theirs:0.0}× |"));

    private static List<double> Doubles(JsonElement node, string name) => [.. node.GetProperty(name).EnumerateArray().Select(e => e.GetDouble())];

    private static string Join(IEnumerable<double> values) => string.Join(" ", values.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture)));

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Lance.Orm.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }
}
