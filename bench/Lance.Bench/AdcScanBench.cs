using System.Diagnostics;
using System.Globalization;
using Lance.Engine.Index;
using Lance.Engine.Query;
using Lance.Engine.Search.Kernels;

namespace Lance.Bench;

/// <summary>
/// The IVF-PQ search alone (no dataset): an index of random codes over low-rank data's shape, searched at
/// several nprobes and heap sizes, on one core and split among the cores, beside the gather-only scan:
/// <c>dotnet run -c Release --project bench/Lance.Bench -- adc-scan [rows] [partitions] [subvectors] [queries]</c>.
/// Medians of wall time per query.
/// </summary>
public static class AdcScanBench
{
    public static void Run(string[] args)
    {
        int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
        var rows = Arg(1, 1_000_000);
        var partitions = Arg(2, 256);
        var subVectors = Arg(3, 48);
        var queryCount = Arg(4, 50);
        const int Dim = 384;
        var random = new Random(11);
        var data = IndexBench.LowRank(partitions + 256 + queryCount, Dim, 5, 20_240);
        var sizes = new int[partitions];
        for (var i = 0; i < rows; i++)
        {
            sizes[(int)((i * 2654435761L) % partitions)]++;
        }

        var next = 0L;
        var index = new IvfPqIndex
        {
            Metric = DistanceMetric.L2,
            Dimension = Dim,
            Partitions = partitions,
            SubVectors = subVectors,
            Residual = true,
            Centroids = data.AsSpan(0, partitions * Dim).ToArray(),
            Codebook = data.AsSpan(partitions * Dim, 256 * Dim).ToArray().Select(x => x * 0.3f).ToArray(),
            RowIds = sizes.Select(n => Enumerable.Range(0, n).Select(_ => next++).ToArray()).ToArray(),
            Codes = sizes.Select(n => { var c = new byte[n * subVectors]; random.NextBytes(c); return c; }).ToArray(),
            Fragments = [0],
        };
        var queries = Enumerable.Range(0, queryCount).Select(q => data.AsSpan((partitions + 256 + q) * Dim, Dim).ToArray()).ToArray();
        var mask = new RowMask(0);
        mask.Allow(0, null);
        Console.WriteLine($"{rows:N0} rows, IVF_PQ({partitions}, {subVectors}), {queryCount} queries, {Environment.ProcessorCount} cores; screen {(AdcScan.CanScreen ? "on" : "not available")}.");
        // One partition scanned again and again with one table: per-call and per-row CPU cost of each path.
        foreach (var n in new[] { 4096, 65536 })
        {
            var codes = new byte[n * subVectors];
            random.NextBytes(codes);
            var ids = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
            var table = new float[subVectors * IvfPqIndex.CodebookSize];
            index.BuildTable(queries[0], table);
            var screen = new byte[table.Length];
            var best = new TopK(10);
            AdcScan.Scan(KernelWidth.Vector128, table, subVectors, 0, 1, ids, codes, mask, best);
            var bar = best.Threshold;
            foreach (var width in new[] { KernelWidth.Vector512, KernelWidth.Vector256, KernelWidth.Vector128 })
            {
                var reps = (int)(20_000_000L / n);
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                for (var r = 0; r < reps; r++)
                {
                    var heap = new TopK(10);
                    for (var f = 0; f < 10; f++) heap.Offer(bar, -1 - f);
                    AdcScan.Scan(width, table, subVectors, 0, 1, ids, codes, mask, heap, screen);
                }

                var ns = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds * 1e6 / reps;
                Console.WriteLine($"partition of {n} rows at {width}: {ns / 1000:F1} us CPU per call, {ns / n:F2} ns per row");
            }
        }

        Console.WriteLine("Each cell: median wall ms / mean CPU ms (all threads) per query.");
        Console.WriteLine("| nprobes | k | one core | split among cores | gathers only (one core) | distance tables alone |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (nprobes, k) in new[] { (10, 10), (20, 10), (50, 10), (20, 200), (50, 200) })
        {
            foreach (var q in queries)
            {
                var (a, b, c) = (new TopK(k), new TopK(k), new TopK(k));
                index.Search(q, nprobes, mask, a, int.MaxValue);
                index.Search(q, nprobes, mask, b, 0);
                Gathers(index, q, nprobes, mask, c);
                if (!a.ToSortedArray().SequenceEqual(c.ToSortedArray()) || !b.ToSortedArray().SequenceEqual(c.ToSortedArray()))
                {
                    throw new InvalidOperationException($"nprobes {nprobes}, k {k}: the searches disagree with the gather-only scan.");
                }
            }

            var single = Median(queries, q => index.Search(q, nprobes, mask, new TopK(k), int.MaxValue));
            var split = Median(queries, q => index.Search(q, nprobes, mask, new TopK(k), 0));
            var gathers = Median(queries, q => Gathers(index, q, nprobes, mask, new TopK(k)));
            var tables = Median(queries, q => Tables(index, q, nprobes));
            Console.WriteLine($"| {nprobes} | {k} | {single} | {split} | {gathers} | {tables} |");
        }
    }

    // "median wall ms / mean CPU ms" per query (CPU of the whole process: all threads).
    private static string Median(float[][] queries, Action<float[]> search)
    {
        foreach (var q in queries.Take(3))
        {
            search(q);
        }

        var times = new List<double>();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        foreach (var q in queries)
        {
            var clock = Stopwatch.StartNew();
            search(q);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / queries.Length;
        times.Sort();
        return $"{times[times.Count / 2]:F3} / {cpuMs:F3}";
    }

    // Only what a search spends on its distance tables: the probes and one table per probe.
    private static void Tables(IvfPqIndex index, float[] query, int nprobes)
    {
        var table = new float[index.SubVectors * IvfPqIndex.CodebookSize];
        var residual = new float[index.Dimension];
        foreach (var p in index.NearestPartitions(query, nprobes))
        {
            for (var d = 0; d < residual.Length; d++)
            {
                residual[d] = query[d] - index.Centroids[(p * index.Dimension) + d];
            }

            index.BuildTable(residual, table);
        }
    }

    // The scan before the byte screen: the same tables, AVX2 gathers at 256 bits.
    private static void Gathers(IvfPqIndex index, float[] query, int nprobes, RowMask mask, TopK topK)
    {
        var table = new float[index.SubVectors * IvfPqIndex.CodebookSize];
        var residual = new float[index.Dimension];
        foreach (var p in index.NearestPartitions(query, nprobes))
        {
            for (var d = 0; d < residual.Length; d++)
            {
                residual[d] = query[d] - index.Centroids[(p * index.Dimension) + d];
            }

            index.BuildTable(residual, table);
            AdcScan.Scan(KernelWidth.Vector256, table, index.SubVectors, 0, 1, index.RowIds[p], index.Codes[p], mask, topK);
        }
    }
}
