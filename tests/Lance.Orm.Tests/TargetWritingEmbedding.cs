using System.Text.Json.Nodes;

namespace Lance.Orm.Tests;

/// <summary>
/// The test hash embedding, written straight into the table's <see cref="EmbeddingTarget"/>; records
/// where it wrote, and can hang until cancelled. One instance per database, reached through the table.
/// </summary>
[EmbeddingFunction("test-target", Dimensions = 16)]
public sealed class TargetWritingEmbedding : IEmbeddingFunction
{
    public List<byte[]> Targets { get; } = [];

    public Action<int>? OnCall { get; set; }

    public bool Hang { get; set; }

    public int Calls { get; private set; }

    public int Embedded { get; private set; }

    public string Name => "test-target";

    public int Dimensions => 16;

    public JsonObject GetConfiguration() => [];

    public Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default)
        => throw new InvalidOperationException("a table should write into the target");

    public async Task ComputeSourceEmbeddingsIntoAsync(IReadOnlyList<string> sources, EmbeddingTarget target, CancellationToken cancellationToken = default)
    {
        Calls++;
        OnCall?.Invoke(sources.Count);
        if (Hang)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        Targets.Add(target.Buffer);
        for (var i = 0; i < sources.Count; i++)
        {
            HashEmbedding.Embed(sources[i]).CopyTo(target.Vector(i));
        }

        Embedded += sources.Count;
    }

    public Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default) => Task.FromResult(HashEmbedding.Embed(query));
}
