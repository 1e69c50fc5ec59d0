using Microsoft.Extensions.AI;

namespace Lance.Orm.VectorData;

/// <summary>
/// Any Lance embedding function (<c>MiniLm</c>, <c>ArcticEmbedXs</c>, your own <see cref="IEmbeddingFunction"/>) as an
/// MEVD/Microsoft.Extensions.AI <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>, for collections whose
/// vector properties are text. MEVD embeds records and queries through the same call, so both are embedded as
/// sources: a function whose queries carry a prefix (Arctic's) should get the prefix in the query text.
/// Each call goes through an <see cref="EmbeddingRetryPipeline"/>, as the ORM's own embedding calls do: transient failures
/// are retried, and the call is an <c>embed</c> span (retries as events) counted by the embedding metrics of <c>"Lance.Orm"</c>.
/// </summary>
public sealed class LanceEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly IEmbeddingFunction _function;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private readonly EmbeddingRetryPipeline _retry;

    /// <summary>Wraps <paramref name="function"/>; disposing the generator does not dispose the function.</summary>
    /// <param name="function">The embedding function.</param>
    /// <param name="retry">The retry pipeline its calls go through; <see cref="EmbeddingRetryPipeline.Default"/> when null.</param>
    public LanceEmbeddingGenerator(IEmbeddingFunction function, EmbeddingRetryPipeline? retry = null)
    {
        _function = function ?? throw new ArgumentNullException(nameof(function));
        _retry = retry ?? EmbeddingRetryPipeline.Default;
        _metadata = new EmbeddingGeneratorMetadata("lancedb", defaultModelId: function.Name, defaultModelDimensions: function.Dimensions);
    }

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sources = values as IReadOnlyList<string> ?? values.ToList();
        var vectors = await _retry.ExecuteAsync(
            $"'{_function.Name}' for {sources.Count} MEVD input(s)",
            ct => _function.ComputeSourceEmbeddingsAsync(sources, ct),
            cancellationToken).ConfigureAwait(false);
        return new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v)));
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(_function) ? _function
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
