using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;
using Lance.Engine.Index.FullText;

namespace Lance.Bench;

/// <summary>
/// Full-text index build and BM25 queries, Lance.Orm beside LanceDB (Node) in one run, on identical copies of
/// one generated table (<see cref="FtsCorpus"/>):
/// <c>dotnet run -c Release --project bench/Lance.Bench -- fts [--docs N] [--queries Q] [--dir FOLDER] [--keep] [--ours-only] [--build-only]</c>.
/// Each side builds its own index (LanceDB's default tokenizer options, with positions) on its own copy; each
/// then runs single-term, multi-term (OR) and phrase queries, limit 10, on its own index and on the other's.
/// </summary>
public static class FtsBench
{
    private static readonly string[] Kinds = ["single", "multi", "phrase"];

    public static async Task RunAsync(string[] args)
    {
        string? Option(string name) => System.Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var docs = int.Parse(Option("--docs") ?? "1000000", CultureInfo.InvariantCulture);
        var queryCount = int.Parse(Option("--queries") ?? "50", CultureInfo.InvariantCulture);
        var keep = args.Contains("--keep");
        var work = Option("--dir") ?? Path.Combine(Path.GetTempPath(), "lance-fts-bench");
        var db = Path.Combine(work, "db");
        var options = new FullTextIndexOptions { WithPosition = true };
        var corpus = new FtsCorpus(docs);
        Console.WriteLine($"Corpus: {docs:N0} documents, 5-30 words each, 5 languages ({string.Join(", ", FtsCorpus.LanguageCodes)}), Zipf (s = 1) over {corpus.Vocabulary:N0} words, seed {corpus.Seed}; {queryCount} queries per kind, limit 10; {Environment.ProcessorCount} cores; load average {LoadAverage()}.");
        Console.WriteLine("Tokenizer: LanceDB's defaults (simple, English, lower case, stem, stop words, ASCII folding, max token length 40) with positions.");

        // The corpus is written once (and kept between runs of the same size); each side indexes its own copy.
        var source = Path.Combine(work, $"corpus-{docs}.lance");
        if (!LanceDataset.Exists(source))
        {
            var clock = Stopwatch.StartNew();
            await WriteCorpusAsync(source, corpus);
            Console.WriteLine($"Wrote the corpus in {clock.Elapsed.TotalSeconds:F1} s ({DirectorySize(source) / 1048576.0:F0} MiB).");
        }

        var ours = Path.Combine(db, "ours.lance");
        var theirs = Path.Combine(db, "theirs.lance");
        foreach (var copy in new[] { ours, theirs })
        {
            if (Directory.Exists(copy))
            {
                Directory.Delete(copy, recursive: true);
            }

            CopyDirectory(source, copy);
        }

        // --build-only: our build alone (for profiling it), no queries drawn or run.
        var buildOnly = args.Contains("--build-only");
        var (single, multi, phrase) = buildOnly ? ([], [], []) : corpus.Queries(queryCount);
        var queries = new Dictionary<string, List<string>> { ["single"] = single, ["multi"] = multi, ["phrase"] = phrase };
        try
        {
            // Our build first, then LanceDB's (which then queries its index and ours), then our queries.
            GC.Collect();
            var oursDataset = await LanceDataset.OpenAsync(ours);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var gcBefore = (Gen0: GC.CollectionCount(0), Gen1: GC.CollectionCount(1), Gen2: GC.CollectionCount(2), Pause: GC.GetTotalPauseDuration(), Allocated: GC.GetTotalAllocatedBytes());
            var buildClock = Stopwatch.StartNew();
            var info = await oursDataset.CreateFtsIndexAsync("text", options);
            var ourBuild = buildClock.Elapsed.TotalSeconds;
            var ourCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            Console.WriteLine($"Lance.Orm build: {ourBuild:F2} s, process CPU {ourCpu:F2} s ({info.IndexedRows:N0} documents, {info.Tokens:N0} tokens).");
            Console.WriteLine(
                $"  GC during our build: {GC.CollectionCount(0) - gcBefore.Gen0} / {GC.CollectionCount(1) - gcBefore.Gen1} / {GC.CollectionCount(2) - gcBefore.Gen2} collections (gen 0 / 1 / 2), " +
                $"{(GC.GetTotalPauseDuration() - gcBefore.Pause).TotalSeconds:F2} s paused, {(GC.GetTotalAllocatedBytes() - gcBefore.Allocated) / (1 << 20):N0} MiB allocated on the managed heap.");
            if (buildOnly)
            {
                return;
            }

            if (args.Contains("--ours-only"))
            {
                // Profiling our side alone: the build above, then our queries on our index.
                foreach (var (kind, (median, results)) in await TimeQueries(oursDataset, queries))
                {
                    Console.WriteLine($"Lance.Orm {kind} median {median * 1000:F3} ms, mean hits {results.Average(r => r.Count):F1}");
                }

                return;
            }


            // LanceDB 0.31's index build deadlocks (no CPU used, never returns) when its CPU pool has no more threads than
            // the machine has cores (seen on 2 cores at 100k rows): give it one more, unless the caller chose.
            if (Environment.GetEnvironmentVariable("LANCE_CPU_THREADS") is null)
            {
                Environment.SetEnvironmentVariable("LANCE_CPU_THREADS", (Environment.ProcessorCount + 1).ToString(CultureInfo.InvariantCulture));
            }

            var node = BenchSupport.Node("bench-fts.mjs", new
            {
                db,
                own = "theirs",
                other = "ours",
                column = "text",
                options = new
                {
                    baseTokenizer = options.BaseTokenizer,
                    language = options.Language,
                    withPosition = options.WithPosition,
                    maxTokenLength = options.MaxTokenLength,
                    lowerCase = options.LowerCase,
                    stem = options.Stem,
                    removeStopWords = options.RemoveStopWords,
                    asciiFolding = options.AsciiFolding,
                },
                queries,
                limit = 10,
                warmup = 5,
            });
            var theirBuild = node.GetProperty("buildSeconds").GetDouble();
            var theirCpu = node.GetProperty("buildCpuSeconds").GetDouble();
            Console.WriteLine($"LanceDB build: {theirBuild:F2} s, process CPU {theirCpu:F2} s (LANCE_CPU_THREADS={Environment.GetEnvironmentVariable("LANCE_CPU_THREADS")}).");

            var theirsDataset = await LanceDataset.OpenAsync(theirs);
            var ourOwn = await TimeQueries(oursDataset, queries);
            var ourCross = await TimeQueries(theirsDataset, queries);

            var ourSize = DirectorySize(Path.Combine(ours, "_indices"));
            var theirSize = DirectorySize(Path.Combine(theirs, "_indices"));
            Console.WriteLine();
            Console.WriteLine($"| {docs:N0} documents | Lance.Orm | LanceDB | ratio |");
            Console.WriteLine("|---|---|---|---|");
            Console.WriteLine($"| index build | {ourBuild:F2} s | {theirBuild:F2} s | {theirBuild / ourBuild:F1}x faster |");
            Console.WriteLine($"| index build, process CPU time | {ourCpu:F2} s | {theirCpu:F2} s | {theirCpu / ourCpu:F1}x less |");
            Console.WriteLine($"| index size on disk | {ourSize / 1048576.0:F1} MiB | {theirSize / 1048576.0:F1} MiB | {(double)ourSize / theirSize:F2}x |");
            var theirOwn = node.GetProperty("own");
            var theirCross = node.GetProperty("other");
            foreach (var kind in Kinds)
            {
                var o = ourOwn[kind].Median;
                var t = theirOwn.GetProperty(kind).GetProperty("secondsMedian").GetDouble();
                Console.WriteLine($"| {kind} query median, own index | {o * 1000:F3} ms | {t * 1000:F3} ms | {t / o:F1}x faster |");
            }

            foreach (var kind in Kinds)
            {
                var o = ourCross[kind].Median;
                var t = theirCross.GetProperty(kind).GetProperty("secondsMedian").GetDouble();
                Console.WriteLine($"| {kind} query median, the other's index | {o * 1000:F3} ms (LanceDB's index) | {t * 1000:F3} ms (our index) | {t / o:F1}x faster |");
            }

            Console.WriteLine();
            Console.WriteLine("Top-10 agreement per query kind: same ids in the same order / same ten scores (1e-4 relative) / same ids apart from rows tied at the tenth score:");
            foreach (var (label, mine, other) in new[]
            {
                ("each on its own index", ourOwn, theirOwn),
                ("Lance.Orm on LanceDB's index vs LanceDB on it", ourCross, theirOwn),
                ("LanceDB on our index vs LanceDB on its own", null, theirOwn),
            })
            {
                foreach (var kind in Kinds)
                {
                    var theirResults = other.GetProperty(kind).GetProperty("results").EnumerateArray().ToList();
                    var compared = mine is not null
                        ? mine[kind].Results
                        : theirCross.GetProperty(kind).GetProperty("results").EnumerateArray().Select(Parse).ToList();
                    var expected = theirResults.Select(Parse).ToList();
                    var (ordered, scores, upToTies) = Agreement(compared, expected);
                    Console.WriteLine($"  {label}, {kind}: {ordered}/{compared.Count} ordered, {scores}/{compared.Count} same scores, {upToTies}/{compared.Count} same up to ties");
                    for (var q = 0; q < compared.Count; q++)
                    {
                        if (Agreement([compared[q]], [expected[q]]).UpToTies == 0)
                        {
                            static string Hits(List<(long Id, float Score)> hits) => string.Join(", ", hits.Select(h => $"{h.Id}:{h.Score:G6}"));
                            Console.WriteLine($"    differs on \"{queries[kind][q]}\": [{Hits(compared[q])}] vs [{Hits(expected[q])}]");
                        }
                    }
                }
            }

            Console.WriteLine();
            Console.WriteLine($"Mean hits per query (of 10): {string.Join(", ", Kinds.Select(k => $"{k} {ourOwn[k].Results.Average(r => r.Count):F1}"))}.");
            Console.WriteLine($"LanceDB (Node) RSS after its queries: {node.GetProperty("rssMiB").GetDouble():F0} MiB; load average at the end {LoadAverage()}.");
        }
        finally
        {
            if (!keep)
            {
                foreach (var copy in new[] { ours, theirs })
                {
                    try { Directory.Delete(copy, recursive: true); } catch (IOException) { }
                }
            }
        }
    }

    private static List<(long Id, float Score)> Parse(JsonElement hits)
        => hits.EnumerateArray().Select(h => (h.GetProperty("id").GetInt64(), (float)h.GetProperty("score").GetDouble())).ToList();

    // Ordered: the same ids in the same order. Scores: the same ten scores (1e-4 relative). Up to ties: the same scores, and
    // the same ids above the tenth score (rows tied at the cut may differ: the two libraries break ties differently).
    private static (int Ordered, int Scores, int UpToTies) Agreement(List<List<(long Id, float Score)>> a, List<List<(long Id, float Score)>> b)
    {
        static bool Close(float x, float y) => Math.Abs(x - y) <= 1e-4 * Math.Max(1, Math.Abs(y));
        int ordered = 0, scores = 0, upToTies = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (a[i].Select(h => h.Id).SequenceEqual(b[i].Select(h => h.Id)))
            {
                ordered++;
            }

            if (a[i].Count == b[i].Count && a[i].Zip(b[i]).All(p => Close(p.First.Score, p.Second.Score)))
            {
                scores++;
                var cut = a[i].Count == 0 ? 0f : a[i][^1].Score;
                var above = (List<(long Id, float Score)> hits) => hits.Where(h => !Close(h.Score, cut)).Select(h => h.Id).ToHashSet();
                if (above(a[i]).SetEquals(above(b[i])))
                {
                    upToTies++;
                }
            }
        }

        return (ordered, scores, upToTies);
    }

    private static async Task<Dictionary<string, (double Median, List<List<(long Id, float Score)>> Results)>> TimeQueries(LanceDataset dataset, Dictionary<string, List<string>> queries)
    {
        static FullTextQuery Query(string kind, string text) => kind == "phrase" ? new PhraseQuery(text, "text") : new MatchQuery(text, "text");
        async Task<List<(long Id, float Score)>> Run(string kind, string text)
        {
            var batch = await dataset.FullTextSearchAsync(new FullTextSearchRequest(Query(kind, text)) { Columns = ["id"], Limit = 10 });
            var ids = (Int64Array)batch.Column("id");
            var score = (FloatArray)batch.Column(LanceDataset.ScoreColumn);
            return Enumerable.Range(0, batch.Length).Select(i => (ids.GetValue(i)!.Value, score.GetValue(i)!.Value)).ToList();
        }

        var result = new Dictionary<string, (double, List<List<(long, float)>>)>();
        foreach (var (kind, texts) in queries)
        {
            foreach (var text in texts.Take(5))
            {
                await Run(kind, text);
            }

            var times = new List<double>();
            var results = new List<List<(long, float)>>();
            foreach (var text in texts)
            {
                var clock = Stopwatch.StartNew();
                results.Add(await Run(kind, text));
                times.Add(clock.Elapsed.TotalSeconds);
            }

            result[kind] = (BenchSupport.Median(times), results);
        }

        return result;
    }

    private static async Task WriteCorpusAsync(string path, FtsCorpus corpus)
    {
        var schema = new Schema([new Field("id", Int64Type.Default, nullable: false), new Field("text", StringType.Default, nullable: true)], null);
        const int BatchRows = 65_536;

        IEnumerable<RecordBatch> Batches()
        {
            var ids = new Int64Array.Builder();
            var texts = new StringArray.Builder();
            long id = 0;
            foreach (var text in corpus.Documents())
            {
                ids.Append(id++);
                texts.Append(text);
                if (ids.Length == BatchRows)
                {
                    yield return new RecordBatch(schema, [ids.Build(), texts.Build()], BatchRows);
                    ids = new Int64Array.Builder();
                    texts = new StringArray.Builder();
                }
            }

            if (ids.Length > 0)
            {
                yield return new RecordBatch(schema, [ids.Build(), texts.Build()], ids.Length);
            }
        }

        await using var dataset = await LanceDataset.CreateAsync(path, schema, Batches());
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static long DirectorySize(string path)
        => Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;

    private static string LoadAverage()
        => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
