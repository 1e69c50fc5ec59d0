using Lance.Orm.Embeddings;

namespace Lance.Orm;

/// <summary>Registers this package's embedding functions, so that tables that stored them re-create them when opened.</summary>
public static class EmbeddingRegistryExtensions
{
    /// <summary>
    /// Registers, under LanceDB's names, <c>sentence-transformers</c> (<see cref="MiniLm"/>,
    /// <see cref="ArcticEmbedXs"/>), <c>openai</c> (<see cref="OpenAiEmbeddings"/>, Azure included),
    /// <c>open-clip</c> (<see cref="OpenClip"/>), the hosted <c>ollama</c>, <c>cohere</c>, <c>jina</c>,
    /// <c>voyageai</c>, <c>gemini-text</c>, <c>bedrock-text</c> and <c>watsonx</c>; and the Lance.Orm-only
    /// <c>lance-orm-resnet18</c> (<see cref="ResNet18"/>, also under its older name <c>resnet18</c>) in
    /// <paramref name="registry"/>. Registering is cheap:
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
            .Register(ResNet18.FunctionName, config => ResNet18.FromConfiguration(config))
            .Register(ResNet18.LegacyFunctionName, config => ResNet18.FromConfiguration(config))
            .Register(OllamaEmbeddings.FunctionName, OllamaEmbeddings.FromConfiguration)
            .Register(CohereEmbeddings.FunctionName, CohereEmbeddings.FromConfiguration)
            .Register(JinaEmbeddings.FunctionName, JinaEmbeddings.FromConfiguration)
            .Register(VoyageAiEmbeddings.FunctionName, VoyageAiEmbeddings.FromConfiguration)
            .Register(GeminiTextEmbeddings.FunctionName, GeminiTextEmbeddings.FromConfiguration)
            .Register(BedrockTextEmbeddings.FunctionName, BedrockTextEmbeddings.FromConfiguration)
            .Register(WatsonxEmbeddings.FunctionName, WatsonxEmbeddings.FromConfiguration);
    }
}
