using Lance.Orm.Generators.Helpers;

namespace Lance.Orm.Generators.Model;

/// <summary>
/// Everything the generator knows about one model type, as plain equatable data: the output of
/// parsing, the input of validation and emitting. Holds no symbols or syntax, so it caches.
/// </summary>
/// <param name="Name">The type's simple name (<c>Doc</c>).</param>
/// <param name="Namespace">The containing namespace, or null for the global namespace.</param>
/// <param name="Keyword">The declaration keyword: <c>class</c>, <c>record</c> or <c>record struct</c>.</param>
/// <param name="FullyQualifiedName">The type as emitted code names it (<c>global::App.Doc</c>).</param>
/// <param name="HintName">The generated file's name.</param>
/// <param name="ContainingTypes">Types the model is nested in, outermost first.</param>
/// <param name="IsPartial">Whether the model and every containing type are <c>partial</c>.</param>
/// <param name="NonPartialTypeName">The first type that lacks <c>partial</c>, when one does.</param>
/// <param name="IsGeneric">Whether the model or a type containing it is generic.</param>
/// <param name="HasModelBase">Whether a base type is a Lance model too (its generated statics are hidden with <c>new</c>).</param>
/// <param name="HasParameterlessConstructor">Whether <c>new T()</c> compiles inside the type.</param>
/// <param name="Location">The type's identifier.</param>
/// <param name="Members">The mapped members in declaration order.</param>
/// <param name="RequiredUnmappedMembers">Required members that are not mapped: object initializers set them to default.</param>
/// <param name="Distance">The <c>[Distance]</c> member that search results fill, when there is one.</param>
/// <param name="Relevance">The <c>[Relevance]</c> member that reranked results fill, when there is one.</param>
/// <param name="Score">The <c>[Score]</c> member that full-text results fill, when there is one.</param>
/// <param name="QueryIndex">The <c>[QueryIndex]</c> member that searches with several query vectors fill, when there is one.</param>
internal sealed record ModelSpec(
    string Name,
    string? Namespace,
    string Keyword,
    string FullyQualifiedName,
    string HintName,
    ImmutableEquatableArray<ContainingTypeSpec> ContainingTypes,
    bool IsPartial,
    string? NonPartialTypeName,
    bool IsGeneric,
    bool HasModelBase,
    bool HasParameterlessConstructor,
    LocationInfo? Location,
    ImmutableEquatableArray<MemberSpec> Members,
    ImmutableEquatableArray<string> RequiredUnmappedMembers,
    DistanceSpec? Distance = null,
    DistanceSpec? Relevance = null,
    DistanceSpec? Score = null,
    QueryIndexSpec? QueryIndex = null);

/// <summary>A <c>[QueryIndex]</c> member: filled from the <c>query_index</c> column of a search with several query vectors, never written.</summary>
/// <param name="Name">The property name.</param>
/// <param name="IsNullable">Whether it is <c>int?</c> (else <c>int</c>).</param>
internal sealed record QueryIndexSpec(string Name, bool IsNullable);

/// <summary>
/// A <c>[Distance]</c>, <c>[Relevance]</c> or <c>[Score]</c> member: filled from the <c>_distance</c>,
/// <c>_relevance_score</c> or <c>_score</c> column of search results, never written.
/// </summary>
/// <param name="Name">The property name.</param>
/// <param name="IsDouble">Whether it is a <c>double</c> (else <c>float</c>).</param>
/// <param name="IsNullable">Whether it is <c>float?</c> / <c>double?</c>.</param>
internal sealed record DistanceSpec(string Name, bool IsDouble, bool IsNullable);

/// <summary>A type a model is nested in.</summary>
/// <param name="Keyword">Its declaration keyword.</param>
/// <param name="Name">Its name, with type parameters if any.</param>
internal sealed record ContainingTypeSpec(string Keyword, string Name);

/// <summary>One property that becomes a column.</summary>
/// <param name="Name">The property name.</param>
/// <param name="Type">Its C# type.</param>
/// <param name="TypeDisplay">The C# type as written, for messages.</param>
/// <param name="ColumnName">The column name (explicit or snake_case).</param>
/// <param name="IsRequired">Whether the property is <c>required</c>.</param>
/// <param name="Location">The property's identifier.</param>
/// <param name="TypeLocation">The property's type.</param>
/// <param name="ColumnAttributeLocation">The <c>[Column]</c> attribute, when there is one.</param>
/// <param name="Options">The <c>[Column]</c> attribute's named options.</param>
/// <param name="Vector">The <c>[Vector]</c> attribute, when there is one.</param>
/// <param name="Source">The <c>[Source]</c> attribute, when there is one.</param>
/// <param name="IsKey">Whether the member has <c>[Key]</c> (Lance.Orm's or DataAnnotations').</param>
internal sealed record MemberSpec(
    string Name,
    TypeSpec Type,
    string TypeDisplay,
    string ColumnName,
    bool IsRequired,
    LocationInfo? Location,
    LocationInfo? TypeLocation,
    LocationInfo? ColumnAttributeLocation,
    ColumnOptions Options,
    VectorSpec? Vector,
    SourceSpec? Source,
    bool IsKey = false)
{
    /// <summary>Whether the C# type admits null (<c>long?</c>, <c>string?</c>, <c>float[]?</c>).</summary>
    public bool IsNullable => Type.IsNullable;
}

/// <summary>The named options of a <c>[Column]</c> attribute.</summary>
/// <param name="AsInteger">Store an enum as its integer.</param>
/// <param name="Precision">A decimal's precision, or null when not given.</param>
/// <param name="Scale">A decimal's scale, or null when not given.</param>
internal sealed record ColumnOptions(bool AsInteger, int? Precision, int? Scale)
{
    public static ColumnOptions None { get; } = new(false, null, null);
}

/// <summary>A <c>[Vector]</c> attribute.</summary>
/// <param name="Dimensions">The explicit dimension of <c>[Vector(384)]</c> or <c>[Vector(typeof(F), 384)]</c>, or 0.</param>
/// <param name="Function">The function of <c>[Vector(typeof(F))]</c>, or null.</param>
/// <param name="Location">The attribute.</param>
/// <param name="ArgumentLocation">The attribute's argument.</param>
internal sealed record VectorSpec(int Dimensions, FunctionSpec? Function, LocationInfo? Location, LocationInfo? ArgumentLocation);

/// <summary>An embedding function type named by <c>[Vector(typeof(F))]</c>.</summary>
/// <param name="FullyQualifiedName">The type as emitted code names it.</param>
/// <param name="DisplayName">The type as messages name it.</param>
/// <param name="RegistryName">The name in its <c>[EmbeddingFunction]</c> attribute, when it has one.</param>
/// <param name="Dimensions">The attribute's <c>Dimensions</c>, or 0.</param>
/// <param name="ImplementsInterface">Whether it implements <c>Lance.Orm.IEmbeddingFunction</c>.</param>
/// <param name="HasPublicParameterlessConstructor">Whether <c>new F()</c> compiles (and F is not abstract).</param>
/// <param name="IsGenerator">Whether F is (or implements) Microsoft.Extensions.AI's <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c>.</param>
/// <param name="TypeName">F's full name without <c>global::</c>: the registry name of a generator without <c>[EmbeddingFunction]</c>.</param>
internal sealed record FunctionSpec(
    string FullyQualifiedName,
    string DisplayName,
    string? RegistryName,
    int Dimensions,
    bool ImplementsInterface,
    bool HasPublicParameterlessConstructor,
    bool IsGenerator = false,
    string TypeName = "")
{
    /// <summary>The name stored with tables: the attribute's, else (generators only) the type's full name.</summary>
    public string StoredName => RegistryName is { Length: > 0 } name ? name : TypeName;
}

/// <summary>A <c>[Source]</c> attribute.</summary>
/// <param name="VectorMember">The vector member it names, or null for the model's only one.</param>
/// <param name="Location">The attribute.</param>
internal sealed record SourceSpec(string? VectorMember, LocationInfo? Location);
