using System.Diagnostics;
using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Orm;

namespace Lance.Bench;

/// <summary>
/// What a reranker adds to a search: a vector search (limit 10) alone, then with RRF and with the
/// linear combination over its rows, interleaved per round; and the fusion alone over two lists of
/// 10, 100 and 1000 rows, as a hybrid search hands them over.
/// Run: <c>dotnet run -c Release --project bench/Lance.Bench -- rerank [rows] [rounds]</c>.
/// </summary>
public static class RerankBench
{
    public static async Task RunAsync(string[] args)
    {
        var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 201;
        var folder = Path.Combine(Path.GetTempPath(), "lance-bench-rerank-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var db = await LanceDb.ConnectAsync(folder);
            var table = await db.CreateTableAsync<BenchRow>("rows", BenchData.Rows(count));
            var queries = BenchData.Queries(16);
            var rrf = new RrfReranker();
            var linear = new LinearCombinationReranker();
            var steps = new (string Name, Func<float[], Task> Run)[]
            {
                ("vector search, limit 10", q => table.Search(q).Limit(10).ToListAsync()),
                ("+ Rerank(RrfReranker)", q => table.Search(q).Limit(10).Rerank(rrf).ToListAsync()),
                ("+ Rerank(LinearCombinationReranker)", q => table.Search(q).Limit(10).Rerank(linear).ToListAsync()),
            };
            var seconds = await InterleaveAsync(steps, queries, rounds);
            Console.WriteLine($"| {count:N0} rows × {BenchData.Dimension}, exact search, {rounds} rounds interleaved | median | added |");
            Console.WriteLine("|---|---:|---:|");
            for (var i = 0; i < steps.Length; i++)
            {
                var median = BenchSupport.Median(seconds[i]);
                var added = i == 0 ? "" : $"{(median - BenchSupport.Median(seconds[0])) * 1e6:F0} µs";
                Console.WriteLine($"| {steps[i].Name} | {median * 1e3:F2} ms | {added} |");
            }
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }

        Console.WriteLine();
        Console.WriteLine("| fusion alone (two lists, half overlapping, a string column) | RrfReranker | LinearCombinationReranker |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var size in new[] { 10, 100, 1000 })
        {
            var vector = Batch(size, 0, "_distance");
            var text = Batch(size, size / 2, "_score");
            var rrf = await FusionAsync(new RrfReranker(), vector, text, rounds);
            var linear = await FusionAsync(new LinearCombinationReranker(), vector, text, rounds);
            Console.WriteLine($"| {size} + {size} rows | {rrf * 1e6:F1} µs | {linear * 1e6:F1} µs |");
        }
    }

    private static async Task<List<double>[]> InterleaveAsync((string Name, Func<float[], Task> Run)[] steps, float[][] queries, int rounds)
    {
        foreach (var (_, run) in steps)
        {
            await run(queries[0]); // warm-up
        }

        var seconds = steps.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            var query = queries[round % queries.Length];
            for (var k = 0; k < steps.Length; k++)
            {
                var i = (k + round) % steps.Length;
                var clock = Stopwatch.StartNew();
                await steps[i].Run(query);
                seconds[i].Add(clock.Elapsed.TotalSeconds);
            }
        }

        return seconds;
    }

    private static async Task<double> FusionAsync(IReranker reranker, RecordBatch vector, RecordBatch text, int rounds)
    {
        await reranker.RerankHybridAsync("q", vector, text);
        var times = new List<double>(rounds);
        for (var round = 0; round < rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            await reranker.RerankHybridAsync("q", vector, text);
            times.Add(clock.Elapsed.TotalSeconds);
        }

        return BenchSupport.Median(times);
    }

    // Rows with ids first..first+size, a text column, and a distance or score falling with rank.
    private static RecordBatch Batch(int size, int first, string scoreColumn)
    {
        var texts = new StringArray.Builder();
        var values = new FloatArray.Builder();
        var ids = new UInt64Array.Builder();
        for (var i = 0; i < size; i++)
        {
            texts.Append($"passage {first + i} about something");
            values.Append(scoreColumn == "_distance" ? i / (float)size : 1 - (i / (float)size));
            ids.Append((ulong)(first + i));
        }

        var schema = new Schema(
        [
            new Field("text", StringType.Default, true),
            new Field(scoreColumn, FloatType.Default, true),
            new Field("_rowid", UInt64Type.Default, true),
        ], null);
        return new RecordBatch(schema, [texts.Build(), values.Build(), ids.Build()], size);
    }
}
