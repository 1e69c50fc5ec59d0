using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Lance.Engine;
using Lance.Orm;

namespace Lance.Bench;

/// <summary>
/// Ingest and exact-search figures for Lance.Orm and for LanceDB (Node) on the same data, in one run:
/// <c>dotnet run -c Release --project bench/Lance.Bench -- compare [rows] [queries]</c>.
/// </summary>
public static class SideBySide
{
    public static async Task RunAsync(string[] args)
    {
        var rows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
        var queryCount = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 50;
        const int Runs = 3;
        var work = Path.Combine(Path.GetTempPath(), "lance-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            Console.WriteLine($"Data: {rows:N0} rows x {BenchData.Dimension} float32, {queryCount} queries, k=10, L2 (and cosine), exact; {Environment.ProcessorCount} cores.");
            var data = BenchData.Rows(rows);
            var queries = BenchData.Queries(queryCount);
            var batch = BenchRow.ToRecordBatch(data);
            var ipc = Path.Combine(work, "rows.arrow");
            var queryFile = Path.Combine(work, "queries.arrow");
            await BenchData.WriteIpcAsync(ipc, batch);
            await BenchData.WriteIpcAsync(queryFile, BenchData.QueryBatch(queries));

            // Ours: typed rows through the generated serializer into a new table (embedding excluded).
            var ingest = new List<double>();
            Table<BenchRow>? table = null;
            for (var run = 0; run < Runs; run++)
            {
                var db = await LanceDb.ConnectAsync(Path.Combine(work, $"ours-{run}"));
                var clock = Stopwatch.StartNew();
                table = await db.CreateTableAsync<BenchRow>("bench", data);
                ingest.Add(clock.Elapsed.TotalSeconds);
            }

            // Ours: exact search, after a warm-up that also loads the vectors. Collect first so the
            // garbage of the three ingest runs is not collected during the timed queries.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            for (var i = 0; i < Math.Min(5, queries.Length); i++)
            {
                await table!.Search(queries[i]).ToBatchAsync();
            }

            var latencies = new List<double>();
            var total = Stopwatch.StartNew();
            foreach (var query in queries)
            {
                var clock = Stopwatch.StartNew();
                await table!.Search(query).ToBatchAsync();
                latencies.Add(clock.Elapsed.TotalSeconds);
            }

            var oursQps = queries.Length / total.Elapsed.TotalSeconds;

            // Ours: the same searches by cosine distance (its kernel divides by each norm in turn, as LanceDB's does).
            for (var i = 0; i < Math.Min(5, queries.Length); i++)
            {
                await table!.Search(queries[i]).DistanceType(DistanceMetric.Cosine).ToBatchAsync();
            }

            var cosineLatencies = new List<double>();
            foreach (var query in queries)
            {
                var clock = Stopwatch.StartNew();
                await table!.Search(query).DistanceType(DistanceMetric.Cosine).ToBatchAsync();
                cosineLatencies.Add(clock.Elapsed.TotalSeconds);
            }

            var oursFirstCosine = (await table!.Search(queries[0]).DistanceType(DistanceMetric.Cosine).Limit(10).ToSearchResultsAsync()).Select(r => r.Distance).ToList();

            // LanceDB (Node): ingest the same rows from Arrow IPC, then search its own table; then search ours.
            var nodeIngest = new List<double>();
            JsonElement nodeSearch = default;
            for (var run = 0; run < Runs; run++)
            {
                var result = BenchSupport.Node("bench.mjs", new { mode = "ingest+search", ipc, queries = queryFile, db = Path.Combine(work, $"node-{run}"), table = "bench", k = 10, repeats = 1, warmup = 5 });
                nodeIngest.Add(result.GetProperty("ingestSeconds").GetDouble());
                nodeSearch = result;
            }

            var nodeOnOurs = BenchSupport.Node("bench.mjs", new { mode = "search", queries = queryFile, db = Path.Combine(work, "ours-0"), table = "bench", k = 10, repeats = 1, warmup = 5 });
            var nodeCosine = BenchSupport.Node("bench.mjs", new { mode = "search", queries = queryFile, db = Path.Combine(work, $"node-{Runs - 1}"), table = "bench", k = 10, repeats = 1, warmup = 5, metric = "cosine" });

            // Embedding included: MiniLM computes every vector on the way in (ours only; see docs).
            var embedRows = Math.Min(rows, 2_000);
            var texts = Enumerable.Range(0, embedRows).Select(i => new EmbeddedRow { Id = i, Text = $"Sentence number {i} talks about topic {i % 37} and item {i % 11}." }).ToList();
            var embedDb = await LanceDb.ConnectAsync(Path.Combine(work, "embed"));
            await (await embedDb.CreateTableAsync<EmbeddedRow>("warm", texts.Take(32))).CountRowsAsync();
            var embedClock = Stopwatch.StartNew();
            await embedDb.CreateTableAsync<EmbeddedRow>("embed", texts);
            var embedSeconds = embedClock.Elapsed.TotalSeconds;

            // LanceDB (Node): the same texts, the same model (written from our weights file to a local
            // Hugging Face folder for transformers.js), vectors computed by LanceDB's embedding function.
            var (nodeEmbed, nodeEmbedNote) = await NodeEmbedAsync(work, texts.Select(t => t.Text).ToList());

            var oursIngest = BenchSupport.Median(ingest);
            var theirsIngest = BenchSupport.Median(nodeIngest);
            var oursLatency = BenchSupport.Median(latencies);
            var theirsLatency = nodeSearch.GetProperty("searchSecondsMedian").GetDouble();
            var theirsQps = nodeSearch.GetProperty("queriesPerSecond").GetDouble();
            var theirsOnOursQps = nodeOnOurs.GetProperty("queriesPerSecond").GetDouble();

            Console.WriteLine();
            Console.WriteLine("| measure | Lance.Orm | LanceDB (Node) | Lance.Orm faster by |");
            Console.WriteLine("|---|---|---|---|");
            Console.WriteLine($"| ingest {rows:N0}x{BenchData.Dimension}, embedding excluded (median of {Runs}) | {oursIngest:F2} s = {rows / oursIngest:N0} rows/s | {theirsIngest:F2} s = {rows / theirsIngest:N0} rows/s | {theirsIngest / oursIngest:F2}x |");
            Console.WriteLine($"| exact search k=10, median latency | {oursLatency * 1000:F1} ms | {theirsLatency * 1000:F1} ms | {theirsLatency / oursLatency:F2}x |");
            Console.WriteLine($"| exact search k=10, queries/s | {oursQps:F1} | {theirsQps:F1} | {oursQps / theirsQps:F2}x |");
            Console.WriteLine($"| LanceDB searching the table we wrote, queries/s | | {theirsOnOursQps:F1} | |");
            var oursCosine = BenchSupport.Median(cosineLatencies);
            var theirsCosine = nodeCosine.GetProperty("searchSecondsMedian").GetDouble();
            Console.WriteLine($"| exact search k=10 by cosine distance, median latency | {oursCosine * 1000:F1} ms | {theirsCosine * 1000:F1} ms | {theirsCosine / oursCosine:F2}x |");
            var theirsEmbed = nodeEmbed is { } e ? $"{e:F2} s = {embedRows / e:N0} rows/s" : "n/a";
            var embedRatio = nodeEmbed is { } r ? $"{r / embedSeconds:F2}x" : "";
            Console.WriteLine($"| ingest {embedRows:N0} texts, MiniLM embedding included | {embedSeconds:F2} s = {embedRows / embedSeconds:N0} rows/s | {theirsEmbed} | {embedRatio} |");
            Console.WriteLine();
            Console.WriteLine(nodeEmbedNote);
            var theirsFirstCosine = nodeCosine.GetProperty("firstQueryDistances").EnumerateArray().Select(d => d.GetDouble()).ToList();
            var cosineGap = oursFirstCosine.Zip(theirsFirstCosine).Select(p => Math.Abs(p.First - p.Second)).DefaultIfEmpty(double.NaN).Max();
            Console.WriteLine($"Cosine, first query's 10 distances: ours {oursFirstCosine.Count}, LanceDB {theirsFirstCosine.Count}, largest difference {cosineGap:G3}.");
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// LanceDB ingesting <paramref name="texts"/> with all-MiniLM-L6-v2 computing the vectors on the way in
    /// (tools/lancedb-peer/bench-embed.mjs), plus a check that its vectors match ours (cosine per sentence).
    /// Returns the seconds (null when transformers.js is unavailable) and a note for under the table.
    /// </summary>
    private static async Task<(double? Seconds, string Note)> NodeEmbedAsync(string work, List<string> texts)
    {
        var modelDir = Path.Combine(work, "models");
        var modelPath = Path.Combine(modelDir, "all-MiniLM-L6-v2");
        Directory.CreateDirectory(Path.Combine(modelPath, "onnx"));
        var (model, vocab) = Lance.Orm.Embeddings.MiniLmWeights.Read(Lance.Orm.Embeddings.MiniLmWeights.ResolvePath(null));
        await File.WriteAllBytesAsync(Path.Combine(modelPath, "onnx", "model.onnx"), model);
        await File.WriteAllBytesAsync(Path.Combine(modelPath, "vocab.txt"), vocab);
        var textsFile = Path.Combine(work, "texts.json");
        await File.WriteAllTextAsync(textsFile, JsonSerializer.Serialize(texts));

        string[] checkTexts = ["The quick brown fox jumps over the lazy dog.", "Café naïve résumé: accents are stripped.", texts[^1]];
        using var miniLm = new Lance.Orm.Embeddings.MiniLm();
        var ours = await miniLm.ComputeSourceEmbeddingsAsync(checkTexts);

        JsonElement result;
        try
        {
            result = BenchSupport.Node("bench-embed.mjs", new { modelDir, texts = textsFile, db = Path.Combine(work, "node-embed"), table = "embed", warmup = 32, check = new { texts = checkTexts, vectors = ours } });
        }
        catch (InvalidOperationException ex)
        {
            var reason = ex.Message.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Contains("Error", StringComparison.Ordinal)) ?? ex.Message;
            return (null, $"LanceDB embedding ingest: n/a ({reason}). It needs LanceDB's optional dependency @huggingface/transformers; see tools/lancedb-peer/README.md.");
        }

        var cosines = result.GetProperty("check").GetProperty("cosines").EnumerateArray().Select(c => c.GetDouble().ToString("F6", CultureInfo.InvariantCulture));
        return (result.GetProperty("seconds").GetDouble(),
            $"LanceDB embedding ingest: {result.GetProperty("method").GetString()}, all-MiniLM-L6-v2 via transformers.js from the same ONNX weights, " +
            $"mean pooling + normalize; {result.GetProperty("warmupRows").GetInt32()}-row warm-up excluded. Cosine(theirs, ours) on {checkTexts.Length} sentences: {string.Join(", ", cosines)}.");
    }
}

/// <summary>A row whose vector MiniLM computes from its text.</summary>
public partial record EmbeddedRow : ILanceModel
{
    public long Id { get; init; }
    [Source] public string Text { get; init; } = "";
    [Vector(typeof(Lance.Orm.Embeddings.MiniLm))] public float[]? Vector { get; init; }
}
