namespace Lance.Orm;

/// <summary>
/// One vector column that an embedding function fills from a source column, as declared on a
/// model with <see cref="VectorAttribute"/> and <see cref="SourceAttribute"/>.
/// </summary>
public sealed class EmbeddingBinding
{
    /// <summary>Creates a binding; emitted by the source generator.</summary>
    /// <param name="sourceColumn">The column whose values are embedded.</param>
    /// <param name="vectorColumn">The vector column that receives the embeddings.</param>
    /// <param name="dimensions">The vector dimension.</param>
    /// <param name="functionName">The function's registry name.</param>
    /// <param name="functionType">The function's CLR type (the cache key for instances).</param>
    /// <param name="factory">Creates the function without reflection.</param>
    public EmbeddingBinding(string sourceColumn, string vectorColumn, int dimensions, string functionName, Type functionType, Func<IEmbeddingFunction> factory)
    {
        ArgumentNullException.ThrowIfNull(sourceColumn);
        ArgumentNullException.ThrowIfNull(vectorColumn);
        ArgumentNullException.ThrowIfNull(functionName);
        ArgumentNullException.ThrowIfNull(functionType);
        ArgumentNullException.ThrowIfNull(factory);
        SourceColumn = sourceColumn;
        VectorColumn = vectorColumn;
        Dimensions = dimensions;
        FunctionName = functionName;
        FunctionType = functionType;
        Factory = factory;
    }

    /// <summary>The column whose values are embedded.</summary>
    public string SourceColumn { get; }

    /// <summary>The vector column that receives the embeddings.</summary>
    public string VectorColumn { get; }

    /// <summary>The vector dimension.</summary>
    public int Dimensions { get; }

    /// <summary>The function's registry name, such as <c>sentence-transformers</c>.</summary>
    public string FunctionName { get; }

    /// <summary>The function's CLR type.</summary>
    public Type FunctionType { get; }

    /// <summary>Creates a new instance of the function.</summary>
    public Func<IEmbeddingFunction> Factory { get; }
}
