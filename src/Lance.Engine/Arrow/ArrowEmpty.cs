using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Arrow;

/// <summary>Zero-length arrays of a given type, for results with no rows.</summary>
internal static class ArrowEmpty
{
    public static IArrowArray Create(IArrowType type) => ArrowArrayFactory.BuildArray(Data(type));

    private static ArrayData Data(IArrowType type) => type switch
    {
        FixedSizeListType list => new ArrayData(type, 0, 0, 0, [ArrowBuffer.Empty], [Data(list.ValueDataType)]),
        StringType or BinaryType => new ArrayData(type, 0, 0, 0, [ArrowBuffer.Empty, new ArrowBuffer(new byte[4]), ArrowBuffer.Empty]),
        FixedWidthType => new ArrayData(type, 0, 0, 0, [ArrowBuffer.Empty, ArrowBuffer.Empty]),
        _ => throw new NotSupportedException($"Empty arrays of Arrow type '{type.Name}' are not supported yet."),
    };
}
