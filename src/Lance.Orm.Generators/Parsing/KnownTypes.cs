using Microsoft.CodeAnalysis;

namespace Lance.Orm.Generators.Parsing;

/// <summary>The Lance.Orm types the parser recognises, resolved once per model.</summary>
internal sealed class KnownTypes
{
    private KnownTypes(Compilation compilation, INamedTypeSymbol lanceModel)
    {
        LanceModel = lanceModel;
        VectorAttribute = compilation.GetTypeByMetadataName("Lance.Orm.VectorAttribute");
        SourceAttribute = compilation.GetTypeByMetadataName("Lance.Orm.SourceAttribute");
        ColumnAttribute = compilation.GetTypeByMetadataName("Lance.Orm.ColumnAttribute");
        IgnoreAttribute = compilation.GetTypeByMetadataName("Lance.Orm.IgnoreAttribute");
        DistanceAttribute = compilation.GetTypeByMetadataName("Lance.Orm.DistanceAttribute");
        RelevanceAttribute = compilation.GetTypeByMetadataName("Lance.Orm.RelevanceAttribute");
        ScoreAttribute = compilation.GetTypeByMetadataName("Lance.Orm.ScoreAttribute");
        QueryIndexAttribute = compilation.GetTypeByMetadataName("Lance.Orm.QueryIndexAttribute");
        EmbeddingFunctionAttribute = compilation.GetTypeByMetadataName("Lance.Orm.EmbeddingFunctionAttribute");
        EmbeddingFunction = compilation.GetTypeByMetadataName("Lance.Orm.IEmbeddingFunction");
        KeyAttribute = compilation.GetTypeByMetadataName("Lance.Orm.KeyAttribute");
        EmbeddingGenerator = compilation.GetTypeByMetadataName("Microsoft.Extensions.AI.IEmbeddingGenerator`2");
        Embedding = compilation.GetTypeByMetadataName("Microsoft.Extensions.AI.Embedding`1");
        DataAnnotationsKeyAttribute = compilation.GetTypeByMetadataName("System.ComponentModel.DataAnnotations.KeyAttribute");
    }

    public INamedTypeSymbol LanceModel { get; }

    public INamedTypeSymbol? VectorAttribute { get; }

    public INamedTypeSymbol? SourceAttribute { get; }

    public INamedTypeSymbol? ColumnAttribute { get; }

    public INamedTypeSymbol? IgnoreAttribute { get; }

    public INamedTypeSymbol? DistanceAttribute { get; }

    public INamedTypeSymbol? RelevanceAttribute { get; }

    public INamedTypeSymbol? ScoreAttribute { get; }

    /// <summary><c>Lance.Orm.QueryIndexAttribute</c>.</summary>
    public INamedTypeSymbol? QueryIndexAttribute { get; }

    public INamedTypeSymbol? EmbeddingFunctionAttribute { get; }

    public INamedTypeSymbol? EmbeddingFunction { get; }

    /// <summary><c>Lance.Orm.KeyAttribute</c>.</summary>
    public INamedTypeSymbol? KeyAttribute { get; }

    /// <summary>Microsoft.Extensions.AI's <c>IEmbeddingGenerator&lt;TInput, TEmbedding&gt;</c> (open), when referenced.</summary>
    public INamedTypeSymbol? EmbeddingGenerator { get; }

    /// <summary>Microsoft.Extensions.AI's <c>Embedding&lt;T&gt;</c> (open), when referenced.</summary>
    public INamedTypeSymbol? Embedding { get; }

    /// <summary>Whether <paramref name="type"/> is <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> itself.</summary>
    public bool IsTextEmbeddingGenerator(INamedTypeSymbol type) =>
        EmbeddingGenerator is not null && Embedding is not null
        && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, EmbeddingGenerator)
        && type.TypeArguments[0].SpecialType == SpecialType.System_String
        && type.TypeArguments[1] is INamedTypeSymbol embedding
        && SymbolEqualityComparer.Default.Equals(embedding.OriginalDefinition, Embedding)
        && embedding.TypeArguments[0].SpecialType == SpecialType.System_Single;

    /// <summary><c>System.ComponentModel.DataAnnotations.KeyAttribute</c>, accepted as well.</summary>
    public INamedTypeSymbol? DataAnnotationsKeyAttribute { get; }

    /// <summary>The known types, or null when the compilation does not reference Lance.Orm.</summary>
    public static KnownTypes? Resolve(Compilation compilation) =>
        compilation.GetTypeByMetadataName("Lance.Orm.ILanceModel") is { } lanceModel ? new KnownTypes(compilation, lanceModel) : null;

    public static bool Is(INamedTypeSymbol? candidate, INamedTypeSymbol? known) =>
        candidate is not null && known is not null && SymbolEqualityComparer.Default.Equals(candidate, known);
}
