using System.Numerics;
using Apache.Arrow.Types;

namespace Lance.Engine.Query.Filtering;

/// <summary>What kind of values an expression yields while it is evaluated.</summary>
internal enum ValueKind
{
    /// <summary>The type of a bare <c>NULL</c>.</summary>
    Null,

    /// <summary>True or false.</summary>
    Boolean,

    /// <summary>Any integer column or literal, evaluated as <see cref="long"/> (a <c>uint64</c> as its bits); <see cref="FilterType.Number"/> says which.</summary>
    Integer,

    /// <summary>Any floating-point column or literal, evaluated as <see cref="double"/> holding a value of <see cref="FilterType.Number"/>'s width.</summary>
    Float,

    /// <summary>UTF-8 text.</summary>
    String,

    /// <summary>Bytes.</summary>
    Binary,

    /// <summary>Days since 1970-01-01.</summary>
    Date,

    /// <summary>Ticks since 1970-01-01T00:00:00 UTC, in the vector's <see cref="TimeUnit"/>.</summary>
    Timestamp,

    /// <summary>A struct or another value only <c>IS [NOT] NULL</c> applies to.</summary>
    Other,

    /// <summary>A decimal: an unscaled integer and the type's scale (<see cref="FilterType.Precision"/>, <see cref="FilterType.Scale"/>).</summary>
    Decimal,

    /// <summary>A time of day: ticks since midnight in the vector's <see cref="TimeUnit"/>.</summary>
    Time,

    /// <summary>A list (list, large list, fixed-size list): offsets into a vector of items.</summary>
    List,
}

/// <summary>The Arrow numeric type behind an integer, float or decimal value: DataFusion types arithmetic by it.</summary>
internal enum NumberType : byte
{
    /// <summary>Not a number.</summary>
    None,

    /// <summary><c>int8</c>.</summary>
    Int8,

    /// <summary><c>int16</c>.</summary>
    Int16,

    /// <summary><c>int32</c>.</summary>
    Int32,

    /// <summary><c>int64</c> (and every integer literal).</summary>
    Int64,

    /// <summary><c>uint8</c>.</summary>
    UInt8,

    /// <summary><c>uint16</c>.</summary>
    UInt16,

    /// <summary><c>uint32</c>.</summary>
    UInt32,

    /// <summary><c>uint64</c>.</summary>
    UInt64,

    /// <summary><c>float16</c>.</summary>
    Float16,

    /// <summary><c>float32</c>.</summary>
    Float32,

    /// <summary><c>float64</c> (and every literal with a point or an exponent).</summary>
    Float64,

    /// <summary><c>decimal128(p, s)</c>.</summary>
    Decimal128,

    /// <summary><c>decimal256(p, s)</c>.</summary>
    Decimal256,
}

/// <summary>The type of an expression: its kind, for timestamps and times the unit of its ticks, for numbers the Arrow number type.</summary>
internal readonly record struct FilterType(ValueKind Kind, TimeUnit Unit = TimeUnit.Microsecond)
{
    /// <summary>The Arrow number type of an integer, float or decimal.</summary>
    public NumberType Number { get; init; }

    /// <summary>A decimal's precision.</summary>
    public byte Precision { get; init; }

    /// <summary>A decimal's scale.</summary>
    public sbyte Scale { get; init; }

    public static FilterType Null => new(ValueKind.Null);

    public static FilterType Boolean => new(ValueKind.Boolean);

    /// <summary><c>int64</c>, the type of integer literals.</summary>
    public static FilterType Integer => Of(NumberType.Int64);

    /// <summary><c>float64</c>, the type of float literals.</summary>
    public static FilterType Float => Of(NumberType.Float64);

    public static FilterType String => new(ValueKind.String);

    public bool IsNumeric => Kind is ValueKind.Integer or ValueKind.Float or ValueKind.Decimal;

    /// <summary>Whether this is an unsigned integer type.</summary>
    public bool IsUnsigned => Number is NumberType.UInt8 or NumberType.UInt16 or NumberType.UInt32 or NumberType.UInt64;

    /// <summary>The type of an integer or float number type.</summary>
    public static FilterType Of(NumberType number) => number switch
    {
        NumberType.Float16 or NumberType.Float32 or NumberType.Float64 => new FilterType(ValueKind.Float) { Number = number },
        _ => new FilterType(ValueKind.Integer) { Number = number },
    };

    /// <summary>A decimal type.</summary>
    public static FilterType Decimal(NumberType number, int precision, int scale)
        => new(ValueKind.Decimal) { Number = number, Precision = (byte)precision, Scale = (sbyte)scale };

    public string Describe() => Kind switch
    {
        ValueKind.Timestamp => "timestamp",
        ValueKind.Decimal => $"{(Number == NumberType.Decimal256 ? "decimal256" : "decimal128")}({Precision}, {Scale})",
        ValueKind.Integer or ValueKind.Float => Number.ToString().ToLowerInvariant(),
        _ => Kind.ToString().ToLowerInvariant(),
    };
}

/// <summary>
/// The values of one expression over the rows of a batch: one typed array (no boxing), an optional
/// validity array (null when every row is valid), or a single value broadcast to every row.
/// </summary>
internal sealed class ColumnVector
{
    private readonly Func<ColumnVector>? _items;
    private ColumnVector? _itemsValue;

    private ColumnVector(FilterType type, int length, bool isScalar, Func<ColumnVector>? items = null)
    {
        Type = type;
        Length = length;
        IsScalar = isScalar;
        _items = items;
    }

    public FilterType Type { get; }

    public ValueKind Kind => Type.Kind;

    /// <summary>The number of rows the vector stands for.</summary>
    public int Length { get; }

    /// <summary>Whether one value (index 0) stands for every row.</summary>
    public bool IsScalar { get; }

    /// <summary>Per-row validity (false = SQL NULL); null when all rows are valid.</summary>
    public bool[]? Valid { get; private init; }

    public bool[]? Bools { get; private init; }

    /// <summary>Integers (a <c>uint64</c> as its bits), dates (days), timestamps and times (ticks).</summary>
    public long[]? Ints { get; private init; }

    public double[]? Floats { get; private init; }

    /// <summary>Unscaled decimal values.</summary>
    public BigInteger[]? Decimals { get; private init; }

    /// <summary>Strings and binaries.</summary>
    public Utf8Values? Bytes { get; private init; }

    /// <summary>A list's offsets into <see cref="Items"/>: row <c>i</c> holds items <c>[ListOffsets[i], ListOffsets[i + 1])</c>.</summary>
    public int[]? ListOffsets { get; private init; }

    /// <summary>A list's items, read the first time they are needed (IS NULL on a vector column never reads them).</summary>
    public ColumnVector Items => _itemsValue ??= _items!();

    public static ColumnVector OfBools(bool[] values, bool[]? valid, bool isScalar = false)
        => new(FilterType.Boolean, isScalar ? 1 : values.Length, isScalar) { Bools = values, Valid = valid };

    public static ColumnVector OfInts(FilterType type, long[] values, bool[]? valid, bool isScalar = false)
        => new(type, isScalar ? 1 : values.Length, isScalar) { Ints = values, Valid = valid };

    public static ColumnVector OfFloats(double[] values, bool[]? valid, bool isScalar = false)
        => OfFloats(FilterType.Float, values, valid, isScalar);

    public static ColumnVector OfFloats(FilterType type, double[] values, bool[]? valid, bool isScalar = false)
        => new(type, isScalar ? 1 : values.Length, isScalar) { Floats = values, Valid = valid };

    public static ColumnVector OfDecimals(FilterType type, BigInteger[] values, bool[]? valid, bool isScalar = false)
        => new(type, isScalar ? 1 : values.Length, isScalar) { Decimals = values, Valid = valid };

    public static ColumnVector OfBytes(FilterType type, Utf8Values values, bool[]? valid, bool isScalar = false)
        => new(type, isScalar ? 1 : values.Count, isScalar) { Bytes = values, Valid = valid };

    public static ColumnVector OfList(int[] offsets, Func<ColumnVector> items, bool[]? valid)
        => new(new FilterType(ValueKind.List), offsets.Length - 1, false, items) { ListOffsets = offsets, Valid = valid };

    /// <summary>A bare <c>NULL</c>.</summary>
    public static ColumnVector NullScalar => new(FilterType.Null, 1, true) { Valid = [false] };

    /// <summary>A vector whose rows are all null (a bare <c>NULL</c>, or an <c>Other</c> column seen only through IS NULL).</summary>
    public static ColumnVector Nulls(FilterType type, int length) => new(type, length, false) { Valid = new bool[length] };

    /// <summary>A vector of <paramref name="length"/> rows of kind Other with the given validity.</summary>
    public static ColumnVector Opaque(int length, bool[]? valid) => new(new FilterType(ValueKind.Other), length, false) { Valid = valid };

    public bool IsValid(int row) => Valid is null || Valid[IsScalar ? 0 : row];
}
