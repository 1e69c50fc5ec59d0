using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Format;

/// <summary>
/// Maps Arrow types to Lance's logical type strings and back. The strings are Lance's
/// (<c>rust/lance-core/src/datatypes.rs</c>): other Lance readers parse them, so they must match exactly.
/// Nested types (<c>list</c>, <c>large_list</c>, <c>struct</c>) are described by the string of the
/// node alone; their children are fields of their own (see <see cref="LanceSchema"/>).
/// </summary>
internal static class LanceLogicalTypes
{
    private const string FixedSizeListPrefix = "fixed_size_list:";

    /// <summary>The Lance type string of <paramref name="type"/>, or null when this engine cannot store it.</summary>
    public static string? TryGetLogicalType(IArrowType type) => type switch
    {
        NullType => "null",
        BooleanType => "bool",
        Int8Type => "int8",
        UInt8Type => "uint8",
        Int16Type => "int16",
        UInt16Type => "uint16",
        Int32Type => "int32",
        UInt32Type => "uint32",
        Int64Type => "int64",
        UInt64Type => "uint64",
        HalfFloatType => "halffloat",
        FloatType => "float",
        DoubleType => "double",
        StringType => "string",
        LargeStringType => "large_string",
        BinaryType => "binary",
        LargeBinaryType => "large_binary",
        Date32Type => "date32:day",
        Date64Type => "date64:ms",
        Time32Type { Unit: TimeUnit.Second or TimeUnit.Millisecond } t => $"time32:{UnitName(t.Unit)}",
        Time64Type { Unit: TimeUnit.Microsecond or TimeUnit.Nanosecond } t => $"time64:{UnitName(t.Unit)}",
        DurationType d => $"duration:{UnitName(d.Unit)}",
        // Lance splits the string at ':', so a zone written as an offset ("+05:00") cannot be stored
        // (LanceDB refuses it too); names ("UTC", "America/New_York") can.
        TimestampType ts when ts.Timezone is null || !ts.Timezone.Contains(':', StringComparison.Ordinal)
            => $"timestamp:{UnitName(ts.Unit)}:{(string.IsNullOrEmpty(ts.Timezone) ? "-" : ts.Timezone)}",
        Decimal128Type d => string.Create(CultureInfo.InvariantCulture, $"decimal:128:{d.Precision}:{d.Scale}"),
        Decimal256Type d => string.Create(CultureInfo.InvariantCulture, $"decimal:256:{d.Precision}:{d.Scale}"),
        FixedSizeBinaryType b => string.Create(CultureInfo.InvariantCulture, $"fixed_size_binary:{b.ByteWidth}"),
        // Only vectors of fixed-width numbers: their items are stored flat, with no child field.
        FixedSizeListType fsl when IsVectorItem(fsl.ValueDataType)
            => string.Create(CultureInfo.InvariantCulture, $"{FixedSizeListPrefix}{TryGetLogicalType(fsl.ValueDataType)}:{fsl.ListSize}"),
        ListType list => list.ValueDataType is StructType ? "list.struct" : "list",
        LargeListType list => list.ValueDataType is StructType ? "large_list.struct" : "large_list",
        StructType => "struct",
        // "dict:<value type>:<key type>:false" (Lance keeps no ordered flag).
        DictionaryType d when IsDictionaryKey(d.IndexType) && IsVariableWidth(d.ValueType)
            => $"dict:{TryGetLogicalType(d.ValueType)}:{TryGetLogicalType(d.IndexType)}:false",
        _ => null,
    };

    /// <summary>Whether <paramref name="type"/> can be the key type of a dictionary column: any integer.</summary>
    public static bool IsDictionaryKey(IArrowType type) =>
        type is Int8Type or Int16Type or Int32Type or Int64Type or UInt8Type or UInt16Type or UInt32Type or UInt64Type;

    /// <summary>
    /// The Arrow type of a leaf (childless) Lance type string, or null when this engine cannot read
    /// it. Nested types need their children: see <see cref="LanceSchema.ToArrowType"/>.
    /// </summary>
    public static IArrowType? TryGetArrowType(string logicalType)
    {
        switch (logicalType)
        {
            case "null": return NullType.Default;
            case "bool": return BooleanType.Default;
            case "int8": return Int8Type.Default;
            case "uint8": return UInt8Type.Default;
            case "int16": return Int16Type.Default;
            case "uint16": return UInt16Type.Default;
            case "int32": return Int32Type.Default;
            case "uint32": return UInt32Type.Default;
            case "int64": return Int64Type.Default;
            case "uint64": return UInt64Type.Default;
            case "halffloat": return HalfFloatType.Default;
            case "float": return FloatType.Default;
            case "double": return DoubleType.Default;
            case "string": return StringType.Default;
            case "large_string": return LargeStringType.Default;
            case "binary": return BinaryType.Default;
            case "large_binary": return LargeBinaryType.Default;
            case "date32:day": return Date32Type.Default;
            case "date64:ms": return Date64Type.Default;
            case "time32:s": return new Time32Type(TimeUnit.Second);
            case "time32:ms": return new Time32Type(TimeUnit.Millisecond);
            case "time64:us": return new Time64Type(TimeUnit.Microsecond);
            case "time64:ns": return new Time64Type(TimeUnit.Nanosecond);
        }

        var parts = logicalType.Split(':');
        switch (parts[0])
        {
            case "timestamp" when parts.Length == 3 && TryParseUnit(parts[1]) is { } unit:
                return new TimestampType(unit, parts[2] == "-" ? (string?)null : parts[2]);
            case "duration" when parts.Length == 2 && TryParseUnit(parts[1]) is { } unit:
                return DurationType.FromTimeUnit(unit);
            case "decimal" when parts.Length == 4 && parts[1] is "128" or "256"
                && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int precision)
                && int.TryParse(parts[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int scale)
                && precision > 0 && precision <= (parts[1] == "128" ? 38 : 76):
                return parts[1] == "128" ? new Decimal128Type(precision, scale) : new Decimal256Type(precision, scale);
            case "dict" when parts.Length == 4
                && TryGetArrowType(parts[1]) is { } valueType && IsVariableWidth(valueType)
                && TryGetArrowType(parts[2]) is { } keyType && IsDictionaryKey(keyType):
                return new DictionaryType(keyType, valueType, false);
            case "fixed_size_binary" when parts.Length == 2
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int width) && width > 0:
                return new FixedSizeBinaryType(width);
        }

        if (logicalType.StartsWith(FixedSizeListPrefix, StringComparison.Ordinal))
        {
            // "fixed_size_list:<item type>:<dimension>"; the item type never contains ':' for the types we accept.
            var rest = logicalType.AsSpan(FixedSizeListPrefix.Length);
            int colon = rest.LastIndexOf(':');
            if (colon > 0
                && int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int dimension)
                && dimension > 0
                && TryGetArrowType(rest[..colon].ToString()) is { } itemType
                && IsVectorItem(itemType))
            {
                // Arrow's convention (and LanceDB's): the item field is called "item" and is nullable.
                return new FixedSizeListType(new Field("item", itemType, nullable: true), dimension);
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="logicalType"/> names a node with child fields (list or struct).</summary>
    public static bool IsNested(string logicalType) => logicalType is "struct" or "list" or "list.struct" or "large_list" or "large_list.struct";

    /// <summary>
    /// The width of one value in bits for fixed-width types (1 for bool, items × item width for
    /// fixed-size lists), or 0 for variable-width and nested types.
    /// </summary>
    public static int FixedWidthBits(IArrowType type) => type switch
    {
        BooleanType => 1,
        DictionaryType => 0,
        FixedSizeListType fsl => FixedWidthBits(fsl.ValueDataType) * fsl.ListSize,
        FixedSizeBinaryType binary => binary.ByteWidth * 8, // decimals too (Arrow's BitWidth is not the value width here)
        FixedWidthType fixedWidth => fixedWidth.BitWidth,
        _ => 0,
    };

    /// <summary>Whether values of <paramref name="type"/> are variable-width bytes (strings and binaries).</summary>
    public static bool IsVariableWidth(IArrowType type) =>
        type is StringType or BinaryType or LargeStringType or LargeBinaryType;

    /// <summary>Whether <paramref name="type"/> uses 64-bit offsets (the "large" variants).</summary>
    public static bool HasLargeOffsets(IArrowType type) => type is LargeStringType or LargeBinaryType;

    private static string UnitName(TimeUnit unit) => unit switch
    {
        TimeUnit.Second => "s",
        TimeUnit.Millisecond => "ms",
        TimeUnit.Microsecond => "us",
        _ => "ns",
    };

    private static TimeUnit? TryParseUnit(string name) => name switch
    {
        "s" => TimeUnit.Second,
        "ms" => TimeUnit.Millisecond,
        "us" => TimeUnit.Microsecond,
        "ns" => TimeUnit.Nanosecond,
        _ => null,
    };

    // Vector items: fixed-width numbers of whole bytes (no bools, no nested or binary types).
    private static bool IsVectorItem(IArrowType type) =>
        type is Int8Type or UInt8Type or Int16Type or UInt16Type or Int32Type or UInt32Type or Int64Type or UInt64Type
            or HalfFloatType or FloatType or DoubleType;
}
