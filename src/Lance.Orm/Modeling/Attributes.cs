namespace Lance.Orm;

/// <summary>
/// Marks a vector member (<c>float[]</c>). Either names the embedding function type that computes
/// it (<c>[Vector(typeof(MiniLm))]</c>, dimension taken from the function at compile time) or gives
/// a fixed dimension for vectors the app computes itself (<c>[Vector(384)]</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class VectorAttribute : Attribute
{
    /// <summary>A vector computed by the embedding function <paramref name="embeddingFunction"/>.</summary>
    public VectorAttribute(Type embeddingFunction) => EmbeddingFunction = embeddingFunction;

    /// <summary>A vector of <paramref name="dimensions"/> floats with no embedding function.</summary>
    public VectorAttribute(int dimensions) => Dimensions = dimensions;

    /// <summary>The embedding function type, when there is one.</summary>
    public Type? EmbeddingFunction { get; }

    /// <summary>The fixed dimension, when given explicitly (0 otherwise).</summary>
    public int Dimensions { get; }
}

/// <summary>
/// Marks the member whose values an embedding function turns into a vector. With more than one
/// vector member, name the vector: <c>[Source(nameof(ImageVector))]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = true)]
public sealed class SourceAttribute : Attribute
{
    /// <summary>The source of the model's only vector member.</summary>
    public SourceAttribute() { }

    /// <summary>The source of the vector member named <paramref name="vectorMember"/>.</summary>
    public SourceAttribute(string vectorMember) => VectorMember = vectorMember;

    /// <summary>The vector member this source feeds, or null for the only one.</summary>
    public string? VectorMember { get; }
}

/// <summary>Gives a member's column an explicit name instead of the snake_case default.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class ColumnAttribute : Attribute
{
    /// <summary>Maps the member to the column <paramref name="name"/>.</summary>
    public ColumnAttribute(string name) => Name = name;

    /// <summary>The column name.</summary>
    public string Name { get; }
}

/// <summary>
/// Marks a <c>float</c> or <c>double</c> member (nullable allowed) that search results fill with the
/// row's distance to the query (LanceDB's <c>_distance</c>). It is not a column of the table: it is
/// never written, and a plain query leaves it at its default.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class DistanceAttribute : Attribute
{
}

/// <summary>Leaves a member out of the table.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class IgnoreAttribute : Attribute
{
}

/// <summary>
/// Declares an embedding function type: the name it is registered under (LanceDB's names, such as
/// <c>sentence-transformers</c>) and, for use in <see cref="VectorAttribute"/>, its dimension as a
/// compile-time constant. Inherited, so <c>class MyMiniLm : MiniLm {}</c> keeps both.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class EmbeddingFunctionAttribute : Attribute
{
    /// <summary>Declares an embedding function registered as <paramref name="name"/>.</summary>
    public EmbeddingFunctionAttribute(string name) => Name = name;

    /// <summary>The registry name, as LanceDB spells it.</summary>
    public string Name { get; }

    /// <summary>The number of floats in each embedding.</summary>
    public int Dimensions { get; set; }
}
