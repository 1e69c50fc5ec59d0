using System.Globalization;
using System.Numerics;
using Apache.Arrow.Types;

namespace Lance.Engine.Query.Filtering;

/// <summary>
/// DataFusion's typing of numbers, as LanceDB applies it to filters: which common type two numeric
/// operands are coerced to for a comparison or for arithmetic, how integers of each width wrap, how
/// decimal results are scaled, and how floats are ordered (IEEE total order: <c>-0.0 &lt; 0.0</c>, NaN
/// equal to itself and above +∞, a negated NaN below −∞).
/// </summary>
internal static class NumericTypes
{
    public const int MaxDecimal128Precision = 38;
    public const int MaxDecimal256Precision = 76;

    private static readonly BigInteger Int128Modulus = BigInteger.One << 128;
    private static readonly BigInteger Int256Modulus = BigInteger.One << 256;

    /// <summary>The number type of an Arrow type, or <see cref="NumberType.None"/>.</summary>
    public static NumberType Of(IArrowType type) => type switch
    {
        Int8Type => NumberType.Int8,
        Int16Type => NumberType.Int16,
        Int32Type => NumberType.Int32,
        Int64Type => NumberType.Int64,
        UInt8Type => NumberType.UInt8,
        UInt16Type => NumberType.UInt16,
        UInt32Type => NumberType.UInt32,
        UInt64Type => NumberType.UInt64,
        HalfFloatType => NumberType.Float16,
        FloatType => NumberType.Float32,
        DoubleType => NumberType.Float64,
        Decimal128Type => NumberType.Decimal128,
        Decimal256Type => NumberType.Decimal256,
        _ => NumberType.None,
    };

    public static bool IsSigned(NumberType t) => t is NumberType.Int8 or NumberType.Int16 or NumberType.Int32 or NumberType.Int64;

    /// <summary>The smallest and largest value of an integer type.</summary>
    public static (Int128 Min, Int128 Max) Range(NumberType t) => t switch
    {
        NumberType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
        NumberType.Int16 => (short.MinValue, short.MaxValue),
        NumberType.Int32 => (int.MinValue, int.MaxValue),
        NumberType.UInt8 => (0, byte.MaxValue),
        NumberType.UInt16 => (0, ushort.MaxValue),
        NumberType.UInt32 => (0, uint.MaxValue),
        NumberType.UInt64 => (0, ulong.MaxValue),
        _ => (long.MinValue, long.MaxValue),
    };

    /// <summary>An integer of type <paramref name="t"/> (stored as <see cref="long"/>) as its exact value.</summary>
    public static Int128 Value(long raw, NumberType t) => t == NumberType.UInt64 ? (ulong)raw : raw;

    /// <summary>Whether <paramref name="value"/> is a value of the integer type <paramref name="t"/>.</summary>
    public static bool Fits(Int128 value, NumberType t)
    {
        var (min, max) = Range(t);
        return value >= min && value <= max;
    }

    /// <summary>The low bits of <paramref name="value"/> as a value of the integer type <paramref name="t"/> (two's complement wrap-around).</summary>
    public static long Wrap(long value, NumberType t) => t switch
    {
        NumberType.Int8 => (sbyte)value,
        NumberType.Int16 => (short)value,
        NumberType.Int32 => (int)value,
        NumberType.UInt8 => (byte)value,
        NumberType.UInt16 => (ushort)value,
        NumberType.UInt32 => (uint)value,
        _ => value,
    };

    /// <summary>A double rounded to the float type <paramref name="t"/>.</summary>
    public static double Round(double value, NumberType t) => t switch
    {
        NumberType.Float32 => (float)value,
        NumberType.Float16 => (double)(Half)value,
        _ => value,
    };

    /// <summary>The key whose signed order is the IEEE 754 total order of doubles (Rust's <c>f64::total_cmp</c>, which Arrow's comparisons use).</summary>
    public static long TotalOrderKey(double value)
    {
        var bits = BitConverter.DoubleToInt64Bits(value);
        return bits ^ (long)((ulong)(bits >> 63) >> 1);
    }

    /// <summary>
    /// <paramref name="value"/> rounded to the nearest double, as Arrow's <c>i128 as f64</c> does (a plain
    /// <see cref="BigInteger"/> conversion truncates beyond 2^53, so <c>-9223372036854775662</c> came out 1024 off).
    /// </summary>
    public static double ToDouble(BigInteger value)
        => value >= (BigInteger)Int128.MinValue && value <= (BigInteger)Int128.MaxValue
            ? (double)(Int128)value
            : double.Parse(value.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>
    /// The NaN LanceDB's kernels give for <c>a op b</c> on x86-64, whose sign decides where it falls in the total
    /// order (Arrow leaves NaNs as the processor makes them): when both operands are NaN, the right one's for
    /// <c>+</c> and <c>*</c> of two columns or a constant and a column (the compiled kernels commute them;
    /// <paramref name="rightFirst"/>) and the left one's for <c>-</c>, <c>/</c> and a column <c>+</c>/<c>*</c> a
    /// constant; the one NaN operand when there is one; else (an invalid operation such as <c>inf * 0</c>) the
    /// processor's default NaN, whose sign bit is set. Each case checked against LanceDB.
    /// </summary>
    public static double PropagatedNaN(double a, double b, bool rightFirst)
        => rightFirst && double.IsNaN(b) ? b
            : double.IsNaN(a) ? a
            : double.IsNaN(b) ? b
            : BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8_0000_0000_0000UL));

    /// <summary>DataFusion's common type of two numbers in arithmetic between equal types or types of one family (numerical_coercion).</summary>
    public static FilterType? Numerical(FilterType a, FilterType b)
    {
        var (x, y) = (a.Number, b.Number);
        if (a.Kind is not (ValueKind.Integer or ValueKind.Float) || b.Kind is not (ValueKind.Integer or ValueKind.Float))
        {
            return null;
        }

        if (x == y)
        {
            return a;
        }

        bool Either(NumberType t) => x == t || y == t;
        bool Pair(NumberType p, params NumberType[] q) => (x == p && q.Contains(y)) || (y == p && q.Contains(x));
        NumberType[] signed = [NumberType.Int64, NumberType.Int32, NumberType.Int16, NumberType.Int8];
        if (Either(NumberType.Float64)) return FilterType.Of(NumberType.Float64);
        if (Either(NumberType.Float32)) return FilterType.Of(NumberType.Float32);
        if (Either(NumberType.Float16)) return FilterType.Of(NumberType.Float16);
        if (Pair(NumberType.UInt64, signed)) return FilterType.Decimal(NumberType.Decimal128, 20, 0);
        if (Either(NumberType.UInt64)) return FilterType.Of(NumberType.UInt64);
        if (Either(NumberType.Int64) || Pair(NumberType.UInt32, NumberType.Int32, NumberType.Int16, NumberType.Int8)) return FilterType.Of(NumberType.Int64);
        if (Either(NumberType.UInt32)) return FilterType.Of(NumberType.UInt32);
        if (Either(NumberType.Int32) || Pair(NumberType.UInt16, NumberType.Int16, NumberType.Int8)) return FilterType.Of(NumberType.Int32);
        if (Either(NumberType.UInt16)) return FilterType.Of(NumberType.UInt16);
        if (Either(NumberType.Int16) || Pair(NumberType.Int8, NumberType.UInt8)) return FilterType.Of(NumberType.Int16);
        if (Either(NumberType.Int8)) return FilterType.Of(NumberType.Int8);
        return FilterType.Of(NumberType.UInt8);
    }

    /// <summary>DataFusion's common type of two numbers compared with each other (binary_numeric_coercion): decimals win over floats.</summary>
    public static FilterType? Comparison(FilterType a, FilterType b)
    {
        if (!a.IsNumeric || !b.IsNumeric)
        {
            return null;
        }

        if (a == b)
        {
            return a;
        }

        if (a.Kind == ValueKind.Decimal && b.Kind == ValueKind.Decimal)
        {
            return Wider(a, b);
        }

        if (a.Kind == ValueKind.Decimal || b.Kind == ValueKind.Decimal)
        {
            var (dec, other) = a.Kind == ValueKind.Decimal ? (a, b) : (b, a);
            return Wider(dec, AsDecimal(other, dec.Number));
        }

        return Numerical(a, b);
    }

    /// <summary>
    /// The operand types and the result type of <c>a op b</c>, as DataFusion plans arithmetic: same-type
    /// integers stay in their type (and wrap), mixed types meet in <see cref="Numerical"/>, a decimal
    /// with an integer stays decimal, a decimal with a float becomes float.
    /// </summary>
    public static (FilterType Left, FilterType Right, FilterType Result)? Arithmetic(FilterType a, FilterType b, BinaryOperator op)
    {
        if (!a.IsNumeric || !b.IsNumeric)
        {
            return null;
        }

        if (a.Kind == ValueKind.Decimal || b.Kind == ValueKind.Decimal)
        {
            if (a.Kind == ValueKind.Float || b.Kind == ValueKind.Float)
            {
                var f = a.Kind == ValueKind.Float ? a : b;
                return (f, f, f);
            }

            var variant = a.Number == NumberType.Decimal256 || b.Number == NumberType.Decimal256 ? NumberType.Decimal256 : NumberType.Decimal128;
            var l = a.Kind == ValueKind.Decimal ? a : AsDecimal(a, variant);
            var r = b.Kind == ValueKind.Decimal ? b : AsDecimal(b, variant);
            if (l.Number != r.Number)
            {
                l = r = Wider(l with { Number = variant }, r with { Number = variant });
            }

            return (l, r, DecimalResult(l, r, op));
        }

        var common = Numerical(a, b)!.Value;
        return common.Kind == ValueKind.Decimal ? (common, common, DecimalResult(common, common, op)) : (common, common, common);
    }

    /// <summary>The type of a decimal result (Arrow's rules: + and − keep the larger scale, × adds scales, ÷ adds 4 to the dividend's scale).</summary>
    public static FilterType DecimalResult(FilterType l, FilterType r, BinaryOperator op)
    {
        var max = l.Number == NumberType.Decimal256 ? MaxDecimal256Precision : MaxDecimal128Precision;
        int p1 = l.Precision, s1 = l.Scale, p2 = r.Precision, s2 = r.Scale;
        var (p, s) = op switch
        {
            BinaryOperator.Add or BinaryOperator.Subtract => (Math.Max(p1 - s1, p2 - s2) + Math.Max(s1, s2) + 1, Math.Max(s1, s2)),
            BinaryOperator.Multiply => (p1 + p2 + 1, s1 + s2),
            BinaryOperator.Divide => (p1 - s1 + s2 + Math.Min(s1 + 4, max), Math.Min(s1 + 4, max)),
            _ => (Math.Max(p1 - s1, p2 - s2) + Math.Max(s1, s2), Math.Max(s1, s2)),
        };
        return FilterType.Decimal(l.Number, Math.Min(p, max), Math.Min(s, max));
    }

    /// <summary>The decimal type an integer or float type converts to (Spark's rule, which DataFusion follows).</summary>
    public static FilterType AsDecimal(FilterType t, NumberType variant)
    {
        var (p, s) = t.Number switch
        {
            NumberType.Int8 or NumberType.UInt8 => (3, 0),
            NumberType.Int16 or NumberType.UInt16 => (5, 0),
            NumberType.Int32 or NumberType.UInt32 => (10, 0),
            NumberType.Int64 or NumberType.UInt64 => (20, 0),
            NumberType.Float16 => (6, 3),
            NumberType.Float32 => (14, 7),
            NumberType.Float64 => (30, 15),
            _ => (t.Precision, t.Scale),
        };
        return FilterType.Decimal(variant, p, s);
    }

    private static FilterType Wider(FilterType a, FilterType b)
    {
        var variant = a.Number == NumberType.Decimal256 || b.Number == NumberType.Decimal256 ? NumberType.Decimal256 : NumberType.Decimal128;
        var max = variant == NumberType.Decimal256 ? MaxDecimal256Precision : MaxDecimal128Precision;
        var s = Math.Max(a.Scale, b.Scale);
        var range = Math.Max(a.Precision - a.Scale, b.Precision - b.Scale);
        return FilterType.Decimal(variant, Math.Min(range + s, max), Math.Min(s, max));
    }

    public static BigInteger Pow10(int exponent) => BigInteger.Pow(10, exponent);

    /// <summary>
    /// Whether a float already scaled to a decimal's unscaled units fits that decimal's precision, judged
    /// as Arrow judges it: on the double's exact integer value (the double nearest 10^74 lies below 10^74,
    /// so <c>-1e59</c> fits decimal256(74, 15)), never by comparing two rounded doubles.
    /// </summary>
    public static bool FitsPrecision(double scaled, int precision)
        => double.IsFinite(scaled) && BigInteger.Abs(new BigInteger(scaled)) < Pow10(precision);

    /// <summary>A decimal result wrapped to its storage width, as Arrow's wrapping decimal arithmetic leaves it.</summary>
    public static BigInteger WrapDecimal(BigInteger value, NumberType t)
    {
        var modulus = t == NumberType.Decimal256 ? Int256Modulus : Int128Modulus;
        var half = modulus >> 1;
        if (value >= -half && value < half)
        {
            return value;
        }

        var r = BigInteger.Remainder(value, modulus);
        if (r < 0) r += modulus;
        return r >= half ? r - modulus : r;
    }

    /// <summary>Whether a decimal result fits its storage width (checked division and remainder fail otherwise).</summary>
    public static bool FitsDecimal(BigInteger value, NumberType t)
    {
        var half = (t == NumberType.Decimal256 ? Int256Modulus : Int128Modulus) >> 1;
        return value >= -half && value < half;
    }
}
