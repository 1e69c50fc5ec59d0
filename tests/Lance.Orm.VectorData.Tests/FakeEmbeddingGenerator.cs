using Microsoft.Extensions.AI;

namespace Lance.Orm.VectorData.Tests;

/// <summary>
/// A deterministic generator over a fixed vocabulary: the vector of a text counts the letters a, b, c
/// and d, so texts made of the same letters are close; it records every call.
/// </summary>
public sealed class FakeEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public List<string> Inputs { get; } = [];

    public int Calls { get; private set; }

    public static float[] Vector(string text) =>
    [
        text.Count(c => c == 'a'), text.Count(c => c == 'b'), text.Count(c => c == 'c'), text.Count(c => c == 'd') + 0.01f,
    ];

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls++;
        var list = values.ToList();
        Inputs.AddRange(list);
        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(list.Select(v => new Embedding<float>(Vector(v)))));
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
