using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Lance.Engine.Storage;
using Lance.Orm;

namespace Lance.Bench;

/// <summary>
/// What bounds our ingest into s3rver (the <c>object-store-ingest-probe</c> mode):
/// <c>dotnet run -c Release --project bench/Lance.Bench -- object-store-ingest-probe [--rows 100000] [--reps 3]</c>.
/// In one warm process (a first ingest compiles the code), each rep times: the encoding alone (the
/// same rows into an in-memory store), bare unsigned PUTs of the files it made (one, then two in
/// flight), our whole ingest into s3rver with each PUT's duration, and LanceDB's ingest.
/// </summary>
public static class ObjectStoreIngestProbe
{
    private const string Bucket = "bench";

    public static async Task RunAsync(string[] args)
    {
        var rows = int.Parse(Option(args, "--rows") ?? "100000", CultureInfo.InvariantCulture);
        var reps = int.Parse(Option(args, "--reps") ?? "3", CultureInfo.InvariantCulture);
        var work = Path.Combine(Path.GetTempPath(), "lance-bench-osi-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        using var emulator = await NodeService.StartS3rverAsync(Bucket);
        var storage = new Dictionary<string, string>
        {
            ["aws_access_key_id"] = "S3RVER",
            ["aws_secret_access_key"] = "S3RVER",
            ["aws_endpoint"] = emulator.Endpoint,
            ["aws_region"] = "us-east-1",
            ["allow_http"] = "true",
        };
        var ours = new DatabaseOptions().UseObjectStorage(new Dictionary<string, string>(storage) { ["aws_conditional_put"] = "etag" });
        try
        {
            var data = BenchData.Rows(rows);
            var ipc = Path.Combine(work, "rows.arrow");
            await BenchData.WriteIpcAsync(ipc, BenchRow.ToRecordBatch(data));
            Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; s3rver; {rows:N0} rows; {Load()}.");

            var puts = new List<string>();
            var clock = Stopwatch.StartNew();
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "http.client.request.duration")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
            {
                var method = "";
                foreach (var tag in tags)
                {
                    if (tag.Key == "http.request.method") method = tag.Value?.ToString() ?? "";
                }

                lock (puts)
                {
                    puts.Add(string.Create(CultureInfo.InvariantCulture, $"{method} {clock.Elapsed.TotalSeconds - value:0.000}-{clock.Elapsed.TotalSeconds:0.000}"));
                }
            });
            listener.Start();

            await using (var warm = await LanceDb.ConnectAsync($"s3://{Bucket}/warm", ours))
            {
                await warm.CreateTableAsync<BenchRow>("bench", data);
            }

            using var http = new HttpClient();
            for (var rep = 0; rep < reps; rep++)
            {
                // Encoding alone: into memory.
                var memory = new InMemoryObjectStore();
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var t = Stopwatch.StartNew();
                var db0 = await LanceDb.ConnectAsync("mem://x/y", new DatabaseOptions { ObjectStoreOpener = (_, _) => memory });
                await db0.CreateTableAsync<BenchRow>("bench", data);
                var encode = t.Elapsed.TotalSeconds;
                var encodeCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
                var files = new List<byte[]>();
                await foreach (var item in memory.ListAsync(""))
                {
                    if (item.Length > (1 << 20))
                    {
                        using var reader = await memory.OpenReadAsync(item.Key);
                        var bytes = new byte[item.Length];
                        await reader.ReadAsync(0, bytes);
                        files.Add(bytes);
                    }
                }

                await db0.DisposeAsync();

                // Bare unsigned PUTs of the same files: one at a time, then two at once.
                t.Restart();
                foreach (var file in files)
                {
                    await PutAsync(http, $"{emulator.Endpoint}/{Bucket}/bare-{rep}/a/{Guid.NewGuid():N}", file);
                }

                var bareSerial = t.Elapsed.TotalSeconds;
                t.Restart();
                var next = -1;
                await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next)) < files.Count)
                    {
                        await PutAsync(http, $"{emulator.Endpoint}/{Bucket}/bare-{rep}/b/{Guid.NewGuid():N}", files[i]);
                    }
                }));
                var bareTwo = t.Elapsed.TotalSeconds;

                // Ours into s3rver, each request's span.
                lock (puts)
                {
                    puts.Clear();
                }

                var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
                clock.Restart();
                await using (var db = await LanceDb.ConnectAsync($"s3://{Bucket}/ours-{rep}", ours))
                {
                    await db.CreateTableAsync<BenchRow>("bench", data);
                }

                var oursSeconds = clock.Elapsed.TotalSeconds;
                var oursCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu1).TotalSeconds;
                string spans;
                lock (puts)
                {
                    spans = string.Join(", ", puts);
                }

                var node = BenchSupport.Node("bench-object-store.mjs", new { op = "ingest", uri = $"s3://{Bucket}/lancedb-{rep}", storageOptions = storage, table = "bench", ipc });
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"rep {rep + 1}: encode only {encode:0.000} s, cpu {encodeCpu:0.000} s ({files.Count} files, {files.Sum(f => f.Length) / 1e6:0.0} MB); bare PUTs one at a time {bareSerial:0.000} s, two at once {bareTwo:0.000} s; ours {oursSeconds:0.000} s, cpu of this process {oursCpu:0.000} s [{spans}]; LanceDB {node.GetProperty("ingestSeconds").GetDouble():0.000} s; {Load()}"));
            }
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task PutAsync(HttpClient http, string url, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        using var response = await http.PutAsync(new Uri(url), content);
        response.EnsureSuccessStatusCode();
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string Load() => "load average " + string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
