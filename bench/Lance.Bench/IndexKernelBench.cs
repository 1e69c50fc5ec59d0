using System.Diagnostics;
using Lance.Engine.Index;
using Lance.Engine.Search.Kernels;

namespace Lance.Bench;

/// <summary>
/// Single-thread throughput of the index's block dot-product kernel (the k-means, encoding and
/// ADC-table workhorse), at each SIMD width (* marks the process's own): <c>dotnet run -c Release --project bench/Lance.Bench -- index-kernel</c>.
/// Reports multiply-adds per second of CPU time (the machine is shared, so wall time is noisy).
/// </summary>
public static class IndexKernelBench
{
    public static void Run()
    {
        foreach (var (rows, dim, columns, width) in new[] { (8192, 384, 256), (8192, 128, 1024), (65536, 8, 256) }
            .SelectMany(shape => new[] { KernelWidth.Vector512, KernelWidth.Vector256, KernelWidth.Vector128 }.Select(w => (shape.Item1, shape.Item2, shape.Item3, w))))
        {
            var random = new Random(1);
            var data = Enumerable.Range(0, rows * dim).Select(_ => (float)random.NextDouble()).ToArray();
            var cols = Enumerable.Range(0, columns * dim).Select(_ => (float)random.NextDouble()).ToArray();
            var padded = BlockDot.Pad(columns);
            var transposed = BlockDot.Transpose(cols, columns, dim);
            var output = new float[64 * padded];
            for (var warm = 0; warm < 2; warm++)
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                for (var start = 0; start < rows; start += 64)
                {
                    BlockDot.Compute(width, data.AsSpan(start * dim), 64, dim, dim, transposed, padded, output);
                }

                var seconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                if (warm == 1)
                {
                    Console.WriteLine($"{rows} x {dim} against {columns} at {width}{(width == KernelWidths.Best ? "*" : "")}: {(double)rows * dim * columns / seconds / 1e9:F1} G multiply-adds per CPU second");
                }
            }
        }

        // k-means as the index trains it: 65,536 rows x 384 into 256 partitions.
        var sample = IndexBench.LowRank(65_536, 384, 3, 20_240);
        var iterations = 0;
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        KMeans.Train(sample, 65_536, 384, 256, 25, 42, parallel: true, _ => iterations++, CancellationToken.None);
        Console.WriteLine($"k-means 65,536 x 384 -> 256: {iterations - 1} iterations, {(Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds:F2} CPU s, {wall.Elapsed.TotalSeconds:F2} wall s");
        var sub = IndexBench.LowRank(65_536, 8, 4, 20_241);
        before = Process.GetCurrentProcess().TotalProcessorTime;
        iterations = 0;
        KMeans.Train(sub, 65_536, 8, 256, 25, 42, parallel: false, _ => iterations++, CancellationToken.None);
        Console.WriteLine($"k-means 65,536 x 8 -> 256 (one PQ codebook): {iterations - 1} iterations, {(Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds:F2} CPU s");
    }
}
