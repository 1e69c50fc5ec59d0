using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Lance.Orm;
using Lance.Orm.Embeddings;

namespace Lance.Orm.Tests;

public partial record Doc : ILanceModel
{
    public long Id { get; init; }
    [Source] public string Text { get; init; } = "";
    [Vector(typeof(MiniLm))] public float[]? Vector { get; init; }
    public double Score { get; init; }
    public bool Published { get; init; }
}

public partial record Note : ILanceModel
{
    public long Id { get; init; }
    [Source] public string Text { get; init; } = "";
    [Vector(typeof(HashEmbedding))] public float[]? Vector { get; init; }
    public int? Rank { get; init; }
}

public partial record Point : ILanceModel
{
    public long Id { get; init; }
    [Vector(4)] public float[] Vector { get; init; } = [];
    public string? Label { get; init; }
}

/// <summary>A cheap deterministic embedding (character trigrams hashed into 16 buckets) for fast tests.</summary>
[EmbeddingFunction("test-hash", Dimensions = 16)]
public sealed class HashEmbedding : IEmbeddingFunction
{
    private static int s_sourceCalls;

    public static int SourceCalls => s_sourceCalls;

    public string Name => "test-hash";

    public int Dimensions => 16;

    public JsonObject GetConfiguration() => new() { ["buckets"] = 16 };

    public Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref s_sourceCalls);
        return Task.FromResult(sources.Select(Embed).ToArray());
    }

    public Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default) => Task.FromResult(Embed(query));

    public static float[] Embed(string text)
    {
        var vector = new float[16];
        var padded = $"  {text.ToLowerInvariant()}  ";
        for (var i = 0; i + 3 <= padded.Length; i++)
        {
            var hash = (padded[i] * 31 * 31) + (padded[i + 1] * 31) + padded[i + 2];
            vector[hash % 16] += 1;
        }

        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return vector.Select(v => v / norm).ToArray();
    }

    [ModuleInitializer]
#pragma warning disable CA2255 // Registering by name so untyped tables can re-create the function, as a package would.
    internal static void Register() => EmbeddingFunctionRegistry.Default.Register("test-hash", _ => new HashEmbedding());
#pragma warning restore CA2255
}

/// <summary>A note whose vectors come from <see cref="TargetWritingEmbedding"/> (streaming-add tests).</summary>
public partial record StreamNote : ILanceModel
{
    public long Id { get; init; }
    [Source] public string Text { get; init; } = "";
    [Vector(typeof(TargetWritingEmbedding))] public float[]? Vector { get; init; }
}
