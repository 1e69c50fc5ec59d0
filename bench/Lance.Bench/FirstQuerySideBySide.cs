using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Lance.Engine;

namespace Lance.Bench;

/// <summary>
/// The first exact search of a fresh process on a large LanceDB-written table that is ONE data
/// file (1M × 384 float32 vectors from one <c>createTable</c> call, ~1.5 GB), ours and LanceDB's
/// side by side: <c>dotnet run -c Release --project bench/Lance.Bench -- first-query [db folder] [runs] [queries]</c>.
/// Each measurement is a new process (ours: this program in its <c>first-query-child</c> mode; LanceDB's:
/// <c>tools/lancedb-peer/bench-first-query.mjs</c>) timing open + first search, then the further queries
/// one by one. "Cold" evicts the data file from the OS page cache before the process starts; "warm"
/// reads it whole first, so it is cached. The two libraries alternate, run by run.
/// </summary>
public static class FirstQuerySideBySide
{
    private const int K = 10;

    public static async Task RunAsync(string[] args)
    {
        var db = Path.GetFullPath(args.Length > 1 ? args[1] : Path.Combine(RepositoryRoot(), "data", "foreign-single"));
        var runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        var queryCount = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 7;
        if (!Directory.Exists(Path.Combine(db, "big.lance")))
        {
            Console.WriteLine($"Making the dataset with LanceDB into {db} (once: one createTable call of 1M rows, ~3 min)...");
            BenchSupport.Node("make-bench-data.mjs", new { db, single = true });
        }

        var path = Path.Combine(db, "big.lance");
        var files = Directory.GetFiles(Path.Combine(path, "data"), "*.lance");
        var probe = await LanceDataset.OpenAsync(path);
        var dimension = ((Apache.Arrow.Types.FixedSizeListType)probe.Schema.GetFieldByName("vector").DataType).ListSize;
        Console.WriteLine($"Dataset: {path}, {probe.CountRows():N0} rows in {probe.FragmentCount} fragment(s), {files.Length} data file(s) of {files.Sum(f => new FileInfo(f).Length) / 1e9:0.00} GB, {dimension}-d vectors; {Environment.ProcessorCount} cores.");
        Console.WriteLine($"Load before: {Uptime()}");

        var random = new Random(17);
        var queries = Enumerable.Range(0, queryCount).Select(_ => Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToList();
        var queryFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(queryFile, JsonSerializer.Serialize(queries));
        var ours = new Dictionary<string, List<JsonElement>> { ["cold"] = [], ["warm"] = [] };
        var theirs = new Dictionary<string, List<JsonElement>> { ["cold"] = [], ["warm"] = [] };
        try
        {
            foreach (var cache in new[] { "cold", "warm" })
            {
                for (var run = 0; run < runs; run++)
                {
                    PrepareCache(files, cache);
                    ours[cache].Add(RunChild(path, queryFile));
                    PrepareCache(files, cache);
                    theirs[cache].Add(BenchSupport.Node("bench-first-query.mjs", new { db, table = "big", queries, k = K }));
                }
            }
        }
        finally
        {
            File.Delete(queryFile);
        }

        Console.WriteLine($"Load after: {Uptime()}");
        Console.WriteLine();
        Console.WriteLine($"| measure (median of {runs} fresh processes each) | Lance.Engine | LanceDB (Node) | Lance.Engine faster by |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var cache in new[] { "cold", "warm" })
        {
            var a = BenchSupport.Median(ours[cache].Select(r => r.GetProperty("firstSeconds").GetDouble()));
            var b = BenchSupport.Median(theirs[cache].Select(r => r.GetProperty("firstSeconds").GetDouble()));
            Row($"first query, open + search, {cache} page cache (s)", a, b);
        }

        var oursWarm = ours.Values.SelectMany(r => r).SelectMany(r => Doubles(r, "searchSeconds")).ToList();
        var theirsWarm = theirs.Values.SelectMany(r => r).SelectMany(r => Doubles(r, "searchSeconds")).ToList();
        Row($"later queries, median of {oursWarm.Count} (s)", BenchSupport.Median(oursWarm), BenchSupport.Median(theirsWarm));
        Console.WriteLine();
        Console.WriteLine("| memory after the queries (median of all runs) | Lance.Engine | LanceDB (Node) |");
        Console.WriteLine("|---|---|---|");
        foreach (var (name, key) in new[] { ("resident (VmRSS)", "rssBytes"), ("private, anonymous (RssAnon)", "rssAnonBytes"), ("mapped file pages (RssFile)", "rssFileBytes"), ("peak resident (VmHWM)", "peakRssBytes") })
        {
            var all = ours.Values.SelectMany(r => r).Select(r => r.GetProperty(key).GetDouble());
            var node = theirs.Values.SelectMany(r => r).Select(r => r.GetProperty(key).GetDouble());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {BenchSupport.Median(all) / 1e6:N0} MB | {BenchSupport.Median(node) / 1e6:N0} MB |"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| managed heap (ours) | {BenchSupport.Median(ours.Values.SelectMany(r => r).Select(r => r.GetProperty("managedBytes").GetDouble())) / 1e6:N0} MB | |"));
        Console.WriteLine();
        var sameIds = ours.Values.SelectMany(r => r).Concat(theirs.Values.SelectMany(r => r))
            .Select(r => string.Join(",", r.GetProperty("firstIds").EnumerateArray().Select(e => e.GetString()))).Distinct().ToList();
        Console.WriteLine($"Same {K} nearest ids for the first query in every run of both: {(sameIds.Count == 1 ? "yes" : "NO")} ({string.Join(" | ", sameIds)}).");
        foreach (var cache in new[] { "cold", "warm" })
        {
            Console.WriteLine($"Raw, {cache}, ours: open {Join(ours[cache], "openSeconds")} | first {Join(ours[cache], "firstSeconds")} | process {Join(ours[cache], "processSeconds")}");
            Console.WriteLine($"Raw, {cache}, LanceDB: open {Join(theirs[cache], "openSeconds")} | first {Join(theirs[cache], "firstSeconds")}");
        }

        Console.WriteLine($"Raw later queries, ours: {Join(oursWarm)}");
        Console.WriteLine($"Raw later queries, LanceDB: {Join(theirsWarm)}");
    }

    /// <summary>
    /// One fresh process's measurement (the <c>first-query-child</c> mode): opens the dataset, runs
    /// the first query, then the others; prints one JSON document.
    /// </summary>
    public static async Task RunChildAsync(string[] args)
    {
        var start = Stopwatch.StartNew();
        var queries = JsonSerializer.Deserialize<float[][]>(await File.ReadAllTextAsync(args[2]))!;
        var dataset = await LanceDataset.OpenAsync(args[1]);
        var openSeconds = start.Elapsed.TotalSeconds;
        var first = await dataset.SearchAsync(new VectorSearchRequest("vector", queries[0], K) { Columns = ["id"] });
        var firstSeconds = start.Elapsed.TotalSeconds;
        var later = new List<double>();
        foreach (var query in queries.Skip(1))
        {
            var clock = Stopwatch.StartNew();
            await dataset.SearchAsync(new VectorSearchRequest("vector", query, K) { Columns = ["id"] });
            later.Add(clock.Elapsed.TotalSeconds);
        }

        var status = File.Exists("/proc/self/status") ? File.ReadAllText("/proc/self/status") : "";
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["openSeconds"] = openSeconds,
            ["firstSeconds"] = firstSeconds,
            ["searchSeconds"] = later,
            ["firstIds"] = ((Int64Array)first.Column("id")).Select(v => v!.Value.ToString(CultureInfo.InvariantCulture)).ToList(),
            ["rssBytes"] = Kb(status, "VmRSS"),
            ["rssAnonBytes"] = Kb(status, "RssAnon"),
            ["rssFileBytes"] = Kb(status, "RssFile"),
            ["peakRssBytes"] = Kb(status, "VmHWM"),
            ["managedBytes"] = GC.GetTotalMemory(false),
        }));
        GC.KeepAlive(dataset);
    }

    // Runs this program again in its child mode and adds the whole process's wall time.
    private static JsonElement RunChild(string path, string queryFile)
    {
        var self = Environment.ProcessPath!;
        var arguments = Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? new List<string> { typeof(FirstQuerySideBySide).Assembly.Location }
            : [];
        arguments.AddRange(["first-query-child", path, queryFile]);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo(self, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var processSeconds = clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the child process failed: {stderr.Result}");
        }

        var result = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(stdout.Result)!;
        result["processSeconds"] = JsonSerializer.SerializeToElement(processSeconds);
        return JsonSerializer.SerializeToElement(result);
    }

    // Cold: the file's pages are dropped from the OS page cache (POSIX_FADV_DONTNEED through dd's
    // "nocache", no privileges needed); the disk below may still cache, hence "cold-ish". Warm: the
    // file is read once, so every page is cached.
    private static void PrepareCache(string[] files, string cache)
    {
        foreach (var file in files)
        {
            if (cache == "cold")
            {
                using var dd = Process.Start(new ProcessStartInfo("dd", [$"if={file}", "iflag=nocache", "count=0", "status=none"]))!;
                dd.WaitForExit();
            }
            else
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
                var buffer = new byte[1 << 20];
                while (stream.Read(buffer) > 0)
                {
                }
            }
        }
    }

    private static long Kb(string status, string key)
    {
        var line = status.Split('\n').FirstOrDefault(l => l.StartsWith(key + ":", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    private static string Uptime() => File.Exists("/proc/loadavg") ? "load average " + string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "(unknown)";

    private static void Row(string name, double ours, double theirs) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {ours:0.000} | {theirs:0.000} | {theirs / ours:0.0}× |"));

    private static List<double> Doubles(JsonElement node, string name) => [.. node.GetProperty(name).EnumerateArray().Select(e => e.GetDouble())];

    private static string Join(IEnumerable<JsonElement> runs, string name) => Join(runs.Select(r => r.GetProperty(name).GetDouble()));

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
