using System.Numerics;

namespace Lance.Engine.Query.Filtering;

/// <summary>One-row vectors.</summary>
internal static class Scalars
{
    public static ColumnVector Null(FilterType type) => type.Kind switch
    {
        ValueKind.Boolean => ColumnVector.OfBools([false], [false], true),
        ValueKind.Integer or ValueKind.Date or ValueKind.Timestamp or ValueKind.Time => ColumnVector.OfInts(type, [0], [false], true),
        ValueKind.Float => ColumnVector.OfFloats(type, [0], [false], true),
        ValueKind.Decimal => ColumnVector.OfDecimals(type, [BigInteger.Zero], [false], true),
        ValueKind.String or ValueKind.Binary => ColumnVector.OfBytes(type, Utf8Values.Single(""), [false], true),
        _ => ColumnVector.NullScalar,
    };

    public static ColumnVector Bool(bool value) => ColumnVector.OfBools([value], null, true);

    public static ColumnVector Int(FilterType type, long value) => ColumnVector.OfInts(type, [value], null, true);

    public static ColumnVector Float(double value) => ColumnVector.OfFloats([value], null, true);

    public static ColumnVector Float(FilterType type, double value) => ColumnVector.OfFloats(type, [value], null, true);

    public static ColumnVector Decimal(FilterType type, BigInteger value) => ColumnVector.OfDecimals(type, [value], null, true);

    public static ColumnVector Bytes(FilterType type, ReadOnlySpan<byte> value) => ColumnVector.OfBytes(type, Utf8Values.Single(value), null, true);
}
