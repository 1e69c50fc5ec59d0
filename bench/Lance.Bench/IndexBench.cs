using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;

namespace Lance.Bench;

/// <summary>
/// IVF-PQ build time, index size, latency and recall@10 for Lance.Engine and LanceDB (Node) on the
/// same data, in one run, with the same parameters:
/// <c>dotnet run -c Release --project bench/Lance.Bench -- index &lt;lowrank|minilm&gt; [rows] [dim] [partitions] [subvectors] [queries] [--no-node] [--dir FOLDER]</c>.
/// With <c>--dir</c> the tables, queries and exact answers are kept in FOLDER; a later run with the same
/// arguments and folder skips generating and building and searches both indexes again (LanceDB's from a
/// fresh process), so a 1M-row comparison can be repeated in minutes.
/// "lowrank" is a deterministic random low-rank mix plus noise (like real embeddings); "minilm" is
/// all-MiniLM-L6-v2 embeddings of sentences recombined from samples/QuickStart/docs.csv (cosine).
/// </summary>
public static class IndexBench
{
    private static readonly (int Nprobes, int Refine)[] Configs =
        [(10, 0), (20, 0), (50, 0), (10, 10), (20, 10), (50, 10), (20, 20), (50, 20)];

    public static async Task RunAsync(string[] args)
    {
        var kind = args.Length > 1 ? args[1] : "lowrank";
        int Arg(int i, int fallback) => args.Length > i && !args[i].StartsWith("--", StringComparison.Ordinal) ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
        var rows = Arg(2, 100_000);
        var dim = kind == "minilm" ? 384 : Arg(3, 384);
        var partitions = Arg(4, 256);
        var subVectors = Arg(5, 48);
        var queryCount = Arg(6, 100);
        var withNode = !args.Contains("--no-node");
        var metric = kind == "minilm" ? DistanceMetric.Cosine : DistanceMetric.L2;
        var keptDir = args.SkipWhile(a => a != "--dir").Skip(1).FirstOrDefault();
        var work = keptDir ?? Path.Combine(Path.GetTempPath(), "lance-index-bench-" + Guid.NewGuid().ToString("N"));
        var builtMarker = Path.Combine(work, $"built-{kind}-{rows}-{dim}-{partitions}-{subVectors}-{queryCount}.txt");
        if (keptDir is not null && File.Exists(builtMarker))
        {
            await SearchAgainAsync(work, kind, dim, partitions, subVectors, metric, withNode);
            return;
        }

        if (keptDir is not null && Directory.Exists(work) && Directory.EnumerateFileSystemEntries(work).Any())
        {
            throw new InvalidOperationException($"'{work}' holds no finished run of these arguments and is not empty: give an empty or new folder.");
        }

        Directory.CreateDirectory(work);
        try
        {
            var clock = Stopwatch.StartNew();
            var (data, queries) = kind == "minilm" ? await MiniLmDataAsync(rows, queryCount) : (LowRank(rows, dim, 1, 20_240), LowRank(queryCount, dim, 2, 20_240));
            rows = data.Length / dim;
            Console.WriteLine($"Data: {kind}, {rows:N0} x {dim}, {queries.Length / dim} queries, k=10, {metric}; IVF_PQ({partitions}, {subVectors}); {Environment.ProcessorCount} cores (shared machine). Generated in {clock.Elapsed.TotalSeconds:F1} s.");

            var batch = ToBatch(data, dim);
            data = null!; // 1.5 GB at 1M x 384: let it go before memory is measured
            var ipc = Path.Combine(work, "rows.arrow");
            var queryFile = Path.Combine(work, "queries.arrow");
            await BenchData.WriteIpcAsync(ipc, batch);
            await BenchData.WriteIpcAsync(queryFile, QueryBatch(queries, dim));
            var ourPath = Path.Combine(work, "ours.lance");
            var dataset = await LanceDataset.CreateAsync(ourPath, batch.Schema, [batch]);
            batch.Dispose();

            // Ground truth: exact search (batched: one pass over the data for all queries).
            var queryList = Enumerable.Range(0, queries.Length / dim).Select(q => (ReadOnlyMemory<float>)queries.AsMemory(q * dim, dim)).ToList();
            var template = new VectorSearchRequest("vector", queryList[0], 10) { Metric = metric, Columns = ["id"] };
            clock.Restart();
            var exact = await dataset.SearchBatchAsync(template, queryList);
            var batchedExactSeconds = clock.Elapsed.TotalSeconds;
            var truth = exact.Select(Ids).ToList();
            var truthFile = Path.Combine(work, "truth.json");
            await File.WriteAllTextAsync(truthFile, JsonSerializer.Serialize(truth));
            clock.Restart();
            for (var q = 0; q < Math.Min(10, queryList.Count); q++)
            {
                await dataset.SearchAsync(template with { Query = queryList[q] });
            }

            var singleExactMs = clock.Elapsed.TotalMilliseconds / Math.Min(10, queryList.Count);
            Console.WriteLine($"Exact search, ours: {singleExactMs:F1} ms per query one by one; SearchBatch {queryList.Count} queries in {batchedExactSeconds:F2} s = {batchedExactSeconds * 1000 / queryList.Count:F2} ms per query.");

            // Ours: build.
            GC.Collect();
            var stages = new StageClock();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            clock.Restart();
            var info = await dataset.CreateIndexAsync("vector", new IvfPqOptions { NumPartitions = partitions, NumSubVectors = subVectors, Metric = metric, Progress = stages });
            var oursBuild = clock.Elapsed.TotalSeconds;
            var oursCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            Console.WriteLine($"Ours: build stages (wall s): {stages}; CPU {oursCpu:F1} s.");
            var oursBytes = Directory.EnumerateFiles(Path.Combine(dataset.Path, LanceDataset.IndicesFolder), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            Console.WriteLine($"Ours: built in {oursBuild:F2} s, {oursBytes / 1e6:F1} MB ({info.IndexedRows:N0} rows).");

            // Searched from a freshly opened dataset, so the memory figures hold only what searching needs.
            await dataset.DisposeAsync();
            var oursMemory = SearchMemory.Begin();
            dataset = await LanceDataset.OpenAsync(ourPath);
            var ours = await MeasureAsync(dataset, template, queryList, truth, oursMemory);
            await dataset.DisposeAsync();

            JsonElement? node = null;
            if (withNode)
            {
                node = BenchSupport.Node("bench-index.mjs", new
                {
                    ipc, queries = queryFile, truth = truthFile, db = Path.Combine(work, "node"), table = "bench",
                    partitions, subVectors, metric = metric.ToString().ToLowerInvariant(), k = 10,
                    nprobes = Configs.Select(c => c.Nprobes).Distinct().ToArray(), refine = Configs.Select(c => c.Refine).Distinct().ToArray(),
                });
            }

            if (node is { } raw)
            {
                Console.WriteLine($"LanceDB raw: {raw}");
            }

            // Crossed: LanceDB's index searched from .NET, and our index (Lance's format) searched by LanceDB.
            List<(int Nprobes, int Refine, double Median, double P95, double Recall)>? oursOnTheirs = null;
            JsonElement? theirsOnOurs = null;
            JsonElement? theirsFresh = null;
            SearchMemory? oursOnTheirsMemory = null;
            if (withNode)
            {
                oursOnTheirsMemory = SearchMemory.Begin();
                await using var foreign = await LanceDataset.OpenAsync(Path.Combine(work, "node", "bench.lance"));
                var foreignIndex = foreign.ListIndices();
                Console.WriteLine($"LanceDB's index as .NET lists it: {string.Join("; ", foreignIndex)}; ignored: {foreign.IgnoredIndices.Count}.");
                oursOnTheirs = await MeasureAsync(foreign, template, queryList, truth, oursOnTheirsMemory);
                theirsOnOurs = BenchSupport.Node("bench-index.mjs", new
                {
                    ipc, queries = queryFile, truth = truthFile, db = work, table = "ours", existing = true,
                    partitions, subVectors, metric = metric.ToString().ToLowerInvariant(), k = 10,
                    nprobes = Configs.Select(c => c.Nprobes).Distinct().ToArray(), refine = Configs.Select(c => c.Refine).Distinct().ToArray(),
                });

                // LanceDB on its own index again, from a fresh process: its memory while searching, free of the build's.
                theirsFresh = BenchSupport.Node("bench-index.mjs", new
                {
                    ipc, queries = queryFile, truth = truthFile, db = Path.Combine(work, "node"), table = "bench", existing = true,
                    partitions, subVectors, metric = metric.ToString().ToLowerInvariant(), k = 10,
                    nprobes = Configs.Select(c => c.Nprobes).Distinct().ToArray(), refine = Configs.Select(c => c.Refine).Distinct().ToArray(),
                });
            }

            Console.WriteLine();
            var nodeBuild = node?.GetProperty("buildSeconds").GetDouble();
            var nodeBytes = node?.GetProperty("indexBytes").GetDouble();
            Console.WriteLine("| measure | Lance.Orm | LanceDB (Node) | ratio |");
            Console.WriteLine("|---|---|---|---|");
            Console.WriteLine($"| build IVF_PQ({partitions}, {subVectors}) | {oursBuild:F2} s | {Fmt(nodeBuild, "F1")} s | {(nodeBuild is { } nb ? $"{nb / oursBuild:F1}x faster" : "")} |");
            var nodeCpu = node is { } nn && nn.TryGetProperty("buildCpuSeconds", out var cpuElement) ? cpuElement.GetDouble() : (double?)null;
            Console.WriteLine($"| build CPU time (all threads) | {oursCpu:F1} s | {Fmt(nodeCpu, "F1")} s | {(nodeCpu is { } nc ? $"{nc / oursCpu:F1}x less" : "")} |");
            Console.WriteLine($"| index size | {oursBytes / 1e6:F1} MB | {Fmt(nodeBytes / 1e6, "F1")} MB | |");
            Console.WriteLine();
            Console.WriteLine("Each library's own index, searched by itself:");
            PrintSearchTable(ours, node);
            if (oursOnTheirs is not null)
            {
                Console.WriteLine();
                Console.WriteLine("LanceDB's index searched from .NET (\"ours\") and by LanceDB itself:");
                PrintSearchTable(oursOnTheirs, node);
                Console.WriteLine();
                Console.WriteLine("Our index (Lance's format) searched by .NET (\"ours\") and by LanceDB:");
                PrintSearchTable(ours, theirsOnOurs);
                Console.WriteLine();
                Console.WriteLine("LanceDB's index searched by LanceDB from a fresh process (memory run):");
                PrintSearchTable(oursOnTheirs, theirsFresh);
            }

            Console.WriteLine();
            Console.WriteLine("Memory while searching (all configurations above, one query at a time; each side opens the table fresh; MiB = 2^20 bytes):");
            Console.WriteLine(SearchMemory.Header);
            Console.WriteLine(oursMemory.Row($"ours IVF_PQ({partitions}, {subVectors})", "Lance.Orm", oursBytes));
            if (theirsOnOurs is { } tOurs)
            {
                Console.WriteLine(SearchMemory.NodeRow($"ours IVF_PQ({partitions}, {subVectors})", "LanceDB", oursBytes, tOurs));
            }

            if (theirsFresh is { } fresh && oursOnTheirsMemory is not null)
            {
                Console.WriteLine(oursOnTheirsMemory.Row($"LanceDB's IVF_PQ({partitions}, {subVectors})", "Lance.Orm", nodeBytes ?? 0));
                Console.WriteLine(SearchMemory.NodeRow($"LanceDB's IVF_PQ({partitions}, {subVectors})", "LanceDB", nodeBytes ?? 0, fresh));
            }

            if (keptDir is not null && withNode)
            {
                await File.WriteAllTextAsync(builtMarker, $"built {DateTime.UtcNow:O}; ours {oursBuild:F2} s, LanceDB {Fmt(nodeBuild, "F1")} s\n");
            }
        }
        finally
        {
            if (keptDir is null)
            {
                try { Directory.Delete(work, recursive: true); } catch (IOException) { }
            }
        }
    }

    /// <summary>
    /// A repeat run over a kept folder: both indexes searched again (ours by .NET and by LanceDB, LanceDB's by
    /// .NET and by LanceDB), each side opening its table fresh, one after the other in this process run.
    /// </summary>
    private static async Task SearchAgainAsync(string work, string kind, int dim, int partitions, int subVectors, DistanceMetric metric, bool withNode)
    {
        var queryFile = Path.Combine(work, "queries.arrow");
        var truthFile = Path.Combine(work, "truth.json");
        var truth = JsonSerializer.Deserialize<List<long[]>>(await File.ReadAllTextAsync(truthFile))!;
        var queries = await ReadQueriesAsync(queryFile, dim);
        var queryList = Enumerable.Range(0, queries.Length / dim).Select(q => (ReadOnlyMemory<float>)queries.AsMemory(q * dim, dim)).ToList();
        var template = new VectorSearchRequest("vector", queryList[0], 10) { Metric = metric, Columns = ["id"] };
        var ourPath = Path.Combine(work, "ours.lance");
        var theirPath = Path.Combine(work, "node", "bench.lance");
        long Bytes(string table) => Directory.EnumerateFiles(Path.Combine(table, LanceDataset.IndicesFolder), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"Reusing {kind} tables, queries and exact answers kept by an earlier run ({queryList.Count} queries, IVF_PQ({partitions}, {subVectors}), {metric}); {Environment.ProcessorCount} cores.");
        object Peer(string db, string table) => new
        {
            ipc = Path.Combine(work, "rows.arrow"), queries = queryFile, truth = truthFile, db, table, existing = true,
            partitions, subVectors, metric = metric.ToString().ToLowerInvariant(), k = 10,
            nprobes = Configs.Select(c => c.Nprobes).Distinct().ToArray(), refine = Configs.Select(c => c.Refine).Distinct().ToArray(),
        };

        var oursMemory = SearchMemory.Begin();
        List<(int Nprobes, int Refine, double Median, double P95, double Recall)> ours;
        await using (var dataset = await LanceDataset.OpenAsync(ourPath))
        {
            ours = await MeasureAsync(dataset, template, queryList, truth, oursMemory);
        }

        var theirs = withNode ? BenchSupport.Node("bench-index.mjs", Peer(Path.Combine(work, "node"), "bench")) : (JsonElement?)null;
        var oursOnTheirsMemory = SearchMemory.Begin();
        List<(int Nprobes, int Refine, double Median, double P95, double Recall)> oursOnTheirs;
        await using (var foreign = await LanceDataset.OpenAsync(theirPath))
        {
            oursOnTheirs = await MeasureAsync(foreign, template, queryList, truth, oursOnTheirsMemory);
        }

        var theirsOnOurs = withNode ? BenchSupport.Node("bench-index.mjs", Peer(work, "ours")) : (JsonElement?)null;
        Console.WriteLine();
        Console.WriteLine("Each library's own index, searched by itself (LanceDB from a fresh process):");
        PrintSearchTable(ours, theirs);
        Console.WriteLine();
        Console.WriteLine("LanceDB's index searched from .NET (\"ours\") and by LanceDB itself (the run above):");
        PrintSearchTable(oursOnTheirs, theirs);
        Console.WriteLine();
        Console.WriteLine("Our index (Lance's format) searched by .NET (\"ours\") and by LanceDB:");
        PrintSearchTable(ours, theirsOnOurs);
        Console.WriteLine();
        Console.WriteLine("Memory while searching (all configurations above, one query at a time; each side opens the table fresh; MiB = 2^20 bytes):");
        Console.WriteLine(SearchMemory.Header);
        Console.WriteLine(oursMemory.Row($"ours IVF_PQ({partitions}, {subVectors})", "Lance.Orm", Bytes(ourPath)));
        if (theirsOnOurs is { } tOurs)
        {
            Console.WriteLine(SearchMemory.NodeRow($"ours IVF_PQ({partitions}, {subVectors})", "LanceDB", Bytes(ourPath), tOurs));
        }

        Console.WriteLine(oursOnTheirsMemory.Row($"LanceDB's IVF_PQ({partitions}, {subVectors})", "Lance.Orm", Bytes(theirPath)));
        if (theirs is { } t)
        {
            Console.WriteLine(SearchMemory.NodeRow($"LanceDB's IVF_PQ({partitions}, {subVectors})", "LanceDB", Bytes(theirPath), t));
        }
    }

    private static async Task<float[]> ReadQueriesAsync(string path, int dim)
    {
        await using var stream = File.OpenRead(path);
        using var reader = new Apache.Arrow.Ipc.ArrowFileReader(stream);
        var values = new List<float>();
        while (await reader.ReadNextRecordBatchAsync() is { } batch)
        {
            using (batch)
            {
                var column = (FixedSizeListArray)batch.Column(0);
                var flat = ((FloatArray)column.Values).Values.Slice(column.Offset * dim, column.Length * dim);
                values.AddRange(flat.ToArray());
            }
        }

        return values.ToArray();
    }

    private static async Task<List<(int Nprobes, int Refine, double Median, double P95, double Recall)>> MeasureAsync(
        LanceDataset dataset, VectorSearchRequest template, List<ReadOnlyMemory<float>> queryList, List<long[]> truth, SearchMemory memory)
    {
        var result = new List<(int Nprobes, int Refine, double Median, double P95, double Recall)>();
        foreach (var (nprobes, refine) in Configs)
        {
            var request = template with { Nprobes = nprobes, RefineFactor = refine == 0 ? null : refine };
            for (var q = 0; q < Math.Min(5, queryList.Count); q++)
            {
                await dataset.SearchAsync(request with { Query = queryList[q] });
            }

            var latencies = new List<double>();
            double found = 0;
            for (var q = 0; q < queryList.Count; q++)
            {
                var t = Stopwatch.StartNew();
                var hits = await dataset.SearchAsync(request with { Query = queryList[q] });
                latencies.Add(t.Elapsed.TotalMilliseconds);
                memory.Sample();
                found += Ids(hits).Intersect(truth[q]).Count();
            }

            result.Add((nprobes, refine, Quantile(latencies, 0.5), Quantile(latencies, 0.95), found / (queryList.Count * 10.0)));
        }

        return result;
    }

    private static void PrintSearchTable(List<(int Nprobes, int Refine, double Median, double P95, double Recall)> ours, JsonElement? node)
    {
        Console.WriteLine("| nprobes | refine | recall@10 ours | recall@10 LanceDB | median latency ours | median latency LanceDB | p95 ours | p95 LanceDB |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var o in ours)
        {
            JsonElement? theirs = null;
            if (node is { } n)
            {
                foreach (var c in n.GetProperty("configs").EnumerateArray())
                {
                    if (c.GetProperty("nprobes").GetInt32() == o.Nprobes && c.GetProperty("refine").GetInt32() == o.Refine)
                    {
                        theirs = c;
                    }
                }
            }

            Console.WriteLine($"| {o.Nprobes} | {(o.Refine == 0 ? "-" : o.Refine)} | {o.Recall:F3} | {Fmt(theirs?.GetProperty("recall").GetDouble(), "F3")} | {o.Median:F2} ms | {Fmt(theirs?.GetProperty("latencyMedianMs").GetDouble(), "F2")} ms | {o.P95:F2} ms | {Fmt(theirs?.GetProperty("latencyP95Ms").GetDouble(), "F2")} ms |");
        }
    }

    /// <summary>Wall-clock seconds per build stage, from the progress reports.</summary>
    private sealed class StageClock : IProgress<IndexBuildProgress>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly List<(IndexBuildStage Stage, double Start)> _starts = [];

        public void Report(IndexBuildProgress value)
        {
            lock (_starts)
            {
                if (_starts.Count == 0 || _starts[^1].Stage != value.Stage)
                {
                    _starts.Add((value.Stage, _clock.Elapsed.TotalSeconds));
                }
            }
        }

        public override string ToString()
        {
            var end = _clock.Elapsed.TotalSeconds;
            return string.Join(", ", _starts.Select((s, i) => $"{s.Stage} {((i + 1 < _starts.Count ? _starts[i + 1].Start : end) - s.Start):F2}"));
        }
    }

    private static string Fmt(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    private static double Quantile(List<double> xs, double q)
    {
        var s = xs.Order().ToList();
        return s[(int)Math.Min(s.Count - 1, Math.Floor((s.Count - 1) * q))];
    }

    private static long[] Ids(RecordBatch hits)
    {
        var ids = (Int64Array)hits.Column("id");
        return Enumerable.Range(0, hits.Length).Select(i => ids.GetValue(i)!.Value).ToArray();
    }

    /// <summary>
    /// Row-major vectors <c>x = Σ c_r·b_r + noise</c>: rank = dimension / 8 fixed random directions
    /// (the same for every seed), coefficients with a decaying scale as in real embeddings, noise 0.2.
    /// </summary>
    public static float[] LowRank(int count, int dimension, int seed, int basisSeed)
    {
        var rank = Math.Max(1, dimension / 8);
        var basisRandom = new Random(basisSeed);
        var bases = new float[rank * dimension];
        for (var i = 0; i < bases.Length; i++) bases[i] = Gaussian(basisRandom);
        var result = new float[(long)count * dimension];
        Parallel.For(0, (count + 4095) / 4096, block =>
        {
            var random = new Random(unchecked((seed * 1_000_003) + block)); // not HashCode.Combine: that is randomised per process
            var coefficients = new float[rank];
            for (var i = block * 4096; i < Math.Min(count, (block + 1) * 4096); i++)
            {
                var row = result.AsSpan(i * dimension, dimension);
                for (var r = 0; r < rank; r++) coefficients[r] = Gaussian(random) / MathF.Sqrt(1 + r);
                for (var r = 0; r < rank; r++)
                {
                    var b = bases.AsSpan(r * dimension, dimension);
                    for (var d = 0; d < dimension; d++) row[d] += coefficients[r] * b[d];
                }

                for (var d = 0; d < dimension; d++) row[d] += 0.2f * Gaussian(random);
            }
        });
        return result;
    }

    /// <summary>MiniLM vectors of sentences recombined from the QuickStart sample (deterministic); queries are held-out combinations.</summary>
    private static async Task<(float[] Data, float[] Queries)> MiniLmDataAsync(int rows, int queryCount)
    {
        var csv = FindUp(Path.Combine("samples", "QuickStart", "docs.csv"));
        var sentences = (await File.ReadAllLinesAsync(csv)).Skip(1)
            .Select(l => { var a = l.IndexOf('"', StringComparison.Ordinal); var b = l.LastIndexOf('"'); return l[(a + 1)..b]; })
            .ToArray();
        string[] joins = [" Meanwhile, ", " Also, ", " Later, ", " ", " In contrast, ", " Because of that, "];
        var random = new Random(5150);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var texts = new List<string>();
        while (texts.Count < rows + queryCount)
        {
            var a = sentences[random.Next(sentences.Length)];
            var b = sentences[random.Next(sentences.Length)];
            var j = joins[random.Next(joins.Length)];
            var text = a + j + char.ToLowerInvariant(b[0]) + b[1..];
            if (a != b && seen.Add(text)) texts.Add(text);
        }

        using var miniLm = new Lance.Orm.Embeddings.MiniLm();
        var clock = Stopwatch.StartNew();
        var vectors = await miniLm.ComputeSourceEmbeddingsAsync(texts);
        Console.WriteLine($"MiniLM: embedded {texts.Count:N0} texts in {clock.Elapsed.TotalSeconds:F1} s.");
        return (vectors.Take(rows).SelectMany(v => v).ToArray(), vectors.Skip(rows).SelectMany(v => v).ToArray());
    }

    private static string FindUp(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate)) return candidate;
        }

        throw new FileNotFoundException($"'{relative}' was not found above {AppContext.BaseDirectory}.");
    }

    internal static RecordBatch ToBatch(float[] data, int dim)
    {
        var rows = data.Length / dim;
        var ids = new Int64Array.Builder();
        for (var i = 0; i < rows; i++) ids.Append(i);
        var values = new ArrowBuffer.Builder<float>(data.Length).AppendRange(data).Build();
        var type = new FixedSizeListType(new Field("item", FloatType.Default, true), dim);
        var child = new FloatArray(values, ArrowBuffer.Empty, data.Length, 0, 0);
        var vectors = new FixedSizeListArray(new ArrayData(type, rows, 0, 0, [ArrowBuffer.Empty], [child.Data]));
        var schema = new Schema([new Field("id", Int64Type.Default, false), new Field("vector", type, true)], null);
        return new RecordBatch(schema, [ids.Build(), vectors], rows);
    }

    internal static RecordBatch QueryBatch(float[] queries, int dim)
    {
        var batch = ToBatch(queries, dim);
        return new RecordBatch(new Schema([batch.Schema.GetFieldByIndex(1)], null), [batch.Column(1)], batch.Length);
    }

    private static float Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }
}
