using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Lance.Orm;

namespace Lance.Bench;

/// <summary>
/// Write/read throughput and bytes allocated per row for N rows (1M by default) of the serializer
/// benchmark's models, beside the reflection baseline, a memcpy of the vector bytes, and LanceDB
/// (Node) adding the same rows from JS objects, in one run:
/// <c>dotnet run -c Release --project bench/Lance.Bench -- serializers [rows] [nodeVectorRows]</c>.
/// </summary>
public static class SerializerSideBySide
{
    private const int Runs = 5;

    public static async Task RunAsync(string[] args)
    {
        var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
        var nodeVectorRows = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 100_000;
        Console.WriteLine($"{count:N0} rows; {Environment.ProcessorCount} cores; median of {Runs} runs.");
        var scalars = SerializerData.Scalars(count);
        var vectors = SerializerData.Vectors(count);
        var flat = vectors.SelectMany(v => v.Vector).ToArray();
        var target = new float[flat.Length];
        var scalarBatch = ScalarRow.ToRecordBatch(scalars);
        var vectorBatch = VectorRow.ToRecordBatch(vectors);

        Console.WriteLine("| operation | rows/s | ns/row | allocated bytes/row |");
        Console.WriteLine("|---|---:|---:|---:|");
        Report("write scalars (5 columns): generated", count, () => ScalarRow.ToRecordBatch(scalars));
        Report("write scalars (5 columns): reflection", count, () => ReflectionSerializer.Write(scalars, 0));
        Report("write with 384-d vector (6 columns): generated", count, () => VectorRow.ToRecordBatch(vectors));
        Report("write with 384-d vector (6 columns): reflection", count, () => ReflectionSerializer.Write(vectors, SerializerData.Dimension));
        Report("memcpy of the 384-d vector bytes (into a warm buffer)", count, () => flat.AsSpan().CopyTo(target));
        Report("memcpy of the 384-d vector bytes (into a new buffer)", count, () => flat.AsSpan().CopyTo(GC.AllocateUninitializedArray<float>(flat.Length)));
        Report("read scalars: generated", count, () => { var rows = new List<ScalarRow>(count); ScalarRow.ReadRecordBatch(scalarBatch, rows); });
        Report("read scalars: reflection", count, () => ReflectionSerializer.Read<ScalarRow>(scalarBatch));
        Report("read with vector: generated", count, () => { var rows = new List<VectorRow>(count); VectorRow.ReadRecordBatch(vectorBatch, rows); });
        Report("read with vector: reflection", count, () => ReflectionSerializer.Read<VectorRow>(vectorBatch));
        Report("scan with vector: BatchView", count, () =>
        {
            var view = new VectorRow.BatchView(vectorBatch);
            var sum = 0.0;
            for (var i = 0; i < view.RowCount; i++)
            {
                sum += view.Score(i) + view.Vector(i)[0];
            }

            GC.KeepAlive(sum);
        });

        var work = Path.Combine(Path.GetTempPath(), "lance-serializer-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            var ours = new List<double>();
            for (var run = 0; run < 3; run++)
            {
                var db = await LanceDb.ConnectAsync(Path.Combine(work, $"ours-{run}"));
                var sample = vectors.AsSpan(0, nodeVectorRows).ToArray();
                var clock = Stopwatch.StartNew();
                await db.CreateTableAsync("bench", sample);
                ours.Add(clock.Elapsed.TotalSeconds);
            }

            Console.WriteLine($"| Lance.Orm CreateTableAsync, {nodeVectorRows:N0} rows with vector (serialize + write) | {nodeVectorRows / BenchSupport.Median(ours):N0} | {BenchSupport.Median(ours) * 1e9 / nodeVectorRows:N0} | |");
            var oursScalar = new List<double>();
            for (var run = 0; run < 3; run++)
            {
                var db = await LanceDb.ConnectAsync(Path.Combine(work, $"ours-s-{run}"));
                var clock = Stopwatch.StartNew();
                await db.CreateTableAsync("bench", scalars);
                oursScalar.Add(clock.Elapsed.TotalSeconds);
            }

            Console.WriteLine($"| Lance.Orm CreateTableAsync, {count:N0} scalar rows (serialize + write) | {count / BenchSupport.Median(oursScalar):N0} | {BenchSupport.Median(oursScalar) * 1e9 / count:N0} | |");
            var scalarNode = BenchSupport.Node("bench-add.mjs", new { db = Path.Combine(work, "node-s"), rows = count, dim = 0, repeats = 3 });
            Console.WriteLine($"| LanceDB (Node) makeArrowTable, {count:N0} scalar rows | {count / Median(scalarNode, "convertSeconds"):N0} | {Median(scalarNode, "convertSeconds") * 1e9 / count:N0} | |");
            Console.WriteLine($"| LanceDB (Node) table.add, {count:N0} scalar rows | {count / Median(scalarNode, "addSeconds"):N0} | {Median(scalarNode, "addSeconds") * 1e9 / count:N0} | |");
            var vectorNode = BenchSupport.Node("bench-add.mjs", new { db = Path.Combine(work, "node-v"), rows = nodeVectorRows, dim = SerializerData.Dimension, repeats = 1 });
            Console.WriteLine($"| LanceDB (Node) makeArrowTable, {nodeVectorRows:N0} rows with vector | {nodeVectorRows / Median(vectorNode, "convertSeconds"):N0} | {Median(vectorNode, "convertSeconds") * 1e9 / nodeVectorRows:N0} | |");
            Console.WriteLine($"| LanceDB (Node) table.add, {nodeVectorRows:N0} rows with vector | {nodeVectorRows / Median(vectorNode, "addSeconds"):N0} | {Median(vectorNode, "addSeconds") * 1e9 / nodeVectorRows:N0} | |");
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static void Report(string name, int count, Action action)
    {
        action(); // warm-up (and tier-up)
        var seconds = new List<double>();
        var allocated = new List<long>();
        for (var run = 0; run < Runs; run++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var before = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            action();
            seconds.Add(clock.Elapsed.TotalSeconds);
            allocated.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }

        var median = BenchSupport.Median(seconds);
        Console.WriteLine($"| {name} | {count / median:N0} | {median * 1e9 / count:F1} | {allocated.Order().ElementAt(allocated.Count / 2) / (double)count:F1} |");
    }

    private static double Median(JsonElement result, string property) =>
        BenchSupport.Median(result.GetProperty(property).EnumerateArray().Select(e => e.GetDouble()).ToList());
}
