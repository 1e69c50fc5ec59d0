using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Lance.Orm;

namespace Lance.Bench;

/// <summary>
/// <c>ingest stream|list|source [rows]</c>: adds rows of 384-d vectors to a new table and reports rows/s
/// and memory peaks, sampled every 5 ms: the managed heap as <see cref="GC.GetTotalMemory(bool)"/> sees it
/// (live objects plus garbage not yet collected), the heap after the last collection, and the process's
/// private bytes. <c>stream</c> reads rows from an <see cref="IAsyncEnumerable{T}"/> made on the fly,
/// <c>list</c> builds them all into a <see cref="List{T}"/> first (the input itself then is the memory),
/// <c>source</c> streams text rows whose vectors an embedding function writes into the table's buffers.
/// </summary>
public static class IngestBench
{
    public static async Task RunAsync(string[] args)
    {
        var mode = args.Length > 1 ? args[1] : "stream";
        var rows = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000_000;
        var folder = Path.Combine(Path.GetTempPath(), "lance-ingest-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            var db = await LanceDb.ConnectAsync(folder);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var baseline = GC.GetTotalMemory(true);
            using var sampler = new MemorySampler();
            var clock = Stopwatch.StartNew();
            long count;
            switch (mode)
            {
                case "stream":
                {
                    var table = await db.CreateTableAsync<BenchRow>("t");
                    await table.AddAsync(StreamAsync(rows));
                    count = await table.CountRowsAsync();
                    break;
                }

                case "list":
                {
                    var list = new List<BenchRow>(rows);
                    for (var i = 0; i < rows; i++)
                    {
                        list.Add(RowOf(i));
                    }

                    var table = await db.CreateTableAsync<BenchRow>("t");
                    await table.AddAsync(list);
                    count = await table.CountRowsAsync();
                    GC.KeepAlive(list);
                    break;
                }

                case "source":
                {
                    var table = await db.CreateTableAsync<SourceRow>("t");
                    await table.AddAsync(SourcesAsync(rows));
                    count = await table.CountRowsAsync();
                    break;
                }

                default:
                    throw new ArgumentException($"Unknown ingest mode '{mode}': use stream, list or source.");
            }

            var seconds = clock.Elapsed.TotalSeconds;
            sampler.Stop();
            const double MiB = 1 << 20;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ingest {mode} {rows:N0} rows × 384-d: {seconds:F1} s, {count / seconds:N0} rows/s; " +
                $"managed heap peak {sampler.PeakTotalMemory / MiB:F0} MiB (GetTotalMemory, garbage included; {baseline / MiB:F0} MiB before), " +
                $"peak after a collection {sampler.PeakHeapAfterGc / MiB:F0} MiB, private bytes peak {sampler.PeakPrivate / MiB:F0} MiB; " +
                $"{count:N0} rows committed; {Environment.ProcessorCount} cores"));
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static BenchRow RowOf(int i)
    {
        // A cheap deterministic vector: the benchmark measures the add, not a random generator.
        var vector = new float[BenchData.Dimension];
        var state = (uint)i * 2654435761u;
        for (var d = 0; d < vector.Length; d++)
        {
            state = (state * 1664525u) + 1013904223u;
            vector[d] = (state >> 8) * (1f / (1 << 24));
        }

        return new BenchRow { Id = i, Text = "row " + i.ToString(CultureInfo.InvariantCulture), Vector = vector };
    }

    private static async IAsyncEnumerable<BenchRow> StreamAsync(int rows, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < rows; i++)
        {
            if (i % 4096 == 0)
            {
                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
            }

            yield return RowOf(i);
        }
    }

    private static async IAsyncEnumerable<SourceRow> SourcesAsync(int rows, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < rows; i++)
        {
            if (i % 4096 == 0)
            {
                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
            }

            yield return new SourceRow { Id = i, Text = "source text " + i.ToString(CultureInfo.InvariantCulture) };
        }
    }

    /// <summary>Samples memory on its own thread until stopped.</summary>
    private sealed class MemorySampler : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;

        public MemorySampler()
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "memory sampler" };
            _thread.Start();
        }

        public long PeakTotalMemory { get; private set; }

        public long PeakHeapAfterGc { get; private set; }

        public long PeakPrivate { get; private set; }

        public void Stop()
        {
            _stop = true;
            _thread.Join();
        }

        public void Dispose()
        {
            if (!_stop)
            {
                Stop();
            }
        }

        private void Run()
        {
            using var process = Process.GetCurrentProcess();
            while (!_stop)
            {
                PeakTotalMemory = Math.Max(PeakTotalMemory, GC.GetTotalMemory(false));
                PeakHeapAfterGc = Math.Max(PeakHeapAfterGc, GC.GetGCMemoryInfo(GCKind.Any).HeapSizeBytes);
                process.Refresh();
                PeakPrivate = Math.Max(PeakPrivate, process.PrivateMemorySize64);
                Thread.Sleep(5);
            }
        }
    }
}

/// <summary>A row whose 384-d vector <see cref="TargetHashFunction"/> writes straight into the table's buffer.</summary>
public partial record SourceRow : ILanceModel
{
    public long Id { get; init; }
    [Source] public string Text { get; init; } = "";
    [Vector(typeof(TargetHashFunction))] public float[]? Vector { get; init; }
}

/// <summary>A cheap deterministic 384-d embedding written into the <see cref="EmbeddingTarget"/> (one copy: none).</summary>
[EmbeddingFunction("bench-target-hash", Dimensions = 384)]
public sealed class TargetHashFunction : IEmbeddingFunction
{
    public string Name => "bench-target-hash";

    public int Dimensions => 384;

    public int SourceBatchSize => 4096;

    public System.Text.Json.Nodes.JsonObject GetConfiguration() => [];

    public Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default)
    {
        var target = new EmbeddingTarget(sources.Count, Dimensions);
        Fill(sources, target);
        return Task.FromResult(Enumerable.Range(0, sources.Count).Select(i => target.Vector(i).ToArray()).ToArray());
    }

    public Task ComputeSourceEmbeddingsIntoAsync(IReadOnlyList<string> sources, EmbeddingTarget target, CancellationToken cancellationToken = default)
    {
        Fill(sources, target);
        return Task.CompletedTask;
    }

    public Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default)
    {
        var target = new EmbeddingTarget(1, Dimensions);
        Fill([query], target);
        return Task.FromResult(target.Vector(0).ToArray());
    }

    private static void Fill(IReadOnlyList<string> sources, EmbeddingTarget target)
    {
        for (var i = 0; i < sources.Count; i++)
        {
            var state = (uint)string.GetHashCode(sources[i], StringComparison.Ordinal);
            var vector = target.Vector(i);
            for (var d = 0; d < vector.Length; d++)
            {
                state = (state * 1664525u) + 1013904223u;
                vector[d] = (state >> 8) * (1f / (1 << 24));
            }
        }
    }
}
