using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Arrow;

/// <summary>Arrays with no rows, or with only nulls, of a given type.</summary>
internal static class ArrowEmpty
{
    /// <summary>A zero-length array, for results with no rows.</summary>
    public static IArrowArray Create(IArrowType type) => ArrowArrayFactory.BuildArray(Nulls(type, 0));

    /// <summary>An array of <paramref name="length"/> nulls, for a nullable column the added rows leave out.</summary>
    public static IArrowArray CreateNulls(IArrowType type, int length) => ArrowArrayFactory.BuildArray(Nulls(type, length));

    private static ArrayData Nulls(IArrowType type, int length)
    {
        var validity = length == 0 ? ArrowBuffer.Empty : new ArrowBuffer(new byte[(length + 7) / 8]);
        return type switch
        {
            FixedSizeListType list => new ArrayData(type, length, length, 0, [validity], [Zeroed(list.ValueDataType, length * list.ListSize)]),
            StringType or BinaryType => new ArrayData(type, length, length, 0, [validity, new ArrowBuffer(new byte[4 * (length + 1)]), ArrowBuffer.Empty]),
            BooleanType => new ArrayData(type, length, length, 0, [validity, new ArrowBuffer(new byte[(length + 7) / 8])]),
            FixedWidthType fixedWidth => new ArrayData(type, length, length, 0, [validity, new ArrowBuffer(new byte[length * fixedWidth.BitWidth / 8])]),
            _ => throw new NotSupportedException($"Null arrays of Arrow type '{type.Name}' are not supported yet."),
        };
    }

    // The child values under null lists: present (the layout needs them) but never read.
    private static ArrayData Zeroed(IArrowType type, int length) => type switch
    {
        FixedWidthType fixedWidth and not BooleanType => new ArrayData(type, length, 0, 0, [ArrowBuffer.Empty, new ArrowBuffer(new byte[length * fixedWidth.BitWidth / 8])]),
        _ => throw new NotSupportedException($"Lists of Arrow type '{type.Name}' are not supported yet."),
    };
}
