using Apache.Arrow.Types;

namespace Lance.Orm.Serialization;

/// <summary>Arrow types as error messages spell them (<c>int64</c>, <c>fixed_size_list&lt;float32&gt;[384]</c>).</summary>
internal static class ArrowTypeText
{
    public static string Describe(IArrowType type) => type switch
    {
        FixedSizeListType list => $"fixed_size_list<{Describe(list.ValueDataType)}>[{list.ListSize}]",
        ListType list => $"list<{Describe(list.ValueDataType)}>",
        DictionaryType dictionary => $"dictionary<{Describe(dictionary.IndexType)}, {Describe(dictionary.ValueType)}>",
        TimestampType timestamp => $"timestamp[{Unit(timestamp.Unit)}{(string.IsNullOrEmpty(timestamp.Timezone) ? "" : ", tz=" + timestamp.Timezone)}]",
        Time64Type time => $"time64[{Unit(time.Unit)}]",
        DurationType duration => $"duration[{Unit(duration.Unit)}]",
        Decimal128Type decimal128 => $"decimal128({decimal128.Precision}, {decimal128.Scale})",
        FixedSizeBinaryType binary => $"fixed_size_binary({binary.ByteWidth})",
        HalfFloatType => "float16",
        StructType => "struct",
        FloatType => "float32",
        DoubleType => "float64",
        StringType => "utf8",
        _ => type.Name,
    };

    private static string Unit(TimeUnit unit) => unit switch
    {
        TimeUnit.Second => "s",
        TimeUnit.Millisecond => "ms",
        TimeUnit.Microsecond => "us",
        _ => "ns",
    };
}
