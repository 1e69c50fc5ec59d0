using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Lance.Orm;

/// <summary>
/// Any Microsoft.Extensions.AI <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of text as an
/// embedding function; create it with
/// <see cref="EmbeddingGeneratorExtensions.AsEmbeddingFunction(IEmbeddingGenerator{string, Embedding{float}}, string, int?, JsonObject?)"/>.
/// </summary>
public sealed class EmbeddingGeneratorFunction : IEmbeddingFunction
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly JsonObject _configuration;

    /// <summary>Wraps <paramref name="generator"/>.</summary>
    /// <param name="generator">The generator.</param>
    /// <param name="name">The registry name stored with tables (register a factory under it to re-create the function on open).</param>
    /// <param name="dimensions">The embedding size; taken from the generator's metadata when null.</param>
    /// <param name="configuration">What is stored as the function's configuration (never secrets); the model id by default.</param>
    /// <exception cref="ArgumentException">No dimension given and the generator's metadata has none.</exception>
    public EmbeddingGeneratorFunction(IEmbeddingGenerator<string, Embedding<float>> generator, string name, int? dimensions = null, JsonObject? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _generator = generator;
        Name = name;
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();
        Dimensions = dimensions ?? metadata?.DefaultModelDimensions
            ?? throw new ArgumentException($"The embedding generator for '{name}' does not report its dimensions; pass them.", nameof(dimensions));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Dimensions, nameof(dimensions));
        _configuration = configuration ?? (metadata?.DefaultModelId is { } model ? new JsonObject { ["name"] = model } : []);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Dimensions { get; }

    /// <inheritdoc />
    public JsonObject GetConfiguration() => (JsonObject)_configuration.DeepClone();

    /// <inheritdoc />
    public async Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var embeddings = await _generator.GenerateAsync(sources, null, cancellationToken).ConfigureAwait(false);
        return embeddings.Select(e => e.Vector.ToArray()).ToArray();
    }

    /// <inheritdoc />
    public async Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var embeddings = await _generator.GenerateAsync([query], null, cancellationToken).ConfigureAwait(false);
        return embeddings[0].Vector.ToArray();
    }
}

/// <summary>Adapts Microsoft.Extensions.AI embedding generators.</summary>
public static class EmbeddingGeneratorExtensions
{
    /// <summary>The generator as an embedding function: <c>generator.AsEmbeddingFunction("my-model")</c>.</summary>
    /// <param name="generator">The generator.</param>
    /// <param name="name">The registry name stored with tables.</param>
    /// <param name="dimensions">The embedding size; taken from the generator's metadata when null.</param>
    /// <param name="configuration">What is stored as the function's configuration (never secrets).</param>
    public static EmbeddingGeneratorFunction AsEmbeddingFunction(
        this IEmbeddingGenerator<string, Embedding<float>> generator, string name, int? dimensions = null, JsonObject? configuration = null)
        => new(generator, name, dimensions, configuration);
}
