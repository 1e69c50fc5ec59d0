using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace Lance.Orm.VectorData;

/// <summary>
/// Any Lance embedding function (<c>MiniLm</c>, <c>ArcticEmbedXs</c>, your own <see cref="IEmbeddingFunction"/>) as an
/// MEVD/Microsoft.Extensions.AI <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>, for collections whose
/// vector properties are text. MEVD embeds records and queries through the same call, so both are embedded as
/// sources: a function whose queries carry a prefix (Arctic's) should get the prefix in the query text.
/// Each call is an <c>embed</c> span on the <c>"Lance.Orm"</c> activity source, as the ORM's own embedding calls are.
/// </summary>
public sealed class LanceEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    // Named like the ORM's source, so one AddSource("Lance.Orm") sees MEVD's embedding calls beside its searches.
    private static readonly ActivitySource Source = new(LanceTelemetry.Name, typeof(LanceEmbeddingGenerator).Assembly.GetName().Version?.ToString());

    private readonly IEmbeddingFunction _function;
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>Wraps <paramref name="function"/>; disposing the generator does not dispose the function.</summary>
    public LanceEmbeddingGenerator(IEmbeddingFunction function)
    {
        _function = function ?? throw new ArgumentNullException(nameof(function));
        _metadata = new EmbeddingGeneratorMetadata("lancedb", defaultModelId: function.Name, defaultModelDimensions: function.Dimensions);
    }

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sources = values as IReadOnlyList<string> ?? values.ToList();
        using var activity = Source.HasListeners() ? Source.StartActivity("embed", ActivityKind.Internal) : null;
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", LanceTelemetry.DbSystem);
            activity.SetTag("lance.embedding.operation", $"'{_function.Name}' for {sources.Count} MEVD input(s)");
        }

        try
        {
            var vectors = await _function.ComputeSourceEmbeddingsAsync(sources, cancellationToken).ConfigureAwait(false);
            return new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v)));
        }
        catch (Exception e) when (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, e.Message);
            activity.SetTag("error.type", e.GetType().FullName);
            throw;
        }
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
