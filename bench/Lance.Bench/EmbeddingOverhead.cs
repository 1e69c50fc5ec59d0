using System.Diagnostics;
using System.Globalization;

namespace Lance.Bench;

/// <summary>
/// The embedding-pipeline overhead measured by interleaving: each round runs the bare ONNX session,
/// the MiniLm function and <c>Table&lt;T&gt;.AddAsync</c> on the same texts, in a rotating order, so
/// that load from other processes on a shared machine hits all three alike; the figures are medians
/// over rounds and the median of the per-round ratios.
/// Run: <c>dotnet run -c Release --project bench/Lance.Bench -- embed-overhead [rounds]</c>.
/// </summary>
public static class EmbeddingOverhead
{
    public static async Task RunAsync(string[] args)
    {
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 9;
        var bench = new EmbeddingPipelineBenchmarks();
        await bench.SetupAsync();
        try
        {
            var steps = new (string Name, Func<Task> Run)[]
            {
                ("ONNX session alone (pre-tokenised)", () => { bench.RawSession(); return Task.CompletedTask; }),
                ("MiniLm function (tokenise + run + pool)", () => bench.Function()),
                ("Table<T>.AddAsync (embed + write + commit)", () => bench.AddAsync()),
            };

            foreach (var (_, run) in steps)
            {
                await run(); // warm-up
            }

            var seconds = steps.Select(_ => new List<double>()).ToArray();
            for (var round = 0; round < rounds; round++)
            {
                for (var k = 0; k < steps.Length; k++)
                {
                    var i = (k + round) % steps.Length;
                    var clock = Stopwatch.StartNew();
                    await steps[i].Run();
                    seconds[i].Add(clock.Elapsed.TotalSeconds);
                }
            }

            var texts = EmbeddingPipelineBenchmarks.TextCount;
            Console.WriteLine($"| step ({texts} texts, {rounds} rounds, interleaved) | median | texts/s | median ratio to the bare session |");
            Console.WriteLine("|---|---:|---:|---:|");
            for (var i = 0; i < steps.Length; i++)
            {
                var ratios = seconds[i].Zip(seconds[0], (a, b) => a / b).ToList();
                Console.WriteLine($"| {steps[i].Name} | {BenchSupport.Median(seconds[i]):F3} s | {texts / BenchSupport.Median(seconds[i]):F0} | {BenchSupport.Median(ratios):F3} |");
            }

            // The pipeline alone (a function that costs nothing): robust to load, since it takes milliseconds.
            var pipeline = new List<double>();
            for (var round = 0; round < 31; round++)
            {
                var clock = Stopwatch.StartNew();
                await bench.PipelineAlone();
                pipeline.Add(clock.Elapsed.TotalSeconds);
            }

            Console.WriteLine($"| AddAsync with a free function (the pipeline alone, 31 rounds) | {BenchSupport.Median(pipeline) * 1000:F1} ms | {texts / BenchSupport.Median(pipeline):F0} | {BenchSupport.Median(pipeline) / BenchSupport.Median(seconds[0]):F4} |");
            Console.WriteLine();
            Console.WriteLine($"per-round seconds: {string.Join(" / ", seconds.Select(s => string.Join(", ", s.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))))}");
        }
        finally
        {
            bench.Cleanup();
        }
    }
}
