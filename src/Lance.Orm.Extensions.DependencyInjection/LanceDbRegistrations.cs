namespace Lance.Orm;

/// <summary>What a database's builder added to its embedding registry, kept as named options per database.</summary>
internal sealed class LanceDbRegistrations
{
    public List<Action<IServiceProvider, EmbeddingFunctionRegistry>> Actions { get; } = [];
}
