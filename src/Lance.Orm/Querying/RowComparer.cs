using Apache.Arrow;
using Apache.Arrow.Arrays;

namespace Lance.Orm;

/// <summary>Compares two rows of one Arrow column, as LanceDB's sort does: nulls placed as asked, NaN above every number, strings and bytes by their bytes.</summary>
internal static class RowComparer
{
    public static Comparison<int> For(IArrowArray array, ColumnOrder order, string table)
    {
        var values = Values(array) ?? throw new NotSupportedException(
            $"Cannot order table '{table}' by '{order.Column}': its type {Lance.Engine.Arrow.ArrowArrays.Describe(array.Data.DataType)} has no order (sort by a number, string, bool, date, time, timestamp, decimal or binary column).");
        var sign = order.Descending ? -1 : 1;
        var nulls = order.NullsFirst ? -1 : 1;
        return (a, b) =>
        {
            var aNull = array.IsNull(a);
            var bNull = array.IsNull(b);
            if (aNull || bNull)
            {
                return aNull == bNull ? 0 : aNull ? nulls : -nulls;
            }

            return sign * values(a, b);
        };
    }

    private static Comparison<int>? Values(IArrowArray array) => array switch
    {
        Int8Array a => Primitive(a),
        Int16Array a => Primitive(a),
        Int32Array a => Primitive(a),
        Int64Array a => Primitive(a),
        UInt8Array a => Primitive(a),
        UInt16Array a => Primitive(a),
        UInt32Array a => Primitive(a),
        UInt64Array a => Primitive(a),
        Date32Array a => Primitive(a),
        Date64Array a => Primitive(a),
        TimestampArray a => Primitive(a),
        Time32Array a => Primitive(a),
        Time64Array a => Primitive(a),
        HalfFloatArray a => (x, y) => Total((double)a.Values[x], (double)a.Values[y]),
        FloatArray a => (x, y) => Total(a.Values[x], a.Values[y]),
        DoubleArray a => (x, y) => Total(a.Values[x], a.Values[y]),
        Decimal128Array a => (x, y) => Nullable.Compare(a.GetValue(x), a.GetValue(y)),
        BooleanArray a => (x, y) => a.GetValue(x)!.Value.CompareTo(a.GetValue(y)!.Value),
        StringArray a => (x, y) => a.GetBytes(x).SequenceCompareTo(a.GetBytes(y)),
        LargeStringArray a => (x, y) => a.GetBytes(x).SequenceCompareTo(a.GetBytes(y)),
        BinaryArray a => (x, y) => a.GetBytes(x).SequenceCompareTo(a.GetBytes(y)),
        FixedSizeBinaryArray a => (x, y) => Fixed(a, x).SequenceCompareTo(Fixed(a, y)),
        DictionaryArray d when Values(d.Dictionary) is { } inner && d.Indices is IArrowArray indices => (x, y) => inner(Index(indices, x), Index(indices, y)),
        _ => null,
    };

    private static Comparison<int> Primitive<T>(PrimitiveArray<T> a)
        where T : struct, IEquatable<T>, IComparable<T>
        => (x, y) => a.Values[x].CompareTo(a.Values[y]);

    /// <summary>IEEE total order as DataFusion sorts floats: NaN above every number.</summary>
    private static int Total(double x, double y) => double.IsNaN(x) ? (double.IsNaN(y) ? 0 : 1) : double.IsNaN(y) ? -1 : x.CompareTo(y);

    private static ReadOnlySpan<byte> Fixed(FixedSizeBinaryArray a, int row)
    {
        var width = ((Apache.Arrow.Types.FixedSizeBinaryType)a.Data.DataType).ByteWidth;
        return a.ValueBuffer.Span.Slice((a.Offset + row) * width, width);
    }

    private static int Index(IArrowArray indices, int row) => indices switch
    {
        Int8Array i => i.Values[row],
        Int16Array i => i.Values[row],
        Int32Array i => i.Values[row],
        Int64Array i => (int)i.Values[row],
        UInt8Array i => i.Values[row],
        UInt16Array i => i.Values[row],
        UInt32Array i => (int)i.Values[row],
        _ => throw new NotSupportedException($"Dictionary indices of type {indices.Data.DataType.Name} are not supported for ordering."),
    };
}
