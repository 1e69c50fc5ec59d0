using System.Runtime.CompilerServices;

namespace Lance.Orm.Embeddings;

internal static class ModuleInitializer
{
    // CA2255 warns that module initializers are meant for app code and source generators. Here it is
    // the point: loading this assembly registers 'sentence-transformers', so a table that stored that
    // function re-creates it on open without any setup call. Registering is cheap (no model loads).
#pragma warning disable CA2255
    [ModuleInitializer]
    internal static void RegisterEmbeddingFunctions()
    {
        var registry = EmbeddingFunctionRegistry.Default;
        registry.Register(MiniLm.FunctionName, config => MiniLm.FromConfiguration(config));
        registry.Register(OpenAiEmbeddings.FunctionName, config => OpenAiEmbeddings.FromConfiguration(config));
        registry.Register(OpenClip.FunctionName, config => OpenClip.FromConfiguration(config));
        registry.Register(ResNet18.FunctionName, config => ResNet18.FromConfiguration(config));
    }
#pragma warning restore CA2255
}
