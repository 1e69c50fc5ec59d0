using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Arrow;

/// <summary>Arrays with no rows, or with only nulls, of a given type (nested types included).</summary>
internal static class ArrowEmpty
{
    /// <summary>A zero-length array, for results with no rows.</summary>
    public static IArrowArray Create(IArrowType type) => ArrowArrayFactory.BuildArray(Nulls(type, 0, allNull: true));

    /// <summary>An array of <paramref name="length"/> nulls, for a nullable column the added rows leave out.</summary>
    public static IArrowArray CreateNulls(IArrowType type, int length) => ArrowArrayFactory.BuildArray(Nulls(type, length, allNull: true));

    // allNull false: the children under null parents, present (the layout needs them) but never read.
    private static ArrayData Nulls(IArrowType type, int length, bool allNull)
    {
        var validity = !allNull || length == 0 ? ArrowBuffer.Empty : new ArrowBuffer(new byte[(length + 7) / 8]);
        int nulls = allNull ? length : 0;
        return type switch
        {
            NullType => new NullArray(length).Data,
            FixedSizeListType list => new ArrayData(type, length, nulls, 0, [validity], [Nulls(list.ValueDataType, length * list.ListSize, allNull: false)]),
            StringType or BinaryType => new ArrayData(type, length, nulls, 0, [validity, Zeros(4L * (length + 1)), ArrowBuffer.Empty]),
            LargeStringType or LargeBinaryType => new ArrayData(type, length, nulls, 0, [validity, Zeros(8L * (length + 1)), ArrowBuffer.Empty]),
            ListType list => new ArrayData(type, length, nulls, 0, [validity, Zeros(4L * (length + 1))], [Nulls(list.ValueDataType, 0, allNull: false)]),
            LargeListType list => new ArrayData(type, length, nulls, 0, [validity, Zeros(8L * (length + 1))], [Nulls(list.ValueDataType, 0, allNull: false)]),
            StructType structType => new ArrayData(type, length, nulls, 0, [validity], [.. structType.Fields.Select(f => Nulls(f.DataType, length, allNull: false))]),
            DictionaryType dictionary => new ArrayData(
                type, length, nulls, 0, [validity, Zeros((long)length * ((FixedWidthType)dictionary.IndexType).BitWidth / 8)], [],
                Nulls(dictionary.ValueType, 0, allNull: false)),
            BooleanType => new ArrayData(type, length, nulls, 0, [validity, Zeros((length + 7) / 8)]),
            FixedSizeBinaryType binary => new ArrayData(type, length, nulls, 0, [validity, Zeros((long)length * binary.ByteWidth)]),
            FixedWidthType fixedWidth => new ArrayData(type, length, nulls, 0, [validity, Zeros((long)length * fixedWidth.BitWidth / 8)]),
            _ => throw new NotSupportedException($"Null arrays of Arrow type '{type.Name}' are not supported."),
        };
    }

    private static ArrowBuffer Zeros(long bytes) => new(new byte[checked((int)bytes)]);
}
