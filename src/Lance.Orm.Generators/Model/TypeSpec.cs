using Lance.Orm.Generators.Helpers;

namespace Lance.Orm.Generators.Model;

/// <summary>The families of C# member types, each written and read by one pair of runtime helpers.</summary>
internal enum TypeShape
{
    /// <summary>A type the generator cannot map (LANCE002).</summary>
    Unsupported,

    /// <summary>A class, struct or record of the app's own that is not a Lance model (LANCE011).</summary>
    NotAModel,

    /// <summary>A fixed-width number stored as itself: integers, <c>Half</c>, <c>float</c>, <c>double</c>.</summary>
    Primitive,

    /// <summary><c>bool</c> → boolean.</summary>
    Boolean,

    /// <summary><c>string</c> → utf8.</summary>
    String,

    /// <summary><c>byte[]</c> → binary (a vector with <c>[Vector]</c>).</summary>
    Binary,

    /// <summary>A value stored in another fixed-width form through a converter struct (dates, times, <c>Guid</c>).</summary>
    Converted,

    /// <summary><c>decimal</c> → decimal128(precision, scale).</summary>
    Decimal,

    /// <summary>An enum: dictionary&lt;int32, utf8&gt; of names, or its integer with <c>[Column(AsInteger = true)]</c>.</summary>
    Enum,

    /// <summary><c>T[]</c> or <c>List&lt;T&gt;</c> → list&lt;T&gt; (a vector with <c>[Vector]</c> when T[] of float, Half or byte).</summary>
    List,

    /// <summary><c>ReadOnlyMemory&lt;T&gt;</c> of float, Half or byte: only a vector, with <c>[Vector]</c>.</summary>
    Memory,

    /// <summary>Another Lance model → struct.</summary>
    Struct,
}

/// <summary>How a list is held in C#.</summary>
internal enum ListContainer
{
    /// <summary>Not a list.</summary>
    None,

    /// <summary><c>T[]</c>.</summary>
    Array,

    /// <summary><c>List&lt;T&gt;</c>.</summary>
    List,
}

/// <summary>A member's C# type as the emitter needs it: plain equatable data, no symbols.</summary>
/// <param name="Shape">Its family.</param>
/// <param name="ClrType">The type as emitted code names it (<c>long</c>, <c>global::System.DateTime</c>, <c>global::App.Tag</c>); for lists, the element's.</param>
/// <param name="IsNullable">Whether the C# type admits null.</param>
/// <param name="IsValueType">Whether it is a value type (for a nullable nested <c>record struct</c>).</param>
/// <param name="Container">For lists, how they are held.</param>
/// <param name="Element">For lists and memories, the element type.</param>
/// <param name="Storage">For converted values and enums, the stored (underlying) type.</param>
/// <param name="Converter">For converted values, the converter struct.</param>
/// <param name="EnumMembers">For enums, the names of the members with distinct values, in declaration order.</param>
internal sealed record TypeSpec(
    TypeShape Shape,
    string ClrType,
    bool IsNullable,
    bool IsValueType,
    ListContainer Container,
    TypeSpec? Element,
    string? Storage,
    string? Converter,
    ImmutableEquatableArray<string> EnumMembers)
{
    /// <summary>The element type when this type can hold a vector (<c>float[]</c>, <c>Half[]</c>, <c>byte[]</c>, <c>ReadOnlyMemory&lt;float&gt;</c>), else null.</summary>
    public string? VectorElement => this switch
    {
        { Shape: TypeShape.Binary } => "byte",
        { Shape: TypeShape.List or TypeShape.Memory, Container: not ListContainer.List, Element: { Shape: TypeShape.Primitive, ClrType: "float" or "global::System.Half" or "byte" } element } => element.ClrType,
        _ => null,
    };

    public static TypeSpec Simple(TypeShape shape, string clrType, bool nullable, bool valueType = true) =>
        new(shape, clrType, nullable, valueType, ListContainer.None, null, null, null, ImmutableEquatableArray<string>.Empty);
}
