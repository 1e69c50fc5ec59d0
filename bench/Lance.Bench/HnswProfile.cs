using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Lance.Engine;
using Lance.Engine.DataFiles;
using Lance.Engine.Index;
using Lance.Engine.Index.Vector;
using Lance.Engine.Query;

namespace Lance.Bench;

/// <summary>
/// Where one IVF_HNSW_SQ query's time goes, on a table an <c>index-kinds --work DIR</c> run kept:
/// <c>dotnet run -c Release --project bench/Lance.Bench -- hnsw-profile DIR/ivf_hnsw_sq.lance [--nprobes 30] [--refine 5] [--reps 3]</c>.
/// Prints the median of the whole search (public API, refine and none), of the index's own search alone
/// (all probed partitions, at the ef each of those uses) and of the refine alone (k × refine rows re-ranked
/// by exact distance), for the bench's 100 low-rank queries (dimension 384).
/// </summary>
public static class HnswProfile
{
    /// <summary>Runs the profile.</summary>
    public static async Task RunAsync(string[] args)
    {
        string? Option(string name) => System.Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var table = Path.GetFullPath(args[1]);
        var nprobes = int.Parse(Option("--nprobes") ?? "30", CultureInfo.InvariantCulture);
        var refine = int.Parse(Option("--refine") ?? "5", CultureInfo.InvariantCulture);
        var reps = int.Parse(Option("--reps") ?? "3", CultureInfo.InvariantCulture);
        const int dim = 384;
        const int queryCount = 100;
        var queries = IndexBench.LowRank(queryCount, dim, 2, 20_240);
        var queryList = Enumerable.Range(0, queryCount).Select(q => (ReadOnlyMemory<float>)queries.AsMemory(q * dim, dim)).ToList();
        var truthFile = Path.Combine(Path.GetDirectoryName(table)!, "truth.json");
        if (!File.Exists(truthFile))
        {
            truthFile = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(table)!)!, "truth.json");
        }

        var truth = JsonSerializer.Deserialize<List<long[]>>(await File.ReadAllTextAsync(truthFile))!;
        var template = new VectorSearchRequest("vector", queryList[0], 10) { Columns = ["id"], Nprobes = nprobes };
        Console.WriteLine($"Profile of {Path.GetFileName(table)}: nprobes {nprobes}, refine {refine}, {queryCount} queries x {reps}; load {File.ReadAllText("/proc/loadavg").Trim()}");

        // The whole search through the public API: the median of reps × the queries, and recall@10 on the first pass.
        async Task<(double Median, double Recall)> MeasureWholeAsync(LanceDataset dataset, VectorSearchRequest request)
        {
            var times = new List<double>();
            double found = 0;
            for (var r = 0; r < reps; r++)
            {
                for (var q = 0; q < queryCount; q++)
                {
                    var t = Stopwatch.StartNew();
                    var hits = await dataset.SearchAsync(request with { Query = queryList[q] });
                    times.Add(t.Elapsed.TotalMilliseconds);
                    if (r == 0)
                    {
                        var ids = (Int64Array)hits.Column("id");
                        found += Enumerable.Range(0, hits.Length).Count(i => truth[q].Contains(ids.GetValue(i)!.Value));
                    }
                }
            }

            return (Median(times), found / (queryCount * 10.0));
        }

        if (Option("--spin-whole") is { } spinWhole)
        {
            // For a profiler: the whole search (no refine), over and over.
            await using var spun = await LanceDataset.OpenAsync(table);
            for (var r = 0; r < int.Parse(spinWhole, CultureInfo.InvariantCulture); r++)
            {
                for (var q = 0; q < queryCount; q++)
                {
                    await spun.SearchAsync(template with { Query = queryList[q] });
                }
            }

            return;
        }

        if (Option("--sweep") is { } sweep)
        {
            // Settings search: each "nprobes/refine/ef" (ef 0 = the default rule) through the public API,
            // recall@10 against the exact answers and the median of reps × 100 queries.
            await using var swept = await LanceDataset.OpenAsync(table);
            foreach (var setting in sweep.Split(','))
            {
                var parts = setting.Split('/').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();
                var request = template with { Nprobes = parts[0], RefineFactor = parts[1] == 0 ? null : parts[1], Ef = parts[2] == 0 ? null : parts[2] };
                for (var q = 0; q < 100; q++)
                {
                    await swept.SearchAsync(request with { Query = queryList[q] });
                }

                var (median, recall) = await MeasureWholeAsync(swept, request);

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"nprobes {parts[0]}, refine {parts[1]}, ef {parts[2]}: median {median:F3} ms, recall@10 {recall:F3}"));
            }

            return;
        }

        await using (var dataset = await LanceDataset.OpenAsync(table))
        {
            foreach (var factor in Option("--spin") is null ? new int?[] { null, refine } : [])
            {
                var request = template with { RefineFactor = factor };
                for (var q = 0; q < 5; q++)
                {
                    await dataset.SearchAsync(request with { Query = queryList[q] });
                }

                var (median, recall) = await MeasureWholeAsync(dataset, request);

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"whole search, refine {factor ?? 0}: median {median:F3} ms, recall@10 {recall:F3}"));
            }
        }

        // The index alone, loaded as a search loads it.
        var folder = Directory.GetDirectories(Path.Combine(table, LanceDataset.IndicesFolder)).OrderByDescending(Directory.GetLastWriteTimeUtc).First();
        LanceIvfIndex index;
        using (var indexFile = DataFileReader.Open(Path.Combine(folder, "index.idx")))
        using (var auxFile = DataFileReader.Open(Path.Combine(folder, "auxiliary.idx")))
        {
            index = LanceIvfReader.Read(indexFile, "index.idx", auxFile, "auxiliary.idx", [0]).ForSearch();
        }

        if (Option("--spin") is { } spin)
        {
            // For a profiler: the one-thread struct search at ef 1.5 × k × refine, over and over.
            var wanted = 10 * refine;
            var sw = Stopwatch.StartNew();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var each = new List<double>();
            for (var r = 0; r < int.Parse(spin, CultureInfo.InvariantCulture); r++)
            {
                for (var q = 0; q < queryCount; q++)
                {
                    var query = queryList[q].ToArray();
                    var codes = new byte[dim];
                    index.Quantizer.Encode(query, codes);
                    var top = new TopK(wanted);
                    var t = Stopwatch.StartNew();
                    foreach (var p in index.NearestPartitions(query, nprobes))
                    {
                        index.Graphs![p]!.Search(new SqL2Distance(index.Codes![p], codes, index.Quantizer.Scale), wanted + (wanted / 2), null, index.RowIds[p], top);
                    }

                    each.Add(t.Elapsed.TotalMilliseconds);
                }
            }

            each.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"spin: CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / each.Count:F3} ms per query; wall p10 {each[each.Count / 10]:F3} ms, median {each[each.Count / 2]:F3} ms"));

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"spin: {sw.Elapsed.TotalMilliseconds / (queryCount * int.Parse(spin, CultureInfo.InvariantCulture)):F3} ms per query"));
            return;
        }

        var mask = new RowMask(0);
        mask.Allow(0, null);
        var candidates = new List<long[]>();
        foreach (var wanted in new[] { 10, 10 * refine })
        {
            var ef = wanted + (wanted / 2);
            var times = new List<double>();
            for (var r = 0; r < reps; r++)
            {
                for (var q = 0; q < queryCount; q++)
                {
                    var top = new TopK(wanted);
                    var t = Stopwatch.StartNew();
                    index.Search(queryList[q].Span, nprobes, ef, mask, top);
                    times.Add(t.Elapsed.TotalMilliseconds);
                    if (r == 0 && wanted > 10)
                    {
                        candidates.Add(top.ToSortedArray().Select(x => x.Row).ToArray());
                    }
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"index search alone, {wanted} wanted, ef {ef}: median {Median(times):F3} ms"));
        }

        // One thread, partition by partition: the delegate search the index used before against the struct one
        // (each in its own pass over the queries, so neither finds the other's codes in the CPU's cache).
        foreach (var wanted in new[] { 10, 10 * refine })
        {
            var ef = wanted + (wanted / 2);
            var before = new List<double>();
            var after = new List<double>();
            var oldResults = new List<(float, long)[]>();
            var newResults = new List<(float, long)[]>();
            var counter = new long[1];
            for (var r = 0; r < reps; r++)
            {
                foreach (var useStruct in new[] { false, true })
                {
                    for (var q = 0; q < queryCount; q++)
                    {
                        var query = queryList[q].ToArray();
                        var codes = new byte[dim];
                        index.Quantizer.Encode(query, codes);
                        var probed = index.NearestPartitions(query, nprobes);
                        var top = new TopK(wanted);
                        var t = Stopwatch.StartNew();
                        foreach (var p in probed)
                        {
                            if (useStruct)
                            {
                                index.Graphs![p]!.Search(new SqL2Distance(index.Codes![p], codes, index.Quantizer.Scale), Math.Max(ef, wanted), null, index.RowIds[p], top);
                            }
                            else
                            {
                                index.Graphs![p]!.Search(index.Measure(p, query, codes), Math.Max(ef, wanted), null, index.RowIds[p], top);
                            }
                        }

                        (useStruct ? after : before).Add(t.Elapsed.TotalMilliseconds);
                        if (r == 0)
                        {
                            (useStruct ? newResults : oldResults).Add(top.ToSortedArray());
                            if (useStruct)
                            {
                                foreach (var p in probed)
                                {
                                    index.Graphs![p]!.Search(new CountingDistance(new SqL2Distance(index.Codes![p], codes, index.Quantizer.Scale), counter), Math.Max(ef, wanted), null, index.RowIds[p], new TopK(wanted));
                                }
                            }
                        }
                    }
                }
            }

            // The struct search again on codes the CPU's cache holds (each query searched twice, the second timed).
            var warm = new List<double>();
            for (var q = 0; q < queryCount; q++)
            {
                var query = queryList[q].ToArray();
                var codes = new byte[dim];
                index.Quantizer.Encode(query, codes);
                var probed = index.NearestPartitions(query, nprobes);
                for (var pass = 0; pass < 2; pass++)
                {
                    var top = new TopK(wanted);
                    var t = Stopwatch.StartNew();
                    foreach (var p in probed)
                    {
                        index.Graphs![p]!.Search(new SqL2Distance(index.Codes![p], codes, index.Quantizer.Scale), Math.Max(ef, wanted), null, index.RowIds[p], top);
                    }

                    if (pass == 1)
                    {
                        warm.Add(t.Elapsed.TotalMilliseconds);
                    }
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"one thread, {wanted} wanted, ef {ef}: struct search with the query's codes in the CPU's cache {Median(warm):F3} ms"));
            var differ = oldResults.Zip(newResults).Count(x => !x.First.SequenceEqual(x.Second));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"one thread, {wanted} wanted, ef {ef}: delegate search median {Median(before):F3} ms, struct search {Median(after):F3} ms; results differ in {differ} of {oldResults.Count}; {counter[0] / (double)queryCount:F0} distances per query"));
        }

        // The refine alone: the exact distance of each candidate, its vector read from the leased column.
        await using (var dataset = await LanceDataset.OpenAsync(table))
        {
            var snapshot = dataset.Current;
            var field = snapshot.Schema.GetFieldByName("vector");
            var times = new List<double>();
            var first = new List<double>();
            for (var r = 0; r <= reps; r++)
            {
                for (var q = 0; q < queryCount; q++)
                {
                    var t = Stopwatch.StartNew();
                    var measure = Lance.Engine.Query.DistanceKernels.Measure(DistanceMetric.L2, queryList[q]);
                    var sum = 0f;
                    foreach (var row in candidates[q])
                    {
                        using var lease = snapshot.LeaseColumn(snapshot.Fragment((ulong)row >> 32), field);
                        var values = Lance.Engine.Arrow.ArrowTake.FlatValues((FixedSizeListArray)lease.Array);
                        sum += measure(values.Slice((int)(row & 0xFFFFFFFF) * dim, dim));
                    }

                    GC.KeepAlive(sum);

                    (r > 0 ? times : first).Add(t.Elapsed.TotalMilliseconds);
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"refine alone ({10 * refine} rows): median {Median(times):F3} ms; on the first pass (rows not read before by this process) {Median(first):F3} ms"));
        }
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    private readonly struct CountingDistance(SqL2Distance inner, long[] counter) : INodeDistance
    {
        public float Distance(int node)
        {
            counter[0]++;
            return inner.Distance(node);
        }

        public void Prefetch(int node) => inner.Prefetch(node);
    }
}
