using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Lance.Engine.Storage;
using Lance.Orm;
using Lance.Storage.Cloud;

namespace Lance.Bench;

/// <summary>
/// How fast can the emulator deliver the table's bytes to a warm .NET process at all (the
/// <c>object-store-delivery</c> mode): <c>dotnet run -c Release --project bench/Lance.Bench -- object-store-delivery --store s3|azure [--rows 100000] [--reps 3]</c>.
/// Starts s3rver or Azurite, writes the table both ways (ours, LanceDB's), then in this one process,
/// after a first pass that compiles the code, fetches every byte of our table's data files with bare
/// <see cref="HttpClient"/> ranged GETs (unsigned: the S3 bucket is s3rver's, the Azure container is
/// made public) at several request sizes, numbers in flight and handler settings, nothing decoded;
/// interleaved with LanceDB's whole first query in a fresh node process and our first query on a
/// fresh connection in this warm process. The best delivery time is the floor under any client's
/// first query against this emulator.
/// </summary>
public static class ObjectStoreDelivery
{
    private const string Bucket = "bench";
    private const string AzureAccount = "devstoreaccount1";
    private const string AzureKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static async Task RunAsync(string[] args)
    {
        var store = Option(args, "--store") ?? "s3";
        var rows = int.Parse(Option(args, "--rows") ?? "100000", CultureInfo.InvariantCulture);
        var reps = int.Parse(Option(args, "--reps") ?? "3", CultureInfo.InvariantCulture);
        var aot = Option(args, "--aot") is { } aotPath ? Path.GetFullPath(aotPath) : null;
        var work = Path.Combine(Path.GetTempPath(), "lance-bench-osd-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        using var emulator = store == "s3" ? await NodeService.StartS3rverAsync(Bucket) : await NodeService.StartAzuriteAsync();
        try
        {
            if (store == "azure")
            {
                var service = new BlobServiceClient(new Uri($"{emulator.Endpoint}/{AzureAccount}"), new StorageSharedKeyCredential(AzureAccount, AzureKey));
                await service.GetBlobContainerClient(Bucket).CreateIfNotExistsAsync(PublicAccessType.Blob);
            }

            var scheme = store == "s3" ? "s3" : "az";
            var data = BenchData.Rows(rows);
            var ipc = Path.Combine(work, "rows.arrow");
            await BenchData.WriteIpcAsync(ipc, BenchRow.ToRecordBatch(data));
            var queries = BenchData.Queries(3);
            var queryFile = Path.Combine(work, "queries.json");
            await File.WriteAllTextAsync(queryFile, JsonSerializer.Serialize(queries.Take(1)));
            var options = Options(store, emulator.Endpoint);
            await using (var db = await LanceDb.ConnectAsync($"{scheme}://{Bucket}/ours-0", options))
            {
                await db.CreateTableAsync<BenchRow>("bench", data);
            }

            BenchSupport.Node("bench-object-store.mjs", new { op = "ingest", uri = $"{scheme}://{Bucket}/lancedb-0", storageOptions = options.StorageOptions, table = "bench", ipc });

            var files = new List<ObjectInfo>();
            await using (var opened = (RemoteObjectStore)ObjectStoreFactory.Open($"{scheme}://{Bucket}/ours-0/bench.lance", options.StorageOptions))
            {
                await foreach (var item in opened.ListAsync("data/"))
                {
                    files.Add(item);
                }
            }

            var baseUrl = store == "s3" ? $"{emulator.Endpoint}/{Bucket}/ours-0/bench.lance/" : $"{emulator.Endpoint}/{AzureAccount}/{Bucket}/ours-0/bench.lance/";
            var total = files.Sum(f => f.Length);
            Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; store {store}; {files.Count} data files, {total / 1e6:0.0} MB; {Load()}.");

            // Destinations made once (the best case: no page faults on fresh memory in the timed passes).
            var managed = files.Select(f => new byte[f.Length]).ToArray();
            using var native = new NativeBuffers(files.Select(f => f.Length));

            var variants = new List<(string Name, Func<int, HttpMessageHandler> Handler, bool Native)>
            {
                ("default handler, byte[]", _ => new SocketsHttpHandler(), false),
                ("default handler, native", _ => new SocketsHttpHandler(), true),
                ("MaxConnectionsPerServer = in flight, 4 MiB socket receive buffer, native", c => new SocketsHttpHandler
                {
                    MaxConnectionsPerServer = c,
                    ConnectCallback = async (context, token) =>
                    {
                        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 4 << 20 };
                        try
                        {
                            await socket.ConnectAsync(context.DnsEndPoint, token);
                            return new NetworkStream(socket, ownsSocket: true);
                        }
                        catch
                        {
                            socket.Dispose();
                            throw;
                        }
                    },
                }, true),
            };
            int[] inFlight = [1, 4, 8, 16, 32];
            int[] sizesMiB = [1, 4, 8, 16];

            // Warm-up: every variant once (JIT), not timed.
            foreach (var variant in variants)
            {
                using var http = new HttpClient(variant.Handler(8));
                await FetchAsync(http, baseUrl, files, 8 << 20, 8, variant.Native ? native : null, managed);
            }

            var lanceDb = new List<double>();
            var lanceDbWarm = new List<double>();
            var oursWarm = new List<double>();
            var oursFresh = new List<double>();
            var oursFreshCpu = new List<double>();
            var aotFresh = new List<double>();
            var aotFreshOpen = new List<double>();
            var aotFreshCpu = new List<double>();
            var lanceDbCpu = new List<double>();
            var best = new Dictionary<string, List<double>>();
            for (var rep = 0; rep < reps; rep++)
            {
                // LanceDB's whole first query in a fresh node process (connect + open + exact search).
                var node = BenchSupport.Node("bench-object-store.mjs", new { op = "query", uri = $"{scheme}://{Bucket}/lancedb-0", storageOptions = options.StorageOptions, table = "bench", queries = queryFile, k = 10, scans = 0, countUrl = (string?)null });
                lanceDb.Add(node.GetProperty("firstSeconds").GetDouble());
                lanceDbWarm.Add(node.GetProperty("reconnectSeconds").GetDouble());
                lanceDbCpu.Add(node.GetProperty("firstCpuSeconds").GetDouble());

                // Ours in a fresh process: this program's child mode (JIT), and the NativeAOT probe when given.
                var child = ObjectStoreSideBySide.RunChild(work, store, emulator.Endpoint, queryFile, cacheBudget: 0, countUrl: null, queries: 1, scans: 0);
                oursFresh.Add(child.GetProperty("firstSeconds").GetDouble());
                oursFreshCpu.Add(child.GetProperty("firstCpuSeconds").GetDouble());
                if (aot is not null)
                {
                    var argsFile = Path.Combine(work, $"aot-{rep}.json");
                    await File.WriteAllTextAsync(argsFile, JsonSerializer.Serialize(new { store, uri = $"{scheme}://{Bucket}/ours-0", storageOptions = options.StorageOptions, query = queries[0], cacheBudget = 0L }));
                    using var process = Process.Start(new ProcessStartInfo(aot, [argsFile]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
                    var stdout = process.StandardOutput.ReadToEndAsync();
                    var stderr = process.StandardError.ReadToEndAsync();
                    await process.WaitForExitAsync();
                    if (process.ExitCode != 0)
                    {
                        throw new InvalidOperationException($"the NativeAOT child failed: {await stderr}");
                    }

                    var result = JsonDocument.Parse(await stdout).RootElement;
                    aotFresh.Add(result.GetProperty("firstSeconds").GetDouble());
                    aotFreshOpen.Add(result.GetProperty("openSeconds").GetDouble());
                    aotFreshCpu.Add(result.GetProperty("firstCpuSeconds").GetDouble());
                }

                // Ours on a fresh connection in this warm process, column cache off.
                var clock = Stopwatch.StartNew();
                await using (var db = await LanceDb.ConnectAsync($"{scheme}://{Bucket}/ours-0", options with { CacheBudgetBytes = 0 }))
                {
                    var table = await db.OpenTableAsync<BenchRow>("bench");
                    await table.Search(queries[0]).BypassVectorIndex().Limit(10).ToBatchAsync();
                }

                oursWarm.Add(clock.Elapsed.TotalSeconds);

                foreach (var variant in variants)
                {
                    foreach (var c in inFlight)
                    {
                        foreach (var mib in sizesMiB)
                        {
                            using var http = new HttpClient(variant.Handler(c));
                            var seconds = await FetchAsync(http, baseUrl, files, mib << 20, c, variant.Native ? native : null, managed);
                            var key = $"{variant.Name} | {c} | {mib}";
                            (best.TryGetValue(key, out var list) ? list : best[key] = []).Add(seconds);
                        }
                    }
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rep {rep + 1}: LanceDB first query (fresh process) {lanceDb[^1]:0.000} s, on a fresh connection in its warm process {lanceDbWarm[^1]:0.000} s; ours fresh process (JIT, cache off) {oursFresh[^1]:0.000} s{(aot is null ? "" : $", NativeAOT {aotFresh[^1]:0.000} s")}; ours, fresh connection in this process, cache off {oursWarm[^1]:0.000} s; {Load()}"));
            }

            Console.WriteLine();
            Console.WriteLine($"| variant | in flight | range (MiB) | fetch all {total / 1e6:0.0} MB, median of {reps} (s) | min (s) | MB/s (median) |");
            Console.WriteLine("|---|---|---|---|---|---|");
            foreach (var (key, list) in best.OrderBy(p => BenchSupport.Median(p.Value)))
            {
                var median = BenchSupport.Median(list);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {key} | {median:0.000} | {list.Min():0.000} | {total / 1e6 / median:0} |"));
            }

            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"LanceDB first query, fresh process: median {BenchSupport.Median(lanceDb):0.000} s (raw {Join(lanceDb)}); LanceDB, fresh connection in its warm process: median {BenchSupport.Median(lanceDbWarm):0.000} s (raw {Join(lanceDbWarm)}); ours, fresh connection in this warm process, cache off: median {BenchSupport.Median(oursWarm):0.000} s (raw {Join(oursWarm)})."));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Fresh processes, connect + open + first search: LanceDB median {BenchSupport.Median(lanceDb):0.000} s, CPU {Join(lanceDbCpu)} s; ours (JIT, cache off) median {BenchSupport.Median(oursFresh):0.000} s (raw {Join(oursFresh)}), CPU {Join(oursFreshCpu)} s."));
            if (aot is not null)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Ours published NativeAOT (cache off): median {BenchSupport.Median(aotFresh):0.000} s (raw {Join(aotFresh)}), of which connect + open {Join(aotFreshOpen)} s, CPU {Join(aotFreshCpu)} s."));
            }

            Console.WriteLine($"Load after: {Load()}");
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    // Every byte of every file, in ranges of `piece` bytes, `inFlight` requests at a time.
    private static async Task<double> FetchAsync(HttpClient http, string baseUrl, List<ObjectInfo> files, int piece, int inFlight, NativeBuffers? native, byte[][] managed)
    {
        var work = new List<(string Url, long Offset, int Length, int File)>();
        for (var i = 0; i < files.Count; i++)
        {
            for (long at = 0; at < files[i].Length; at += piece)
            {
                work.Add((baseUrl + files[i].Key, at, (int)Math.Min(piece, files[i].Length - at), i));
            }
        }

        var next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, inFlight).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < work.Count)
            {
                var (url, offset, length, file) = work[index];
                var destination = native is null ? managed[file].AsMemory((int)offset, length) : native.Slice(file, offset, length);
                using var request = new HttpRequestMessage(HttpMethod.Get, url) { Version = HttpVersion.Version11 };
                request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(offset, offset + length - 1);
                request.Headers.TryAddWithoutValidation("x-ms-version", "2021-10-04");
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
                var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                await using (body.ConfigureAwait(false))
                {
                    await body.ReadExactlyAsync(destination).ConfigureAwait(false);
                }
            }
        }).ToList();
        await Task.WhenAll(workers);
        return clock.Elapsed.TotalSeconds;
    }

    private static DatabaseOptions Options(string store, string endpoint) => new DatabaseOptions().UseObjectStorage(store == "s3"
        ? new Dictionary<string, string>
        {
            ["aws_access_key_id"] = "S3RVER",
            ["aws_secret_access_key"] = "S3RVER",
            ["aws_endpoint"] = endpoint,
            ["aws_region"] = "us-east-1",
            ["allow_http"] = "true",
            ["aws_conditional_put"] = "etag",
        }
        : new Dictionary<string, string>
        {
            ["azure_storage_account_name"] = AzureAccount,
            ["azure_storage_account_key"] = AzureKey,
            ["azure_storage_endpoint"] = $"{endpoint}/{AzureAccount}",
            ["allow_http"] = "true",
        });

    private static string Join(IEnumerable<double> values) => string.Join(" ", values.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture)));

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string Load() => "load average " + string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    /// <summary>One native block per file, handed out as <see cref="Memory{T}"/> slices.</summary>
    private sealed unsafe class NativeBuffers : IDisposable
    {
        private readonly List<(nint Pointer, long Length)> _blocks = [];

        public NativeBuffers(IEnumerable<long> lengths)
        {
            foreach (var length in lengths)
            {
                var pointer = (nint)NativeMemory.Alloc((nuint)length);
                new Span<byte>((void*)pointer, checked((int)length)).Clear(); // touched once, outside the timed passes
                _blocks.Add((pointer, length));
            }
        }

        public Memory<byte> Slice(int file, long offset, int length)
            => new SliceManager((byte*)_blocks[file].Pointer + offset, length).Memory;

        public void Dispose()
        {
            foreach (var (pointer, _) in _blocks)
            {
                NativeMemory.Free((void*)pointer);
            }

            _blocks.Clear();
        }

        private sealed class SliceManager(byte* pointer, int length) : MemoryManager<byte>
        {
            public override Span<byte> GetSpan() => new(pointer, length);

            public override MemoryHandle Pin(int elementIndex = 0) => new(pointer + elementIndex);

            public override void Unpin()
            {
            }

            protected override void Dispose(bool disposing)
            {
            }
        }
    }
}
