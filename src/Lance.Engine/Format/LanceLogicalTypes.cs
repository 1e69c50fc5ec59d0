using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Format;

/// <summary>
/// Maps Arrow types to Lance's logical type strings and back. The strings are Lance's
/// (<c>rust/lance-core/src/datatypes.rs</c>): other Lance readers parse them, so they must match exactly.
/// </summary>
internal static class LanceLogicalTypes
{
    private const string FixedSizeListPrefix = "fixed_size_list:";

    /// <summary>The Lance type string of <paramref name="type"/>, or null when this engine cannot store it.</summary>
    public static string? TryGetLogicalType(IArrowType type) => type switch
    {
        BooleanType => "bool",
        Int8Type => "int8",
        UInt8Type => "uint8",
        Int16Type => "int16",
        UInt16Type => "uint16",
        Int32Type => "int32",
        UInt32Type => "uint32",
        Int64Type => "int64",
        UInt64Type => "uint64",
        FloatType => "float",
        DoubleType => "double",
        StringType => "string",
        LargeStringType => "large_string",
        BinaryType => "binary",
        LargeBinaryType => "large_binary",
        // Only vectors of fixed-width numbers: their items are stored flat, with no child field.
        FixedSizeListType fsl when fsl.ValueDataType is not BooleanType && FixedWidthBits(fsl.ValueDataType) > 0
            => string.Create(CultureInfo.InvariantCulture, $"{FixedSizeListPrefix}{TryGetLogicalType(fsl.ValueDataType)}:{fsl.ListSize}"),
        _ => null,
    };

    /// <summary>The Arrow type for a Lance type string, or null when this engine cannot read it.</summary>
    public static IArrowType? TryGetArrowType(string logicalType)
    {
        switch (logicalType)
        {
            case "bool": return BooleanType.Default;
            case "int8": return Int8Type.Default;
            case "uint8": return UInt8Type.Default;
            case "int16": return Int16Type.Default;
            case "uint16": return UInt16Type.Default;
            case "int32": return Int32Type.Default;
            case "uint32": return UInt32Type.Default;
            case "int64": return Int64Type.Default;
            case "uint64": return UInt64Type.Default;
            case "float": return FloatType.Default;
            case "double": return DoubleType.Default;
            case "string": return StringType.Default;
            case "large_string": return LargeStringType.Default;
            case "binary": return BinaryType.Default;
            case "large_binary": return LargeBinaryType.Default;
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
                && itemType is not BooleanType
                && FixedWidthBits(itemType) > 0)
            {
                // Arrow's convention (and LanceDB's): the item field is called "item" and is nullable.
                return new FixedSizeListType(new Field("item", itemType, nullable: true), dimension);
            }
        }

        return null;
    }

    /// <summary>
    /// The width of one value in bits for fixed-width types (1 for bool, items × item width for
    /// fixed-size lists), or 0 for variable-width types.
    /// </summary>
    public static int FixedWidthBits(IArrowType type) => type switch
    {
        BooleanType => 1,
        Int8Type or UInt8Type => 8,
        Int16Type or UInt16Type => 16,
        Int32Type or UInt32Type or FloatType => 32,
        Int64Type or UInt64Type or DoubleType => 64,
        FixedSizeListType fsl => FixedWidthBits(fsl.ValueDataType) * fsl.ListSize,
        _ => 0,
    };

    /// <summary>Whether values of <paramref name="type"/> are variable-width bytes (strings and binaries).</summary>
    public static bool IsVariableWidth(IArrowType type) =>
        type is StringType or BinaryType or LargeStringType or LargeBinaryType;

    /// <summary>Whether <paramref name="type"/> uses 64-bit offsets (the "large" variants).</summary>
    public static bool HasLargeOffsets(IArrowType type) => type is LargeStringType or LargeBinaryType;
}
