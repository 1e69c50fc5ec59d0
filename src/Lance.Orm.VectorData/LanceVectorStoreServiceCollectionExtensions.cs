using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.VectorData;

namespace Lance.Orm.VectorData;

/// <summary>Registers a <see cref="LanceVectorStore"/> and its collections with dependency injection.</summary>
public static class LanceVectorStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="LanceVectorStore"/> (also as <see cref="VectorStore"/>) over the database at
    /// <paramref name="uri"/>; when the options name no embedding generator, an
    /// <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> from the container is used if there is one.
    /// </summary>
    public static IServiceCollection AddLanceVectorStore(this IServiceCollection services, string uri, LanceVectorStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);
        services.TryAddSingleton(sp => new LanceVectorStore(uri, WithGenerator(sp, options)));
        services.TryAddSingleton<VectorStore>(sp => sp.GetRequiredService<LanceVectorStore>());
        return services;
    }

    /// <summary>
    /// Registers a singleton <see cref="LanceVectorStore"/> (also as <see cref="VectorStore"/>) over a
    /// <see cref="Database"/> that the container provides (for example one registered by <c>AddLanceDb</c>).
    /// </summary>
    public static IServiceCollection AddLanceVectorStore(this IServiceCollection services, LanceVectorStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => new LanceVectorStore(sp.GetRequiredService<Database>(), WithGenerator(sp, options)));
        services.TryAddSingleton<VectorStore>(sp => sp.GetRequiredService<LanceVectorStore>());
        return services;
    }

    /// <summary>
    /// Registers the collection <paramref name="name"/> of the registered <see cref="VectorStore"/> as a singleton
    /// <see cref="VectorStoreCollection{TKey, TRecord}"/> (call <see cref="AddLanceVectorStore(IServiceCollection, string, LanceVectorStoreOptions?)"/> first).
    /// </summary>
    [RequiresUnreferencedCode("MEVD builds the model of a POCO record by reflection.")]
    [RequiresDynamicCode("MEVD builds the model of a POCO record by reflection.")]
    public static IServiceCollection AddLanceCollection<TKey, TRecord>(this IServiceCollection services, string name, VectorStoreCollectionDefinition? definition = null)
        where TKey : notnull
        where TRecord : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        services.TryAddSingleton(sp => sp.GetRequiredService<VectorStore>().GetCollection<TKey, TRecord>(name, definition));
        return services;
    }

    private static LanceVectorStoreOptions WithGenerator(IServiceProvider services, LanceVectorStoreOptions? options) => new()
    {
        DatabaseOptions = options?.DatabaseOptions,
        EmbeddingGenerator = options?.EmbeddingGenerator
            ?? (IEmbeddingGenerator?)services.GetService(typeof(IEmbeddingGenerator<string, Embedding<float>>)),
    };
}
