using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Lance.Orm;
using Lance.Orm.Embeddings;
using Microsoft.ML.OnnxRuntime;

namespace Lance.Bench;

/// <summary>
/// What the ingest pipeline costs on top of the model: the same 512 sentences embedded (1) by the
/// bare ONNX Runtime session on pre-tokenised, length-sorted batches of 32, (2) by the MiniLm function
/// (tokenising, pooling, normalising), and (3) added to a table with <c>AddAsync</c> (Arrow batches,
/// missing-vector detection, the retry pipeline, the Lance write and commit).
/// Run: <c>dotnet run -c Release --project bench/Lance.Bench -- --filter *EmbeddingPipeline*</c>.
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet needs an unsealed class; [GlobalCleanup] disposes the sessions.
public class EmbeddingPipelineBenchmarks
#pragma warning restore CA1001
{
    private const int Texts = 512;

    /// <summary>How many texts each step embeds.</summary>
    public const int TextCount = Texts;
    private const int Batch = 32;

    private string[] _texts = [];
    private long[][] _tokens = [];
    private int[] _order = [];
    private InferenceSession? _session;
    private MiniLm? _function;
    private Table<EmbeddedRow>? _table;
    private Table<FreeRow>? _freeTable;
    private string _folder = "";
    private long _nextId;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var corpus = QuickStartCorpus();
        _texts = Enumerable.Range(0, Texts).Select(i => corpus[i % corpus.Count] + (i >= corpus.Count ? $" ({i / corpus.Count})" : "")).ToArray();
        _function = new MiniLm();
        _tokens = _texts.Select(t => _function.Tokenize(t).Select(id => (long)id).ToArray()).ToArray();
        _order = Enumerable.Range(0, Texts).OrderBy(i => _tokens[i].Length).ToArray();

        var (model, _) = MiniLmWeights.Read(MiniLmWeights.ResolvePath(null));
        using var options = new SessionOptions
        {
            IntraOpNumThreads = Environment.ProcessorCount,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(model, options);

        _folder = Path.Combine(Path.GetTempPath(), "lance-bench-embed-" + Guid.NewGuid().ToString("N"));
        var db = await LanceDb.ConnectAsync(_folder);
        _table = await db.CreateTableAsync<EmbeddedRow>("docs", CreateMode.Overwrite);
        _freeTable = await db.CreateTableAsync<FreeRow>("free", CreateMode.Overwrite);
        await _function.ComputeSourceEmbeddingsAsync(_texts.Take(32).ToArray()); // load the function's own session
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session?.Dispose();
        _function?.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    [Benchmark(Baseline = true, Description = "ONNX session alone (pre-tokenised)")]
    public float RawSession()
    {
        // As lean as the function's own loop: pooled inputs, the output bound to a pooled buffer.
        float checksum = 0;
        for (var start = 0; start < Texts; start += Batch)
        {
            var rows = _order.AsSpan(start, Math.Min(Batch, Texts - start));
            var seq = 0;
            foreach (var r in rows) seq = Math.Max(seq, _tokens[r].Length);
            var cells = rows.Length * seq;
            var ids = System.Buffers.ArrayPool<long>.Shared.Rent(cells);
            var mask = System.Buffers.ArrayPool<long>.Shared.Rent(cells);
            var types = System.Buffers.ArrayPool<long>.Shared.Rent(cells);
            var hidden = System.Buffers.ArrayPool<float>.Shared.Rent(cells * 384);
            try
            {
                ids.AsSpan(0, cells).Clear();
                mask.AsSpan(0, cells).Clear();
                types.AsSpan(0, cells).Clear();
                for (var i = 0; i < rows.Length; i++)
                {
                    _tokens[rows[i]].CopyTo(ids, i * seq);
                    mask.AsSpan(i * seq, _tokens[rows[i]].Length).Fill(1);
                }

                long[] shape = [rows.Length, seq];
                using var idsValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, ids.AsMemory(0, cells), shape);
                using var maskValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, mask.AsMemory(0, cells), shape);
                using var typesValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, types.AsMemory(0, cells), shape);
                using var hiddenValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, hidden.AsMemory(0, cells * 384), [rows.Length, seq, 384]);
                using var runOptions = new RunOptions();
                _session!.Run(runOptions, ["input_ids", "attention_mask", "token_type_ids"], [idsValue, maskValue, typesValue], ["last_hidden_state"], [hiddenValue]);
                checksum += hidden[0];
            }
            finally
            {
                System.Buffers.ArrayPool<long>.Shared.Return(ids);
                System.Buffers.ArrayPool<long>.Shared.Return(mask);
                System.Buffers.ArrayPool<long>.Shared.Return(types);
                System.Buffers.ArrayPool<float>.Shared.Return(hidden);
            }
        }

        return checksum;
    }

    [Benchmark(Description = "MiniLm function (tokenise + run + pool)")]
    public async Task<int> Function() => (await _function!.ComputeSourceEmbeddingsAsync(_texts)).Length;

    [Benchmark(Description = "Table<T>.AddAsync (embed + write + commit)")]
    public async Task<ulong> AddAsync()
    {
        var first = _nextId;
        _nextId += Texts;
        await _table!.AddAsync(_texts.Select((t, i) => new EmbeddedRow { Id = first + i, Text = t }));
        return _table.Version;
    }

    [Benchmark(Description = "AddAsync with a free function (the pipeline alone)")]
    public async Task<ulong> PipelineAlone()
    {
        var first = _nextId;
        _nextId += Texts;
        await _freeTable!.AddAsync(_texts.Select((t, i) => new FreeRow { Id = first + i, Text = t }));
        return _freeTable.Version;
    }

    private static List<string> QuickStartCorpus()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var csv = Path.Combine(dir.FullName, "samples", "QuickStart", "docs.csv");
            if (File.Exists(csv))
            {
                return File.ReadLines(csv).Skip(1).Select(line => line.Split('"')[1]).ToList();
            }
        }

        throw new InvalidOperationException("samples/QuickStart/docs.csv not found above the benchmark's folder.");
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(7).WithInvocationCount(1).WithUnrollFactor(1)
            .WithToolchain(BenchmarkDotNet.Toolchains.InProcess.Emit.InProcessEmitToolchain.Instance)); // in-process: no separate build on a busy machine
    }
}

/// <summary>An embedding function that costs nothing, so that timing an add measures the pipeline alone.</summary>
[EmbeddingFunction("bench-free", Dimensions = 384)]
public sealed class FreeFunction : IEmbeddingFunction
{
    public string Name => "bench-free";

    public int Dimensions => 384;

    public System.Text.Json.Nodes.JsonObject GetConfiguration() => [];

    public Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default)
    {
        var vectors = new float[sources.Count][];
        for (var i = 0; i < vectors.Length; i++)
        {
            vectors[i] = new float[384];
            vectors[i][0] = sources[i].Length;
        }

        return Task.FromResult(vectors);
    }

    public Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default) => Task.FromResult(new float[384]);
}

/// <summary>A row whose vector the free function computes.</summary>
public partial record FreeRow : ILanceModel
{
    public long Id { get; init; }
    [Source] public string Text { get; init; } = "";
    [Vector(typeof(FreeFunction))] public float[]? Vector { get; init; }
}
