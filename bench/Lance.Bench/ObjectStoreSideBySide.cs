using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Azure.Storage;
using Azure.Storage.Blobs;
using Lance.Engine.Storage;
using Lance.Orm;
using Lance.Storage.Cloud;

namespace Lance.Bench;

/// <summary>
/// Lance.Orm and LanceDB (Node) side by side on one object-store emulator, in one run:
/// <c>dotnet run -c Release --project bench/Lance.Bench -- object-store --store s3|azure [--rows 100000] [--queries 20] [--runs 3]</c>.
/// Starts s3rver or Azurite, writes the same rows each way (ingest timed), then in fresh processes
/// times open + the first exact search (k=10, L2), the later searches one by one and full scans of
/// every column. A second pass sends both through a counting proxy in front of the emulator
/// (tools/lancedb-peer/count-proxy.mjs) to count the requests and bytes each step costs; ours are
/// also taken from the store's own counters. With <c>--ready-to-run DIR</c> (a copy of this program
/// published with <c>-p:PublishReadyToRun=true</c>), each run also times a fresh process of that copy,
/// whose code (ours and the SDKs') is compiled ahead of time rather than just in time.
/// </summary>
public static class ObjectStoreSideBySide
{
    private const int K = 10;
    private const string Bucket = "bench";
    private const string AzureAccount = "devstoreaccount1";

    // Azurite's well-known development key (public, documented by Microsoft).
    private const string AzureKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static async Task RunAsync(string[] args)
    {
        var store = Option(args, "--store") ?? "s3";
        if (store is not ("s3" or "azure"))
        {
            throw new ArgumentException("--store must be s3 or azure");
        }

        var rows = int.Parse(Option(args, "--rows") ?? "100000", CultureInfo.InvariantCulture);
        var queryCount = int.Parse(Option(args, "--queries") ?? "20", CultureInfo.InvariantCulture);
        var runs = int.Parse(Option(args, "--runs") ?? "3", CultureInfo.InvariantCulture);
        var readyToRun = Option(args, "--ready-to-run") is { } r2rDir ? Path.GetFullPath(Path.Combine(r2rDir, "Lance.Bench.dll")) : null;
        if (readyToRun is not null && !File.Exists(readyToRun))
        {
            throw new ArgumentException($"--ready-to-run: no {readyToRun}; publish it with: dotnet publish bench/Lance.Bench -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o DIR");
        }

        var aot = Option(args, "--aot") is { } aotPath ? Path.GetFullPath(aotPath) : null;
        if (aot is not null && !File.Exists(aot))
        {
            throw new ArgumentException($"--aot: no {aot}; publish it with: dotnet publish bench/Lance.Bench.Aot -c Release -r linux-x64 -p:CppCompilerAndLinker=gcc -o DIR, and give DIR/Lance.Bench.Aot");
        }

        // The JIT probe (bench/Lance.Bench.Probe, the NativeAOT probe's program as a JIT app) built against this
        // repository's projects, and built against the packed packages (with their linux-x64 ReadyToRun images).
        var probe = ProbeOption(args, "--jit-probe", "dotnet publish bench/Lance.Bench.Probe -c Release -o DIR");
        var packagedProbe = ProbeOption(args, "--packaged-probe", "dotnet pack src/Lance.Orm, src/Lance.Engine and src/Lance.Storage.Cloud -c Release -o FEED -p:PackageVersion=0.0.0-bench, then dotnet publish bench/Lance.Bench.Probe -c Release -p:LanceFeed=FEED -o DIR");

        var work = Path.Combine(Path.GetTempPath(), "lance-bench-os-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; store {store}; {rows:N0} rows x {BenchData.Dimension} float32; exact search k={K}, L2, first query + {queryCount} later ones per fresh process, {runs} processes per side; {Environment.ProcessorCount} cores; {Load()}.");

        using var emulator = store == "s3" ? await NodeService.StartS3rverAsync(Bucket) : await NodeService.StartAzuriteAsync();
        if (store == "azure")
        {
            var service = new BlobServiceClient(new Uri($"{emulator.Endpoint}/{AzureAccount}"), new StorageSharedKeyCredential(AzureAccount, AzureKey));
            await service.GetBlobContainerClient(Bucket).CreateIfNotExistsAsync();
        }

        using var proxy = await NodeService.StartCountingProxyAsync(emulator.Endpoint);
        var scheme = store == "s3" ? "s3" : "az";
        try
        {
            var data = BenchData.Rows(rows);
            var ipc = Path.Combine(work, "rows.arrow");
            await BenchData.WriteIpcAsync(ipc, BenchRow.ToRecordBatch(data));
            var queryFile = Path.Combine(work, "queries.json");
            await File.WriteAllTextAsync(queryFile, JsonSerializer.Serialize(BenchData.Queries(Math.Max(queryCount + 1, 3))));

            // Ingest: the same rows each way into fresh prefixes, the two sides alternating.
            var oursIngest = new List<double>();
            var theirsIngest = new List<double>();
            (long Requests, long BytesWritten) oursIngestCost = default;
            for (var run = 0; run < runs; run++)
            {
                var stats = (Lance.Storage.Cloud.Resilience.ObjectStoreStatistics?)null;
                var options = OursOptions(store, emulator.Endpoint) with
                {
                    ObjectStoreOpener = (uri, storage) =>
                    {
                        var opened = (RemoteObjectStore)ObjectStoreFactory.Open(uri, storage);
                        stats = opened.Statistics;
                        return opened;
                    },
                };
                await using (var db = await LanceDb.ConnectAsync($"{scheme}://{Bucket}/ours-{run}", options))
                {
                    var clock = Stopwatch.StartNew();
                    await db.CreateTableAsync<BenchRow>("bench", data);
                    oursIngest.Add(clock.Elapsed.TotalSeconds);
                    oursIngestCost = (stats!.Requests, stats.BytesWritten);
                }

                var node = BenchSupport.Node("bench-object-store.mjs", new { op = "ingest", uri = $"{scheme}://{Bucket}/lancedb-{run}", storageOptions = TheirOptions(store, emulator.Endpoint), table = "bench", ipc });
                theirsIngest.Add(node.GetProperty("ingestSeconds").GetDouble());
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ingest run {run + 1}: ours {oursIngest[^1]:0.000} s, LanceDB {theirsIngest[^1]:0.000} s"));
            }

            // Queries, timed: fresh processes straight to the emulator, the sides alternating.
            var ours = new List<JsonElement>();
            var oursUncached = new List<JsonElement>();
            var theirs = new List<JsonElement>();
            var oursReadyToRun = new List<JsonElement>();
            var oursAot = new List<JsonElement>();
            var oursProbe = new List<JsonElement>();
            var oursPackaged = new List<JsonElement>();
            for (var run = 0; run < runs; run++)
            {
                if (aot is not null)
                {
                    oursAot.Add(RunProbe(work, aot, [], store, emulator.Endpoint, queryFile));
                }

                if (probe is not null)
                {
                    oursProbe.Add(RunProbe(work, "dotnet", [probe], store, emulator.Endpoint, queryFile));
                }

                if (packagedProbe is not null)
                {
                    oursPackaged.Add(RunProbe(work, "dotnet", [packagedProbe], store, emulator.Endpoint, queryFile));
                }

                if (readyToRun is not null)
                {
                    oursReadyToRun.Add(RunChild(work, store, emulator.Endpoint, queryFile, cacheBudget: null, countUrl: null, queries: queryCount + 1, scans: 3, assembly: readyToRun));
                }

                ours.Add(RunChild(work, store, emulator.Endpoint, queryFile, cacheBudget: null, countUrl: null, queries: queryCount + 1, scans: 3));
                oursUncached.Add(RunChild(work, store, emulator.Endpoint, queryFile, cacheBudget: 0, countUrl: null, queries: queryCount + 1, scans: 3));
                theirs.Add(NodeQuery(store, emulator.Endpoint, queryFile, countUrl: null, scans: 3));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"query run {run + 1}: first ours {First(ours[^1]):0.000} s (column cache off: {First(oursUncached[^1]):0.000} s{(readyToRun is null ? "" : $"; ReadyToRun: {First(oursReadyToRun[^1]):0.000} s")}{(aot is null ? "" : $"; NativeAOT: {First(oursAot[^1]):0.000} s")}{(probe is null ? "" : $"; JIT probe: {First(oursProbe[^1]):0.000} s")}{(packagedProbe is null ? "" : $"; JIT probe on the packages: {First(oursPackaged[^1]):0.000} s")}), LanceDB {First(theirs[^1]):0.000} s"));
            }

            // Requests and bytes: the same steps once more, through the counting proxy.
            var countUrl = $"{proxy.Endpoint}/__lance_bench/counts";
            var oursCounted = RunChild(work, store, proxy.Endpoint, queryFile, cacheBudget: null, countUrl, queries: 3, scans: 2);
            var oursUncachedCounted = RunChild(work, store, proxy.Endpoint, queryFile, cacheBudget: 0, countUrl, queries: 3, scans: 2);
            var theirsCounted = NodeQuery(store, proxy.Endpoint, queryFile, countUrl, scans: 2, queries: 3);

            Console.WriteLine($"Load after: {Load()}");
            Console.WriteLine();
            Console.WriteLine($"| {store} ({(store == "s3" ? "s3rver 3.7.1" : "Azurite 3.37.0")}), {rows:N0}x{BenchData.Dimension} | Lance.Orm | LanceDB (Node) 0.31.0 | Lance.Orm faster by | Lance.Orm, column cache off | faster by |");
            Console.WriteLine("|---|---|---|---|---|---|");
            Row($"ingest, median of {runs} (s)", BenchSupport.Median(oursIngest), BenchSupport.Median(theirsIngest), null);
            Row($"first exact search, fresh process: connect + open + search, median of {runs} (s)", Median(ours, First), Median(theirs, First), Median(oursUncached, First));
            Row($"of which the first search call alone (after connect + open; the compiling it does included), median of {runs} (s)", Median(ours, SearchAlone), Median(theirs, SearchAlone), Median(oursUncached, SearchAlone));
            Row($"first exact search on a fresh connection in a warm process: connect + open + search, median of {runs} (s)", Median(ours, r => r.GetProperty("reconnectSeconds").GetDouble()), Median(theirs, r => r.GetProperty("reconnectSeconds").GetDouble()), Median(oursUncached, r => r.GetProperty("reconnectSeconds").GetDouble()));
            if (readyToRun is not null)
            {
                Row($"first exact search, fresh process, Lance.Orm published ReadyToRun: connect + open + search, median of {runs} (s)", Median(oursReadyToRun, First), Median(theirs, First), null);
                Row($"first exact search on a fresh connection in a warm process, ReadyToRun, median of {runs} (s)", Median(oursReadyToRun, r => r.GetProperty("reconnectSeconds").GetDouble()), Median(theirs, r => r.GetProperty("reconnectSeconds").GetDouble()), null);
            }

            if (aot is not null)
            {
                Row($"first exact search, fresh process, Lance.Orm published NativeAOT: connect + open + search, median of {runs} (s)", Median(oursAot, First), Median(theirs, First), null);
            }

            if (probe is not null)
            {
                Row($"first exact search, fresh process, JIT probe on the projects: connect + open + search, median of {runs} (s)", Median(oursProbe, First), Median(theirs, First), null);
            }

            if (packagedProbe is not null)
            {
                Row($"first exact search, fresh process, JIT probe on the packages: connect + open + search, median of {runs} (s)", Median(oursPackaged, First), Median(theirs, First), null);
            }

            Row($"CPU used by the fresh process's connect + open + first search (all threads), median of {runs} (s)", Median(ours, r => r.GetProperty("firstCpuSeconds").GetDouble()), Median(theirs, r => r.GetProperty("firstCpuSeconds").GetDouble()), Median(oursUncached, r => r.GetProperty("firstCpuSeconds").GetDouble()));
            if (readyToRun is not null)
            {
                Row($"CPU used by the same, ReadyToRun, median of {runs} (s)", Median(oursReadyToRun, r => r.GetProperty("firstCpuSeconds").GetDouble()), Median(theirs, r => r.GetProperty("firstCpuSeconds").GetDouble()), null);
            }

            if (aot is not null)
            {
                Row($"CPU used by the same, NativeAOT, median of {runs} (s)", Median(oursAot, r => r.GetProperty("firstCpuSeconds").GetDouble()), Median(theirs, r => r.GetProperty("firstCpuSeconds").GetDouble()), null);
            }

            Row($"later exact searches, median of {runs}x{queryCount} (ms)", 1000 * MedianAll(ours, "searchSeconds"), 1000 * MedianAll(theirs, "searchSeconds"), 1000 * MedianAll(oursUncached, "searchSeconds"));
            Row($"full scan of every column, median of {runs}x3 (s)", MedianAll(ours, "scanSeconds"), MedianAll(theirs, "scanSeconds"), MedianAll(oursUncached, "scanSeconds"));
            Console.WriteLine();
            Console.WriteLine("Requests and bytes read, counted at a proxy in front of the emulator (same meter for both):");
            Console.WriteLine();
            Console.WriteLine("| step | Lance.Orm requests | Lance.Orm bytes read | LanceDB requests | LanceDB bytes read | Lance.Orm (cache off) requests | Lance.Orm (cache off) bytes read |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            CountRow("connect + open table", oursCounted, theirsCounted, oursUncachedCounted, c => c.GetProperty("open"));
            CountRow("first exact search", oursCounted, theirsCounted, oursUncachedCounted, c => c.GetProperty("first"));
            CountRow("second exact search", oursCounted, theirsCounted, oursUncachedCounted, c => c.GetProperty("later")[0]);
            CountRow("third exact search", oursCounted, theirsCounted, oursUncachedCounted, c => c.GetProperty("later")[1]);
            CountRow("fresh connection: connect + open + first search", oursCounted, theirsCounted, oursUncachedCounted, c => c.GetProperty("reconnect"));
            CountRow("first full scan", oursCounted, theirsCounted, oursUncachedCounted, c => c.GetProperty("scans")[0]);
            CountRow("second full scan", oursCounted, theirsCounted, oursUncachedCounted, c => c.GetProperty("scans")[1]);
            Console.WriteLine();
            Console.WriteLine($"Our store's own counters in the counted pass (first search, second search, first scan): {Own(oursCounted)}; cache off: {Own(oursUncachedCounted)}.");
            Console.WriteLine($"Our ingest: {oursIngestCost.Requests} requests, {oursIngestCost.BytesWritten / 1e6:0.0} MB written (own counters, last run).");
            var firstIds = ours.Concat(oursUncached).Concat(theirs).Concat(oursAot).Concat(oursProbe).Concat(oursPackaged).Select(r => string.Join(",", r.GetProperty("firstIds").EnumerateArray().Select(e => e.GetString()))).Distinct().ToList();
            Console.WriteLine($"Same {K} nearest ids for the first query in every process of both: {(firstIds.Count == 1 ? "yes" : "NO")} ({string.Join(" | ", firstIds)}).");
            Console.WriteLine($"Rows seen by a full scan: ours {ours[0].GetProperty("scanRows").GetInt64()}, LanceDB {theirs[0].GetProperty("scanRows").GetInt64()}.");
            Console.WriteLine($"Raw first-query seconds: ours {Join(ours.Select(First))}; cache off {Join(oursUncached.Select(First))}; LanceDB {Join(theirs.Select(First))}.");
            if (readyToRun is not null)
            {
                Console.WriteLine($"Raw ReadyToRun seconds: first query {Join(oursReadyToRun.Select(First))}; of which connect + open {Join(oursReadyToRun.Select(r => r.GetProperty("openSeconds").GetDouble()))}; fresh connection {Join(oursReadyToRun.Select(r => r.GetProperty("reconnectSeconds").GetDouble()))}.");
            }

            if (aot is not null)
            {
                Console.WriteLine($"Raw NativeAOT seconds: first query {Join(oursAot.Select(First))}; of which connect + open {Join(oursAot.Select(r => r.GetProperty("openSeconds").GetDouble()))}; CPU {Join(oursAot.Select(r => r.GetProperty("firstCpuSeconds").GetDouble()))}.");
            }

            foreach (var (label, results) in new[] { ("JIT probe on the projects", oursProbe), ("JIT probe on the packages", oursPackaged) })
            {
                if (results.Count > 0)
                {
                    Console.WriteLine($"Raw {label} seconds: first query {Join(results.Select(First))}; of which connect + open {Join(results.Select(r => r.GetProperty("openSeconds").GetDouble()))}; CPU {Join(results.Select(r => r.GetProperty("firstCpuSeconds").GetDouble()))}.");
                }
            }

            Console.WriteLine($"Raw fresh-connection seconds: ours {Join(ours.Select(r => r.GetProperty("reconnectSeconds").GetDouble()))}; cache off {Join(oursUncached.Select(r => r.GetProperty("reconnectSeconds").GetDouble()))}; LanceDB {Join(theirs.Select(r => r.GetProperty("reconnectSeconds").GetDouble()))}.");
            Console.WriteLine($"Raw first-search-call seconds (first query less connect + open): ours {Join(ours.Select(SearchAlone))}; cache off {Join(oursUncached.Select(SearchAlone))}; LanceDB {Join(theirs.Select(SearchAlone))}.");
            Console.WriteLine($"Raw connect + open seconds (part of the first query): ours {Join(ours.Select(r => r.GetProperty("openSeconds").GetDouble()))}; cache off {Join(oursUncached.Select(r => r.GetProperty("openSeconds").GetDouble()))}; LanceDB {Join(theirs.Select(r => r.GetProperty("openSeconds").GetDouble()))}.");
            Console.WriteLine($"Raw ingest seconds: ours {Join(oursIngest)}; LanceDB {Join(theirsIngest)}.");
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Development aid: ingest ours-0 and lancedb-0 into an emulator that is already running.</summary>
    public static async Task PrepAsync(string[] args)
    {
        var store = Option(args, "--store") ?? "s3";
        var endpoint = Option(args, "--endpoint")!;
        var rows = int.Parse(Option(args, "--rows") ?? "100000", CultureInfo.InvariantCulture);
        var work = Option(args, "--work")!;
        Directory.CreateDirectory(work);
        if (store == "azure")
        {
            var service = new BlobServiceClient(new Uri($"{endpoint}/{AzureAccount}"), new StorageSharedKeyCredential(AzureAccount, AzureKey));
            await service.GetBlobContainerClient(Bucket).CreateIfNotExistsAsync();
        }

        var scheme = store == "s3" ? "s3" : "az";
        var data = BenchData.Rows(rows);
        var ipc = Path.Combine(work, "rows.arrow");
        await BenchData.WriteIpcAsync(ipc, BenchRow.ToRecordBatch(data));
        await File.WriteAllTextAsync(Path.Combine(work, "queries.json"), JsonSerializer.Serialize(BenchData.Queries(21)));
        var prefix = Option(args, "--prefix") ?? "ours-0";
        await using (var db = await LanceDb.ConnectAsync($"{scheme}://{Bucket}/{prefix}", OursOptions(store, endpoint)))
        {
            if (Option(args, "--max-file-mb") is { } mb)
            {
                var table = await db.CreateTableAsync<BenchRow>("bench", [], CreateMode.Overwrite);
                await table.AddAsync(data, new AddOptions { MaxBytesPerFile = long.Parse(mb, CultureInfo.InvariantCulture) << 20 });
            }
            else
            {
                await db.CreateTableAsync<BenchRow>("bench", data, CreateMode.Overwrite);
            }
        }

        if (Option(args, "--ours-only") is null)
        {
            BenchSupport.Node("bench-object-store.mjs", new { op = "ingest", uri = $"{scheme}://{Bucket}/lancedb-0", storageOptions = TheirOptions(store, endpoint), table = "bench", ipc });
        }
    }

    /// <summary>
    /// The floor under a first query (the <c>object-store-floor</c> mode, a fresh process): connect the
    /// store, list the table's data files and fetch all their bytes in 8 MiB ranged GETs, all in
    /// flight at once, nothing decoded; with <c>raw</c> the same GETs go through a bare HttpClient
    /// (S3 only: s3rver serves unsigned reads), without the SDK. Prints seconds since the mode began.
    /// </summary>
    public static async Task RunFloorAsync(string[] args)
    {
        var clock = Stopwatch.StartNew();
        var store = args[1];
        var endpoint = args[2];
        var prefix = args[3];
        var raw = args.Length > 4 && args[4] == "raw";
        var uri = $"{(store == "s3" ? "s3" : "az")}://{Bucket}/{prefix}/bench.lance";
        await using var opened = (RemoteObjectStore)ObjectStoreFactory.Open(uri, OursOptions(store, endpoint).StorageOptions);
        var connected = clock.Elapsed.TotalSeconds;
        var files = new List<ObjectInfo>();
        await foreach (var item in opened.ListAsync("data/"))
        {
            files.Add(item);
        }

        var listed = clock.Elapsed.TotalSeconds;
        const int Piece = 8 << 20;
        var buffers = files.Select(f => new byte[f.Length]).ToList();
        using var http = new HttpClient();
        var reads = new List<Task>();
        for (var i = 0; i < files.Count; i++)
        {
            using var reader = await opened.OpenReadWithLengthAsync(files[i].Key, files[i].Length);
            for (long at = 0; at < files[i].Length; at += Piece)
            {
                var memory = buffers[i].AsMemory((int)at, (int)Math.Min(Piece, files[i].Length - at));
                reads.Add(raw ? RawGetAsync(http, $"{endpoint}/{Bucket}/{prefix}/bench.lance/{files[i].Key}", at, memory) : reader.ReadAsync(at, memory).AsTask());
            }
        }

        await Task.WhenAll(reads);
        var fetched = clock.Elapsed.TotalSeconds;
        Console.WriteLine(JsonSerializer.Serialize(new { connected, listed, fetched, files = files.Count, requests = reads.Count, bytes = files.Sum(f => f.Length) }));
    }

    private static async Task RawGetAsync(HttpClient http, string url, long offset, Memory<byte> destination)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(offset, offset + destination.Length - 1);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        await body.ReadExactlyAsync(destination);
    }

    /// <summary>
    /// One fresh process's queries (the <c>object-store-child</c> mode): connect, open and the first
    /// search timed together, then each later search, then full scans; counts around each step.
    /// </summary>
    public static async Task RunChildAsync(string[] args)
    {
        var start = Stopwatch.StartNew();
        var input = JsonDocument.Parse(await File.ReadAllTextAsync(args[1])).RootElement;
        var store = input.GetProperty("store").GetString()!;
        var endpoint = input.GetProperty("endpoint").GetString()!;
        var countUrl = input.GetProperty("countUrl").GetString();
        var queries = JsonSerializer.Deserialize<float[][]>(await File.ReadAllTextAsync(input.GetProperty("queries").GetString()!))!
            .Take(input.GetProperty("count").GetInt32()).ToArray();
        var scans = input.GetProperty("scans").GetInt32();
        var prefix = input.TryGetProperty("prefix", out var p) ? p.GetString()! : "ours-0";
        using var http = new HttpClient();

        Lance.Storage.Cloud.Resilience.ObjectStoreStatistics? stats = null;
        var options = OursOptions(store, endpoint) with
        {
            ObjectStoreOpener = (uri, storage) =>
            {
                var opened = (RemoteObjectStore)ObjectStoreFactory.Open(uri, storage);
                stats = opened.Statistics;
                return opened;
            },
        };
        if (input.TryGetProperty("cacheBudget", out var budget) && budget.ValueKind == JsonValueKind.Number)
        {
            options = options with { CacheBudgetBytes = budget.GetInt64() };
        }

        var timed = Stopwatch.StartNew();
        var c0 = await CountsAsync(http, countUrl);
        var o0 = Own(stats);
        using var trace = Environment.GetEnvironmentVariable("LANCE_BENCH_TRACE") is null ? null : new ChildTrace();
        trace?.Mark("child start");
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        timed.Restart();
        await using var db = await LanceDb.ConnectAsync($"{(store == "s3" ? "s3" : "az")}://{Bucket}/{prefix}", options);
        trace?.Mark("connected");
        var table = await db.OpenTableAsync<BenchRow>("bench");
        var openSeconds = timed.Elapsed.TotalSeconds;
        trace?.Mark("opened");
        timed.Stop();
        var c1 = await CountsAsync(http, countUrl);
        var o1 = Own(stats);
        timed.Start();
        var first = await table.Search(queries[0]).BypassVectorIndex().Limit(K).ToBatchAsync();
        var firstSeconds = timed.Elapsed.TotalSeconds;
        var firstCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        trace?.Mark("first search");
        var c2 = await CountsAsync(http, countUrl);
        var o2 = Own(stats);

        var later = new List<double>();
        var laterCounts = new List<object?>();
        var laterOwn = new List<object>();
        foreach (var query in queries.Skip(1))
        {
            var before = await CountsAsync(http, countUrl);
            var own = Own(stats);
            var clock = Stopwatch.StartNew();
            await table.Search(query).BypassVectorIndex().Limit(K).ToBatchAsync();
            later.Add(clock.Elapsed.TotalSeconds);
            laterCounts.Add(Delta(await CountsAsync(http, countUrl), before));
            laterOwn.Add(OwnDelta(Own(stats), own));
        }

        var scanSeconds = new List<double>();
        var scanCounts = new List<object?>();
        var scanOwn = new List<object>();
        long scanRows = 0;
        for (var i = 0; i < scans; i++)
        {
            var before = await CountsAsync(http, countUrl);
            var own = Own(stats);
            var clock = Stopwatch.StartNew();
            long seen = 0;
            double sink = 0;
            await foreach (var batch in table.Query().ToArrowAsync())
            {
                seen += batch.Length;
                sink += BenchSupport.Consume(batch);
            }

            scanSeconds.Add(clock.Elapsed.TotalSeconds);
            scanCounts.Add(Delta(await CountsAsync(http, countUrl), before));
            scanOwn.Add(OwnDelta(Own(stats), own));
            scanRows = seen;
            GC.KeepAlive(sink);
        }

        // A fresh connection in this now warm process: the same first query again, with no metadata,
        // file tail or column cached (a new store, a new dataset), but the code already compiled.
        var w0 = await CountsAsync(http, countUrl);
        var w0Own = (Lance.Storage.Cloud.Resilience.ObjectStoreStatistics?)null;
        var reconnect = options with
        {
            ObjectStoreOpener = (uri, storage) =>
            {
                var opened = (RemoteObjectStore)ObjectStoreFactory.Open(uri, storage);
                w0Own = opened.Statistics;
                return opened;
            },
        };
        var again = Stopwatch.StartNew();
        double reconnectSeconds;
        await using (var db2 = await LanceDb.ConnectAsync($"{(store == "s3" ? "s3" : "az")}://{Bucket}/{prefix}", reconnect))
        {
            var table2 = await db2.OpenTableAsync<BenchRow>("bench");
            await table2.Search(queries[0]).BypassVectorIndex().Limit(K).ToBatchAsync();
            reconnectSeconds = again.Elapsed.TotalSeconds;
        }

        trace?.Mark("reconnect search");

        var w1 = await CountsAsync(http, countUrl);

        var ids = first.Column("id") switch
        {
            Int64Array a => a.Select(v => v!.Value.ToString(CultureInfo.InvariantCulture)).ToList(),
            var other => throw new InvalidOperationException($"id column is {other.GetType().Name}"),
        };
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["openSeconds"] = openSeconds,
            ["firstSeconds"] = firstSeconds,
            ["firstCpuSeconds"] = firstCpuSeconds,
            ["searchSeconds"] = later,
            ["scanSeconds"] = scanSeconds,
            ["scanRows"] = scanRows,
            ["reconnectSeconds"] = reconnectSeconds,
            ["firstIds"] = ids,
            ["counts"] = countUrl is null ? null : new Dictionary<string, object?>
            {
                ["open"] = Delta(c1, c0),
                ["first"] = Delta(c2, c1),
                ["later"] = laterCounts,
                ["scans"] = scanCounts,
                ["reconnect"] = Delta(w1, w0),
            },
            ["own"] = new Dictionary<string, object?>
            {
                ["open"] = OwnDelta(o1, o0),
                ["first"] = OwnDelta(o2, o1),
                ["later"] = laterOwn,
                ["scans"] = scanOwn,
                ["reconnect"] = OwnDelta(Own(w0Own), default),
            },
        }));
    }

    private static DatabaseOptions OursOptions(string store, string endpoint) => new DatabaseOptions().UseObjectStorage(store == "s3"
        ? new Dictionary<string, string>(TheirOptions(store, endpoint))
        {
            // s3rver ignores If-None-Match, so our default probe refuses to commit there; one writer is safe.
            ["aws_conditional_put"] = "etag",
            // LANCE_BENCH_SDK_READS=1: every request through the AWS SDK, as before reads went out as plain signed HTTP.
            ["aws_sdk_reads"] = Environment.GetEnvironmentVariable("LANCE_BENCH_SDK_READS") == "1" ? "true" : "false",
        }
        : new Dictionary<string, string>(TheirOptions(store, endpoint))
        {
            // LANCE_BENCH_SDK_READS=1: every request through the Azure SDK, as before reads went out as plain HTTP.
            ["azure_sdk_reads"] = Environment.GetEnvironmentVariable("LANCE_BENCH_SDK_READS") == "1" ? "true" : "false",
        });

    private static Dictionary<string, string> TheirOptions(string store, string endpoint) => store == "s3"
        ? new()
        {
            ["aws_access_key_id"] = "S3RVER",
            ["aws_secret_access_key"] = "S3RVER",
            ["aws_endpoint"] = endpoint,
            ["aws_region"] = "us-east-1",
            ["allow_http"] = "true",
        }
        : new()
        {
            ["azure_storage_account_name"] = AzureAccount,
            ["azure_storage_account_key"] = AzureKey,
            ["azure_storage_endpoint"] = $"{endpoint}/{AzureAccount}",
            ["allow_http"] = "true",
        };

    private static JsonElement NodeQuery(string store, string endpoint, string queryFile, string? countUrl, int scans, int? queries = null)
    {
        var file = queryFile;
        if (queries is { } count)
        {
            file = queryFile + $".{count}.json";
            File.WriteAllText(file, JsonSerializer.Serialize(JsonSerializer.Deserialize<float[][]>(File.ReadAllText(queryFile))!.Take(count)));
        }

        return BenchSupport.Node("bench-object-store.mjs", new { op = "query", uri = $"{(store == "s3" ? "s3" : "az")}://{Bucket}/lancedb-0", storageOptions = TheirOptions(store, endpoint), table = "bench", queries = file, k = K, scans, countUrl });
    }

    // A fresh process of this program (or of the copy at `assembly`, run with dotnet) in its child mode.
    internal static JsonElement RunChild(string work, string store, string endpoint, string queryFile, long? cacheBudget, string? countUrl, int queries, int scans, string? assembly = null)
    {
        var argsFile = Path.Combine(work, $"child-{Guid.NewGuid():N}.json");
        File.WriteAllText(argsFile, JsonSerializer.Serialize(new { store, endpoint, countUrl, queries = queryFile, count = queries, scans, cacheBudget }));
        var self = Environment.ProcessPath!;
        var viaDotnet = Path.GetFileNameWithoutExtension(self) == "dotnet";
        if (assembly is not null && !viaDotnet)
        {
            self = "dotnet";
            viaDotnet = true;
        }

        var arguments = viaDotnet
            ? new List<string> { assembly ?? typeof(ObjectStoreSideBySide).Assembly.Location }
            : [];
        arguments.AddRange(["object-store-child", argsFile]);
        using var process = Process.Start(new ProcessStartInfo(self, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the child process failed: {stderr.Result}");
        }

        return JsonDocument.Parse(stdout.Result).RootElement.Clone();
    }

    private static string? ProbeOption(string[] args, string name, string howToBuild)
    {
        if (Option(args, name) is not { } dir)
        {
            return null;
        }

        var dll = Path.GetFullPath(Path.Combine(dir, "Lance.Bench.Probe.dll"));
        return File.Exists(dll) ? dll : throw new ArgumentException($"{name}: no {dll}; build it with: {howToBuild}");
    }

    // A fresh process of a probe (the NativeAOT one, bench/Lance.Bench.Aot, or its program as a JIT app,
    // bench/Lance.Bench.Probe): connect + open + the first search, column cache as shipped.
    private static JsonElement RunProbe(string work, string fileName, string[] arguments, string store, string endpoint, string queryFile)
    {
        var argsFile = Path.Combine(work, $"probe-{Guid.NewGuid():N}.json");
        var query = JsonSerializer.Deserialize<float[][]>(File.ReadAllText(queryFile))![0];
        File.WriteAllText(argsFile, JsonSerializer.Serialize(new { store, uri = $"{(store == "s3" ? "s3" : "az")}://{Bucket}/ours-0", storageOptions = OursOptions(store, endpoint).StorageOptions, query }));
        using var process = Process.Start(new ProcessStartInfo(fileName, [.. arguments, argsFile]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the probe {string.Join(' ', [fileName, .. arguments])} failed: {stderr.Result}");
        }

        return JsonDocument.Parse(stdout.Result).RootElement.Clone();
    }

    private static async Task<JsonElement?> CountsAsync(HttpClient http, string? url)
        => url is null ? null : JsonDocument.Parse(await http.GetStringAsync(new Uri(url))).RootElement.Clone();

    private static Dictionary<string, long>? Delta(JsonElement? after, JsonElement? before)
        => after is { } a && before is { } b
            ? new()
            {
                ["requests"] = a.GetProperty("requests").GetInt64() - b.GetProperty("requests").GetInt64(),
                ["bytesRead"] = a.GetProperty("bytesRead").GetInt64() - b.GetProperty("bytesRead").GetInt64(),
                ["bytesWritten"] = a.GetProperty("bytesWritten").GetInt64() - b.GetProperty("bytesWritten").GetInt64(),
            }
            : null;

    private static (long Requests, long Gets, long Heads, long BytesRead) Own(Lance.Storage.Cloud.Resilience.ObjectStoreStatistics? stats)
        => stats is null ? default : (stats.Requests, stats.Gets, stats.Heads, stats.BytesRead);

    private static Dictionary<string, long> OwnDelta((long Requests, long Gets, long Heads, long BytesRead) after, (long Requests, long Gets, long Heads, long BytesRead) before) => new()
    {
        ["requests"] = after.Requests - before.Requests,
        ["gets"] = after.Gets - before.Gets,
        ["heads"] = after.Heads - before.Heads,
        ["bytesRead"] = after.BytesRead - before.BytesRead,
    };

    private static string Own(JsonElement counted)
    {
        var own = counted.GetProperty("own");
        return string.Join("; ", new[] { own.GetProperty("first"), own.GetProperty("later")[0], own.GetProperty("scans")[0] }
            .Select(o => $"{o.GetProperty("requests").GetInt64()} requests ({o.GetProperty("gets").GetInt64()} GET, {o.GetProperty("heads").GetInt64()} HEAD), {Bytes(o.GetProperty("bytesRead").GetInt64())}"));
    }

    private static double First(JsonElement run) => run.GetProperty("firstSeconds").GetDouble();

    private static double SearchAlone(JsonElement run) => First(run) - run.GetProperty("openSeconds").GetDouble();

    private static double Median(IEnumerable<JsonElement> runs, Func<JsonElement, double> pick) => BenchSupport.Median(runs.Select(pick));

    private static double MedianAll(IEnumerable<JsonElement> runs, string name) => BenchSupport.Median(runs.SelectMany(r => r.GetProperty(name).EnumerateArray().Select(e => e.GetDouble())));

    private static void Row(string name, double ours, double theirs, double? uncached) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {ours:0.000} | {theirs:0.000} | {theirs / ours:0.0}× | {(uncached is { } u ? u.ToString("0.000", CultureInfo.InvariantCulture) : "")} | {(uncached is { } v ? (theirs / v).ToString("0.0", CultureInfo.InvariantCulture) + "×" : "")} |"));

    private static void CountRow(string name, JsonElement ours, JsonElement theirs, JsonElement uncached, Func<JsonElement, JsonElement> pick)
    {
        string Cell(JsonElement run)
        {
            var c = pick(run.GetProperty("counts"));
            return $"{c.GetProperty("requests").GetInt64()} | {Bytes(c.GetProperty("bytesRead").GetInt64())}";
        }

        Console.WriteLine($"| {name} | {Cell(ours)} | {Cell(theirs)} | {Cell(uncached)} |");
    }

    private static string Bytes(long bytes) => bytes >= 1_000_000
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0.0} MB")
        : bytes >= 1_000 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e3:0.0} kB") : $"{bytes} B";

    private static string Join(IEnumerable<double> values) => string.Join(" ", values.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture)));

    private static string? Option(string[] args, string name)
    {
        var i = System.Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string Load() => File.Exists("/proc/loadavg") ? "load average " + string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "load average unknown";

    private sealed class ChildTrace : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly DateTime _processStart = Process.GetCurrentProcess().StartTime;

        public ChildTrace()
        {
            Console.Error.WriteLine($"trace: runtime start to child mode {(DateTime.Now - _processStart).TotalMilliseconds:0} ms");
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name is "http.client.request.duration" or "http.client.connection.duration" or "http.client.request.time_in_queue")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            {
                var method = "";
                var status = "";
                foreach (var tag in tags)
                {
                    if (tag.Key == "http.request.method") method = tag.Value?.ToString() ?? "";
                    if (tag.Key == "http.response.status_code") status = tag.Value?.ToString() ?? "";
                }

                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trace: {_clock.Elapsed.TotalMilliseconds,8:0.0} ms  {instrument.Name} {method} {status} {value * 1000:0.0} ms"));
            });
            _listener.Start();
        }

        public void Mark(string what)
        {
            using var process = Process.GetCurrentProcess();
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"trace: {_clock.Elapsed.TotalMilliseconds,8:0.0} ms  == {what}; monotonic {Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency:0.000000} s; cpu {process.TotalProcessorTime.TotalMilliseconds:0} ms; jitted {System.Runtime.JitInfo.GetCompiledMethodCount()} methods, {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:0} ms jit; assemblies {AppDomain.CurrentDomain.GetAssemblies().Length}"));
        }

        public void Dispose() => _listener.Dispose();
    }
}
