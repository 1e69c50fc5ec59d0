using System.Text.Json.Nodes;
using Lance.Orm;
using Microsoft.Extensions.AI;

namespace Lance.Orm.Extensions.DependencyInjection.Tests;

public partial record Point : ILanceModel
{
    public long Id { get; init; }
    [Vector(2)] public float[] Vector { get; init; } = [];
}

public partial record GeneratedNote : ILanceModel
{
    public long Id { get; init; }
    [Source] public string Text { get; init; } = "";
    [Vector(typeof(IEmbeddingGenerator<string, Embedding<float>>), 3)] public float[]? Vector { get; init; }
}

public partial record Note : ILanceModel
{
    public long Id { get; init; }
    [Source] public string Text { get; init; } = "";
    [Vector(typeof(CountingEmbedding))] public float[]? Vector { get; init; }
}

/// <summary>A service the embedding function needs: only the container can build the function.</summary>
public sealed class Counter
{
    private int _embedded;

    public int Embedded => _embedded;

    public void Add(int count) => Interlocked.Add(ref _embedded, count);
}

/// <summary>Embeds text as (length, vowels, 1, 0); counts what it embedded in the injected <see cref="Counter"/>.</summary>
[EmbeddingFunction("counting", Dimensions = 4)]
[method: Microsoft.Extensions.DependencyInjection.ActivatorUtilitiesConstructor]
public sealed class CountingEmbedding(Counter counter) : IEmbeddingFunction
{
    /// <summary>What the generated model code would call: a private counter nobody sees.</summary>
    public CountingEmbedding() : this(new Counter())
    {
    }

    public string Name => "counting";

    public int Dimensions => 4;

    public JsonObject GetConfiguration() => [];

    public Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default)
    {
        counter.Add(sources.Count);
        return Task.FromResult(sources.Select(Embed).ToArray());
    }

    public Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default) => Task.FromResult(Embed(query));

    private static float[] Embed(string text) => [text.Length, text.Count(c => "aeiou".Contains(c, StringComparison.Ordinal)), text[0], 0];
}

/// <summary>An IEmbeddingGenerator returning (length + offset, 1, 0) and reporting 3 dimensions.</summary>
public sealed class LengthGenerator(int offset = 0) : IEmbeddingGenerator<string, Embedding<float>>
{
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        => Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(new float[] { v.Length + offset, 1, 0 }))));

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("test", null, "length", 3) : null;

    public void Dispose()
    {
    }
}
