using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Lance.Engine;

namespace Lance.Bench;

/// <summary>
/// IVF_FLAT, IVF_SQ and IVF_HNSW_SQ side by side with LanceDB (Node) on the same low-rank data, in
/// one run: build time, index size, recall@10 and median latency per (nprobes, ef), and LanceDB's
/// search of the index we built:
/// <c>dotnet run -c Release --project bench/Lance.Bench -- index-kinds [rows] [dim] [partitions] [queries] [--no-node]
/// [--kinds ivf_flat,ivf_sq,ivf_hnsw_sq] [--nprobes 10,20] [--ef 0,50,100] [--refine 0,5] [--work DIR] [--ceiling]</c>
/// (ef 0: the default; refine 0: none). Each side's memory while searching is measured on a freshly opened
/// table (LanceDB's: a second, search-only process); before each side's searches both tables' files are read once, so
/// both sides search with the tables in the operating system's page cache. <c>--work DIR</c> keeps the data, the exact answers and
/// both sides' tables in DIR and reuses whatever a former run left there (a reused build reports 0 s; delete
/// a table's folder to build it again). <c>--ceiling</c> also prints, for each side's index, the share of the
/// true top-10 in the probed partitions and the recall of scoring all their rows by SQ code (see <see cref="IvfCeiling"/>).
/// </summary>
public static class IndexKindsBench
{
    public static async Task RunAsync(string[] args)
    {
        int[] List(string name, int[] fallback)
        {
            var i = System.Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1].Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray() : fallback;
        }

        var nprobesList = List("--nprobes", [10, 20]);
        var efList = List("--ef", [0, 50, 100]);
        var refineList = List("--refine", [0]);
        var ceiling = args.Contains("--ceiling");
        var workAt = System.Array.IndexOf(args, "--work");
        var keep = workAt >= 0 && workAt + 1 < args.Length;
        var kindsAt = System.Array.IndexOf(args, "--kinds");
        var kinds = kindsAt >= 0 && kindsAt + 1 < args.Length ? args[kindsAt + 1].ToUpperInvariant().Split(',') : null;
        var memoryRows = new List<string>();
        int Arg(int i, int fallback) => args.Length > i && !args[i].StartsWith("--", StringComparison.Ordinal) ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
        var rows = Arg(1, 100_000);
        var dim = Arg(2, 384);
        var partitions = Arg(3, 256);
        var queryCount = Arg(4, 100);
        var withNode = !args.Contains("--no-node");
        var work = keep ? Path.GetFullPath(args[workAt + 1]) : Path.Combine(Path.GetTempPath(), "lance-index-kinds-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            var data = IndexBench.LowRank(rows, dim, 1, 20_240);
            var queries = IndexBench.LowRank(queryCount, dim, 2, 20_240);
            Console.WriteLine($"Data: lowrank {rows:N0} x {dim}, {queryCount} queries, k=10, l2; {partitions} partitions; {Environment.ProcessorCount} cores (shared machine); {DateTime.UtcNow:yyyy-MM-dd}.");
            var batch = IndexBench.ToBatch(data, dim);
            data = null!; // 1.5 GB at 1M x 384: let it go before memory is measured
            var ipc = Path.Combine(work, "rows.arrow");
            var queryFile = Path.Combine(work, "queries.arrow");
            if (!File.Exists(ipc))
            {
                await BenchData.WriteIpcAsync(ipc, batch);
            }

            await BenchData.WriteIpcAsync(queryFile, IndexBench.QueryBatch(queries, dim));
            var queryList = Enumerable.Range(0, queryCount).Select(q => (ReadOnlyMemory<float>)queries.AsMemory(q * dim, dim)).ToList();
            var template = new VectorSearchRequest("vector", queryList[0], 10) { Columns = ["id"] };
            var truthFile = Path.Combine(work, "truth.json");
            List<long[]> truth;
            if (keep && File.Exists(truthFile))
            {
                truth = JsonSerializer.Deserialize<List<long[]>>(await File.ReadAllTextAsync(truthFile))!;
            }
            else
            {
                var truthPath = Path.Combine(work, "truth.lance");
                await using (var exactSet = await LanceDataset.CreateAsync(truthPath, batch.Schema, [batch]))
                {
                    truth = (await exactSet.SearchBatchAsync(template, queryList)).Select(Ids).ToList();
                }

                Directory.Delete(truthPath, recursive: true);
            }

            await File.WriteAllTextAsync(truthFile, JsonSerializer.Serialize(truth));
            Console.WriteLine("| kind | side | build s | index MB | nprobes | refine | ef | recall@10 | median ms | p95 ms |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
            var ceilingRows = new List<Func<Task>>();
            foreach (var (kind, config, nodeKind) in new[]
            {
                ("IVF_FLAT", IndexConfig.IvfFlat(partitions), "ivf_flat"),
                ("IVF_SQ", IndexConfig.IvfSq(partitions), (string?)null),
                ("IVF_HNSW_SQ", IndexConfig.IvfHnswSq(partitions), "ivf_hnsw_sq"),
            })
            {
                if (kinds is not null && !kinds.Contains(kind))
                {
                    continue;
                }

                var table = kind.ToLowerInvariant();
                var ourPath = Path.Combine(work, table + ".lance");
                double build = 0;
                var reuse = keep && Directory.Exists(Path.Combine(ourPath, LanceDataset.IndicesFolder));
                if (!reuse)
                {
                    if (Directory.Exists(ourPath))
                    {
                        Directory.Delete(ourPath, recursive: true);
                    }

                    await using var built = await LanceDataset.CreateAsync(ourPath, batch.Schema, [batch]);
                    GC.Collect();
                    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    var clock = Stopwatch.StartNew();
                    await built.CreateIndexAsync("vector", config);
                    build = clock.Elapsed.TotalSeconds;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Ours: {kind} built in {build:F1} s wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds:F1} s CPU (all threads)."));
                }

                var bytes = FolderBytes(Path.Combine(ourPath, LanceDataset.IndicesFolder));
                var nodeTable = Path.Combine(work, "node", table + "_node.lance");
                void Warm()
                {
                    BenchSupport.WarmPageCache(ourPath);
                    BenchSupport.WarmPageCache(nodeTable);
                }

                Warm();
                var efs = kind == "IVF_HNSW_SQ" ? efList : [0];
                var memory = SearchMemory.Begin();
                await using (var dataset = await LanceDataset.OpenAsync(ourPath))
                {
                    foreach (var (nprobes, refine, ef) in Configs(nprobesList, refineList, efs))
                    {
                        var (median, p95, recall) = await MeasureAsync(dataset, Request(template, nprobes, refine, ef), queryList, truth, memory);
                        Console.WriteLine($"| {kind} | Lance.Orm | {build:F1} | {bytes / 1e6:F1} | {nprobes} | {refine} | {(ef == 0 ? "default" : ef)} | {recall:F3} | {median:F2} | {p95:F2} |");
                    }
                }

                memoryRows.Add(memory.Row("ours " + kind, "Lance.Orm", bytes));

                if (!withNode)
                {
                    continue;
                }

                // LanceDB searching the index we built (Lance's format).
                Warm();
                var crossed = BenchSupport.Node("bench-index.mjs", new
                {
                    ipc, queries = queryFile, truth = truthFile, db = work, table, existing = true, kind = nodeKind ?? "ivf_pq",
                    partitions, metric = "l2", k = 10, nprobes = nprobesList, refine = refineList, ef = efs,
                });
                PrintNode(kind, "LanceDB on ours", 0, bytes, crossed);
                memoryRows.Add(SearchMemory.NodeRow("ours " + kind, "LanceDB", bytes, crossed));
                if (nodeKind is null)
                {
                    continue;
                }

                Warm();
                var nodeReuse = keep && Directory.Exists(Path.Combine(nodeTable, LanceDataset.IndicesFolder));
                var node = BenchSupport.Node("bench-index.mjs", new
                {
                    ipc, queries = queryFile, truth = truthFile, db = Path.Combine(work, "node"), table = table + "_node", kind = nodeKind, existing = nodeReuse,
                    partitions, metric = "l2", k = 10, nprobes = nprobesList, refine = refineList, ef = efs,
                });
                var nodeBytes = node.GetProperty("indexBytes").GetDouble();
                if (!nodeReuse)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"LanceDB: {kind} built in {node.GetProperty("buildSeconds").GetDouble():F1} s wall, {node.GetProperty("buildCpuSeconds").GetDouble():F1} s CPU (all threads)."));
                }

                PrintNode(kind, "LanceDB (Node)", node.GetProperty("buildSeconds").GetDouble(), nodeBytes, node);
                if (ceiling && kind != "IVF_FLAT")
                {
                    ceilingRows.Add(() => IvfCeiling.MeasureAsync("ours " + kind, ourPath, template, queryList, nprobesList));
                    ceilingRows.Add(() => IvfCeiling.MeasureAsync("LanceDB's " + kind, nodeTable, template, queryList, nprobesList));
                }

                // LanceDB's index searched by .NET, and by LanceDB from a fresh process (for its memory).
                Warm();
                var foreignMemory = SearchMemory.Begin();
                await using (var foreign = await LanceDataset.OpenAsync(Path.Combine(work, "node", table + "_node.lance")))
                {
                    foreach (var (nprobes, refine, ef) in Configs(nprobesList, refineList, efs))
                    {
                        var (median, p95, recall) = await MeasureAsync(foreign, Request(template, nprobes, refine, ef), queryList, truth, foreignMemory);
                        Console.WriteLine($"| {kind} | Lance.Orm on LanceDB's | - | {nodeBytes / 1e6:F1} | {nprobes} | {refine} | {(ef == 0 ? "default" : ef)} | {recall:F3} | {median:F2} | {p95:F2} |");
                    }
                }

                Warm();
                var fresh = BenchSupport.Node("bench-index.mjs", new
                {
                    ipc, queries = queryFile, truth = truthFile, db = Path.Combine(work, "node"), table = table + "_node", kind = nodeKind, existing = true,
                    partitions, metric = "l2", k = 10, nprobes = nprobesList, refine = refineList, ef = efs,
                });
                PrintNode(kind, "LanceDB (fresh process)", 0, nodeBytes, fresh);
                memoryRows.Add(foreignMemory.Row("LanceDB's " + kind, "Lance.Orm", nodeBytes));
                memoryRows.Add(SearchMemory.NodeRow("LanceDB's " + kind, "LanceDB", nodeBytes, fresh));
            }

            batch.Dispose();
            Console.WriteLine();
            Console.WriteLine("Memory while searching (all configurations above, one query at a time; each side opens the table fresh; MiB = 2^20 bytes):");
            Console.WriteLine(SearchMemory.Header);
            memoryRows.ForEach(Console.WriteLine);
            if (ceilingRows.Count > 0)
            {
                Console.WriteLine();
                Console.WriteLine("Where recall is lost (each index as our reader loads it; exact answers by row id):");
                Console.WriteLine(IvfCeiling.Header);
                foreach (var row in ceilingRows)
                {
                    await row();
                }
            }
        }
        finally
        {
            try
            {
                if (!keep)
                {
                    Directory.Delete(work, recursive: true);
                }
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }

    private static void PrintNode(string kind, string side, double build, double bytes, JsonElement result)
    {
        foreach (var c in result.GetProperty("configs").EnumerateArray())
        {
            var ef = c.GetProperty("ef").GetInt32();
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {kind} | {side} | {(build > 0 ? build.ToString("F1", CultureInfo.InvariantCulture) : "-")} | {bytes / 1e6:F1} | {c.GetProperty("nprobes").GetInt32()} | {c.GetProperty("refine").GetInt32()} | {(ef == 0 ? "default" : ef)} | {c.GetProperty("recall").GetDouble():F3} | {c.GetProperty("latencyMedianMs").GetDouble():F2} | {c.GetProperty("latencyP95Ms").GetDouble():F2} |"));
        }
    }

    /// <summary>Every (nprobes, refine, ef) in the order LanceDB's side runs them.</summary>
    private static IEnumerable<(int Nprobes, int Refine, int Ef)> Configs(int[] nprobesList, int[] refineList, int[] efs)
        => from nprobes in nprobesList from refine in refineList from ef in efs select (nprobes, refine, ef);

    private static VectorSearchRequest Request(VectorSearchRequest template, int nprobes, int refine, int ef)
        => template with { Nprobes = nprobes, RefineFactor = refine == 0 ? null : refine, Ef = ef == 0 ? null : ef };

    private static async Task<(double Median, double P95, double Recall)> MeasureAsync(LanceDataset dataset, VectorSearchRequest request, List<ReadOnlyMemory<float>> queryList, List<long[]> truth, SearchMemory memory)
    {
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

        latencies.Sort();
        return (latencies[latencies.Count / 2], latencies[(int)((latencies.Count - 1) * 0.95)], found / (queryList.Count * 10.0));
    }

    private static long[] Ids(RecordBatch hits)
    {
        var ids = (Int64Array)hits.Column("id");
        return Enumerable.Range(0, hits.Length).Select(i => ids.GetValue(i)!.Value).ToArray();
    }

    private static long FolderBytes(string path)
        => Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
}
