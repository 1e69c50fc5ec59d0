using Apache.Arrow.Types;

namespace Lance.Engine.Query.Filtering;

/// <summary>What kind of values an expression yields while it is evaluated.</summary>
internal enum ValueKind
{
    /// <summary>The type of a bare <c>NULL</c>.</summary>
    Null,

    /// <summary>True or false.</summary>
    Boolean,

    /// <summary>Any integer column or literal, evaluated as <see cref="long"/>.</summary>
    Integer,

    /// <summary>Any floating-point column or literal, evaluated as <see cref="double"/>.</summary>
    Float,

    /// <summary>UTF-8 text.</summary>
    String,

    /// <summary>Bytes.</summary>
    Binary,

    /// <summary>Days since 1970-01-01.</summary>
    Date,

    /// <summary>Ticks since 1970-01-01T00:00:00 UTC, in the vector's <see cref="TimeUnit"/>.</summary>
    Timestamp,

    /// <summary>A struct, list or vector: only <c>IS [NOT] NULL</c> applies.</summary>
    Other,
}

/// <summary>The type of an expression: its kind, and for timestamps the unit of its ticks.</summary>
internal readonly record struct FilterType(ValueKind Kind, TimeUnit Unit = TimeUnit.Microsecond)
{
    public static FilterType Null => new(ValueKind.Null);

    public static FilterType Boolean => new(ValueKind.Boolean);

    public static FilterType Integer => new(ValueKind.Integer);

    public static FilterType Float => new(ValueKind.Float);

    public static FilterType String => new(ValueKind.String);

    public bool IsNumeric => Kind is ValueKind.Integer or ValueKind.Float;

    public string Describe() => Kind switch
    {
        ValueKind.Timestamp => "timestamp",
        _ => Kind.ToString().ToLowerInvariant(),
    };
}

/// <summary>
/// The values of one expression over the rows of a batch: one typed array (no boxing), an optional
/// validity array (null when every row is valid), or a single value broadcast to every row.
/// </summary>
internal sealed class ColumnVector
{
    private ColumnVector(FilterType type, int length, bool isScalar)
    {
        Type = type;
        Length = length;
        IsScalar = isScalar;
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

    /// <summary>Integers, dates (days) and timestamps (ticks).</summary>
    public long[]? Ints { get; private init; }

    public double[]? Floats { get; private init; }

    /// <summary>Strings and binaries.</summary>
    public Utf8Values? Bytes { get; private init; }

    public static ColumnVector OfBools(bool[] values, bool[]? valid, bool isScalar = false)
        => new(FilterType.Boolean, isScalar ? 1 : values.Length, isScalar) { Bools = values, Valid = valid };

    public static ColumnVector OfInts(FilterType type, long[] values, bool[]? valid, bool isScalar = false)
        => new(type, isScalar ? 1 : values.Length, isScalar) { Ints = values, Valid = valid };

    public static ColumnVector OfFloats(double[] values, bool[]? valid, bool isScalar = false)
        => new(FilterType.Float, isScalar ? 1 : values.Length, isScalar) { Floats = values, Valid = valid };

    public static ColumnVector OfBytes(FilterType type, Utf8Values values, bool[]? valid, bool isScalar = false)
        => new(type, isScalar ? 1 : values.Count, isScalar) { Bytes = values, Valid = valid };

    /// <summary>A bare <c>NULL</c>.</summary>
    public static ColumnVector NullScalar => new(FilterType.Null, 1, true) { Valid = [false] };

    /// <summary>A vector whose rows are all null (a bare <c>NULL</c>, or an <c>Other</c> column seen only through IS NULL).</summary>
    public static ColumnVector Nulls(FilterType type, int length) => new(type, length, false) { Valid = new bool[length] };

    /// <summary>A vector of <paramref name="length"/> rows of kind Other with the given validity.</summary>
    public static ColumnVector Opaque(int length, bool[]? valid) => new(new FilterType(ValueKind.Other), length, false) { Valid = valid };

    public bool IsValid(int row) => Valid is null || Valid[IsScalar ? 0 : row];
}
