using System.Diagnostics;
using Lance.Engine;
using Lance.Engine.Query;
using Lance.Engine.Search.Kernels;

namespace Lance.Bench;

/// <summary>
/// Single-thread exact-scan kernel, per metric and register width, on one table too large for the
/// caches and one that fits in them: <c>dotnet run -c Release --project bench/Lance.Bench -- kernels [runs]</c>.
/// Prints the median and the fastest of <c>runs</c> scans (the machine is shared, so the median is
/// the figure to compare and the fastest shows what the kernel can do).
/// </summary>
public static class KernelBench
{
    // The process's own width (marked *) first, then the narrower ones down to scalar.
    private static readonly KernelWidth[] Widths = [KernelWidth.Vector512, KernelWidth.Vector256, KernelWidth.Vector128, KernelWidth.Scalar];


    public static void Run(string[] args)
    {
        var runs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 41;
        const int Dimension = 384;
        var random = new Random(5);
        var query = Enumerable.Range(0, Dimension).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        foreach (var rows in new[] { 100_000, 2_048 })
        {
            var vectors = Enumerable.Range(0, rows * Dimension).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
            // In-cache scans are short: repeat them so one timing is well above the clock's grain.
            var repeat = Math.Max(1, 100_000 / rows / 4);
            foreach (var (metric, width) in new[] { DistanceMetric.L2, DistanceMetric.Cosine, DistanceMetric.Dot }.SelectMany(m => Widths.Select(w => (m, w))))
            {
                var times = new List<double>();
                for (var run = 0; run < runs + 3; run++)
                {
                    var watch = Stopwatch.StartNew();
                    for (var r = 0; r < repeat; r++)
                    {
                        var topK = new TopK(10);
                        DistanceKernels.Scan(metric, width, query, vectors, Dimension, 0, rows, 0, null, topK);
                    }

                    if (run >= 3)
                    {
                        times.Add(watch.Elapsed.TotalMilliseconds / repeat);
                    }
                }

                Console.WriteLine($"scan {rows:N0} x {Dimension} {metric,-6} {width,-9}{(width == KernelWidths.Best ? "*" : " ")}: median {BenchSupport.Median(times):F3} ms, fastest {times.Min():F3} ms");
            }
        }

        SharedPass(runs, random);
    }

    /// <summary>
    /// The multi-query shared pass's second half alone: distances from a block of precomputed dot products for 16 queries
    /// (2,048 rows in cache, this machine's width), by metric.
    /// </summary>
    private static void SharedPass(int runs, Random random)
    {
        const int Dimension = 384, Rows = 2_048, Queries = 16;
        var vectors = Enumerable.Range(0, Rows * Dimension).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var queries = Enumerable.Range(0, Queries * Dimension).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var norms = Enumerable.Range(0, Queries).Select(q => VectorSums.Dot(queries.AsSpan(q * Dimension, Dimension), queries.AsSpan(q * Dimension, Dimension))).ToArray();
        var padded = Lance.Engine.Index.BlockDot.Pad(Queries);
        var transposed = Lance.Engine.Index.BlockDot.Transpose(queries, Queries, Dimension);
        var dots = new float[Rows * padded];
        Lance.Engine.Index.BlockDot.Compute(vectors, Rows, Dimension, Dimension, transposed, padded, dots);
        foreach (var metric in new[] { DistanceMetric.L2, DistanceMetric.Cosine, DistanceMetric.Dot })
        {
            var times = new List<double>();
            for (var run = 0; run < runs + 3; run++)
            {
                var heaps = Enumerable.Range(0, Queries).Select(_ => new TopK(10)).ToArray();
                var watch = Stopwatch.StartNew();
                for (var r = 0; r < 10; r++)
                {
                    DistanceKernels.OfferDots(metric, vectors, Dimension, 0, Rows, dots, padded, norms, null, 0, heaps);
                }

                if (run >= 3)
                {
                    times.Add(watch.Elapsed.TotalMilliseconds / 10);
                }
            }

            Console.WriteLine($"shared pass, distances from dots, {Rows:N0} rows x {Queries} queries {metric,-6}: median {BenchSupport.Median(times):F3} ms, fastest {times.Min():F3} ms");
        }
    }
}
