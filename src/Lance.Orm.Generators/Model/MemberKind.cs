namespace Lance.Orm.Generators.Model;

/// <summary>The C# shapes a model member can have, each with one Arrow type.</summary>
internal enum MemberKind
{
    /// <summary>A type the generator cannot map (LANCE002).</summary>
    Unsupported,

    /// <summary><c>long</c> → int64.</summary>
    Int64,

    /// <summary><c>int</c> → int32.</summary>
    Int32,

    /// <summary><c>float</c> → float32.</summary>
    Float32,

    /// <summary><c>double</c> → float64.</summary>
    Float64,

    /// <summary><c>bool</c> → boolean.</summary>
    Boolean,

    /// <summary><c>string</c> → utf8.</summary>
    String,

    /// <summary><c>float[]</c> → fixed_size_list&lt;float32&gt;[dim], with <c>[Vector]</c>.</summary>
    FloatArray,
}
