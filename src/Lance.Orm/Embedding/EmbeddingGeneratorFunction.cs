using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Lance.Orm;

/// <summary>
/// Any Microsoft.Extensions.AI <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of text as an
/// embedding function; create it with
/// <see cref="EmbeddingGeneratorExtensions.AsEmbeddingFunction(IEmbeddingGenerator{string, Embedding{float}}, string, int?, JsonObject?)"/>,
/// or name the generator's type on a model: <c>[Vector(typeof(MyGenerator), 384)]</c>.
/// </summary>
public sealed class EmbeddingGeneratorFunction : IEmbeddingFunction, IDisposable
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly JsonObject _configuration;
    private bool _ownsGenerator;

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

    /// <summary>
    /// Wraps a generator the function owns: disposing the function (as the database does with the functions it made)
    /// disposes the generator. Used by models whose <c>[Vector(typeof(G), N)]</c> names a generator with a public
    /// parameterless constructor.
    /// </summary>
    /// <param name="generator">The generator, made for this function alone.</param>
    /// <param name="name">The registry name stored with tables.</param>
    /// <param name="dimensions">The embedding size.</param>
    public static EmbeddingGeneratorFunction Owning(IEmbeddingGenerator<string, Embedding<float>> generator, string name, int dimensions)
        => new(generator, name, dimensions) { _ownsGenerator = true };

    /// <summary>
    /// The error for a model whose <c>[Vector(typeof(G), N)]</c> names a generator that Lance.Orm cannot make itself
    /// (no public parameterless constructor, or an interface) and that nobody registered.
    /// </summary>
    /// <param name="generatorType">The generator type the model names.</param>
    /// <param name="name">The function's registry name.</param>
    public static EmbeddingException NotRegistered(Type generatorType, string name)
    {
        ArgumentNullException.ThrowIfNull(generatorType);
        var type = generatorType.IsGenericType ? "IEmbeddingGenerator<string, Embedding<float>>" : generatorType.Name;
        return new EmbeddingException(
            $"Lance.Orm cannot make the embedding generator {type} (function '{name}') itself: it is an interface, abstract, or has no public parameterless constructor. "
            + $"Register the one to use: registry.RegisterEmbeddingGenerator<{type}>(generator) on DatabaseOptions.Registry or "
            + $"EmbeddingFunctionRegistry.Default, or with dependency injection AddLanceDb(...).AddEmbeddingGenerator<{type}>().");
    }

    /// <summary>Disposes the generator when this function made it (<see cref="Owning"/>); a generator passed in stays its owner's.</summary>
    public void Dispose()
    {
        if (_ownsGenerator)
        {
            _ownsGenerator = false;
            _generator.Dispose();
        }
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
