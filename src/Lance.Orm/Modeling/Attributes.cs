namespace Lance.Orm;

/// <summary>
/// Marks a vector member (<c>float[]</c>, <c>ReadOnlyMemory&lt;float&gt;</c>, <c>Half[]</c> or <c>byte[]</c>;
/// stored as <c>fixed_size_list&lt;float32|float16|uint8&gt;[dim]</c>). Either names the embedding function type that computes
/// it (<c>[Vector(typeof(MiniLm))]</c>, dimension taken from the function at compile time) or gives
/// a fixed dimension for vectors the app computes itself (<c>[Vector(384)]</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class VectorAttribute : Attribute
{
    /// <summary>A vector computed by the embedding function <paramref name="embeddingFunction"/>.</summary>
    public VectorAttribute(Type embeddingFunction) => EmbeddingFunction = embeddingFunction;

    /// <summary>A vector of <paramref name="dimensions"/> elements with no embedding function.</summary>
    public VectorAttribute(int dimensions) => Dimensions = dimensions;

    /// <summary>
    /// A vector computed by <paramref name="embeddingFunction"/>, with its dimension stated as well
    /// (the generator reports LANCE010 when the two disagree).
    /// </summary>
    public VectorAttribute(Type embeddingFunction, int dimensions)
    {
        EmbeddingFunction = embeddingFunction;
        Dimensions = dimensions;
    }

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

/// <summary>
/// Shapes a member's column: an explicit name instead of the snake_case default
/// (<c>[Column("sku")]</c>), an enum stored as its integer (<c>[Column(AsInteger = true)]</c>), or a
/// decimal's precision and scale (<c>[Column(Precision = 18, Scale = 4)]</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class ColumnAttribute : Attribute
{
    /// <summary>Keeps the default column name; set the named options.</summary>
    public ColumnAttribute() { }

    /// <summary>Maps the member to the column <paramref name="name"/>.</summary>
    public ColumnAttribute(string name) => Name = name;

    /// <summary>The column name, or null for the snake_case default.</summary>
    public string? Name { get; }

    /// <summary>
    /// For an enum member: store the underlying integer (<c>int32</c> for an <c>int</c> enum) instead
    /// of the default <c>dictionary&lt;int32, utf8&gt;</c> of member names.
    /// </summary>
    public bool AsInteger { get; set; }

    /// <summary>For a <see cref="decimal"/> member: the number of significant digits, 1 to 38 (default 38).</summary>
    public int Precision { get; set; }

    /// <summary>For a <see cref="decimal"/> member: the number of digits after the point, 0 to 28 (default 18).</summary>
    public int Scale { get; set; }
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
