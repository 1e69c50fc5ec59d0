using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Lance.Orm;

namespace Lance.Interop.Tests.FullText;

/// <summary>
/// A cheap deterministic embedding for hybrid-search tests: character trigrams hashed into 16 buckets, normalised.
/// The same vectors are given to LanceDB, so both libraries search with the same query vector.
/// </summary>
[EmbeddingFunction("interop-trigrams", Dimensions = 16)]
public sealed class TrigramEmbedding : IEmbeddingFunction
{
    public string Name => "interop-trigrams";

    public int Dimensions => 16;

    public JsonObject GetConfiguration() => new() { ["buckets"] = 16 };

    public Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default)
        => Task.FromResult(sources.Select(Embed).ToArray());

    public Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default) => Task.FromResult(Embed(query));

    /// <summary>The vector of <paramref name="text"/>.</summary>
    public static float[] Embed(string text)
    {
        var vector = new float[16];
        var padded = $"  {text.ToLowerInvariant()}  ";
        for (var i = 0; i + 3 <= padded.Length; i++)
        {
            vector[((padded[i] * 31 * 31) + (padded[i + 1] * 31) + padded[i + 2]) % 16] += 1;
        }

        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return vector.Select(v => v / norm).ToArray();
    }

    [ModuleInitializer]
#pragma warning disable CA2255 // Registered by name so that a reopened table re-creates the function, as a package would.
    internal static void Register() => EmbeddingFunctionRegistry.Default.Register("interop-trigrams", _ => new TrigramEmbedding());
#pragma warning restore CA2255
}
