using Apache.Arrow.Types;

namespace Lance.Orm.Serialization;

/// <summary>Arrow types as error messages spell them (<c>int64</c>, <c>fixed_size_list&lt;float32&gt;[384]</c>).</summary>
internal static class ArrowTypeText
{
    public static string Describe(IArrowType type) => type switch
    {
        FixedSizeListType list => $"fixed_size_list<{Describe(list.ValueDataType)}>[{list.ListSize}]",
        ListType list => $"list<{Describe(list.ValueDataType)}>",
        FloatType => "float32",
        DoubleType => "float64",
        StringType => "utf8",
        _ => type.Name,
    };
}
