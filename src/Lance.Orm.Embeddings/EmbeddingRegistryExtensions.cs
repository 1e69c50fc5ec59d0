using Lance.Orm.Embeddings;

namespace Lance.Orm;

/// <summary>Registers this package's embedding functions, so that tables that stored them re-create them when opened.</summary>
public static class EmbeddingRegistryExtensions
{
    /// <summary>
    /// Registers <c>sentence-transformers</c> (<see cref="MiniLm"/>, <see cref="ArcticEmbedXs"/>),
    /// <c>openai</c> (<see cref="OpenAiEmbeddings"/>), <c>open-clip</c> (<see cref="OpenClip"/>) and
    /// <c>resnet18</c> (<see cref="ResNet18"/>) in <paramref name="registry"/>. Registering is cheap:
    /// no model loads until a table uses one. Call it once at startup, on
    /// <see cref="EmbeddingFunctionRegistry.Default"/> or on the registry a database is given:
    /// <code>
    /// var db = await LanceDb.ConnectAsync("data", new DatabaseOptions { Registry = new EmbeddingFunctionRegistry().AddLanceOrmEmbeddings() });
    /// </code>
    /// </summary>
    /// <param name="registry">The registry to add the functions to.</param>
    /// <returns><paramref name="registry"/>, so calls chain.</returns>
    public static EmbeddingFunctionRegistry AddLanceOrmEmbeddings(this EmbeddingFunctionRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .Register(MiniLm.FunctionName, config => MiniLm.FromConfiguration(config))
            .Register(OpenAiEmbeddings.FunctionName, config => OpenAiEmbeddings.FromConfiguration(config))
            .Register(OpenClip.FunctionName, config => OpenClip.FromConfiguration(config))
            .Register(ResNet18.FunctionName, config => ResNet18.FromConfiguration(config));
    }
}
