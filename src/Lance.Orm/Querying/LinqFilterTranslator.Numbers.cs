using System.Linq.Expressions;
using Apache.Arrow.Types;
using Lance.Engine.Query;

namespace Lance.Orm;

// Numbers as C# computes them: the widened type of arithmetic, integer members against floating-point bounds, narrowing
// casts; and string concatenation with C#'s null rule.
internal sealed partial class LinqFilterTranslator
{
    /// <summary>
    /// An operand of C# arithmetic done in <paramref name="resultType"/>: a row value of a narrower number type is cast to it
    /// first, as C# widens it, so that <c>(double)x.Id / x.Count</c> divides in double precision and <c>(long)x.A * x.B</c>
    /// multiplies in 64 bits, where SQL would divide integers or multiply in 32 bits.
    /// </summary>
    private FilterNode Operand(Expression operand, Expression other, Type resultType)
    {
        var value = Value(operand, other);
        var stripped = StripConvert(operand);
        var from = Nullable.GetUnderlyingType(stripped.Type) ?? stripped.Type;
        var to = Nullable.GetUnderlyingType(resultType) ?? resultType;
        if (!DependsOnRow(stripped))
        {
            // A constant in 32-bit or unsigned arithmetic on a row value takes C#'s type: SQL would read the literal as a
            // 64-bit integer and widen the arithmetic, where C# wraps (x.Count * 100000 past int.MaxValue is negative).
            var literalType = Type.GetTypeCode(to) switch
            {
                TypeCode.Int32 => "Int32",
                TypeCode.UInt32 => "UInt32",
                TypeCode.UInt64 => "UInt64",
                _ => null,
            };
            return literalType is not null && DependsOnRow(other) && value is FilterLiteral
                ? new FilterFunction("arrow_cast", [value, new FilterLiteral(literalType)])
                : value;
        }

        if (from == to || from.IsEnum)
        {
            return value;
        }

        var otherType = Nullable.GetUnderlyingType(StripConvert(other).Type) ?? StripConvert(other).Type;
        if (to == typeof(decimal) && Type.GetTypeCode(from) is >= TypeCode.SByte and <= TypeCode.UInt64
            && Type.GetTypeCode(otherType) is >= TypeCode.SByte and <= TypeCode.UInt64)
        {
            throw Unsupported(operand, "decimal arithmetic on integers would run as integer arithmetic in SQL; compare the integers, or store the member as decimal");
        }

        var arrowType = Type.GetTypeCode(to) switch
        {
            TypeCode.Double => "Float64",
            TypeCode.Single => "Float32",
            TypeCode.Int64 => "Int64",
            TypeCode.Int32 => "Int32",
            _ => null,
        };
        return arrowType is null ? value : new FilterFunction("arrow_cast", [value, new FilterLiteral(arrowType)]);
    }

    /// <summary>
    /// <c>a + b</c> and <c>string.Concat(a, b, ...)</c> of strings as SQL's <c>concat</c>, where a null part adds nothing
    /// (as in C#; SQL's <c>||</c> would make the whole null). Nested additions are flattened into one call.
    /// </summary>
    private FilterFunction Concat(IEnumerable<Expression> parts)
    {
        var flat = new List<FilterNode>();
        foreach (var part in parts)
        {
            var value = Value(part);
            if (value is FilterFunction { Name: "concat" } inner)
            {
                flat.AddRange(inner.Arguments);
            }
            else
            {
                flat.Add(value);
            }
        }

        return new FilterFunction("concat", flat);
    }

    private static ComparisonOperator Mirror(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Less => ComparisonOperator.Greater,
        ComparisonOperator.LessOrEqual => ComparisonOperator.GreaterOrEqual,
        ComparisonOperator.Greater => ComparisonOperator.Less,
        ComparisonOperator.GreaterOrEqual => ComparisonOperator.LessOrEqual,
        _ => op,
    };

    /// <summary>
    /// The integer comparison meaning what <c>column op number</c> means in C#, or what it always is, or (<paramref name="AnyValue"/>)
    /// true for every row holding a value.
    /// </summary>
    private sealed record IntegerComparison(Expression? Constant, ComparisonOperator Op, bool? Always, bool AnyValue = false);

    /// <summary>
    /// <c>x.Id &gt; 118.5</c>, <c>x.Rank == 3.0</c>: an integer column compared with a floating-point constant, as C# compares
    /// them (in double precision), rewritten over integers: <c>id &gt; 118</c>, <c>rank = 3</c>; <c>==</c> a fraction is never
    /// true and <c>!=</c> always is, NaN compares false. Null when <paramref name="column"/> is not an integer column or
    /// <paramref name="constant"/> not a float constant.
    /// </summary>
    private IntegerComparison? IntegerBound(Expression column, Expression constant, ComparisonOperator op)
    {
        if (column is not MemberExpression m || ColumnPath(m) is not { } path || FieldType(path) is not { } type
            || IntegerRange(type) is not var (lowest, highest)
            || DependsOnRow(constant) || Evaluate(constant) is not { } number || number is not (double or float))
        {
            return null;
        }

        var value = Convert.ToDouble(number, System.Globalization.CultureInfo.InvariantCulture);
        if (double.IsNaN(value))
        {
            return new IntegerComparison(null, op, op == ComparisonOperator.NotEqual);
        }

        // Beyond decimal's range every integer is below (above) the bound; decimals hold the rest exactly.
        const double Beyond = 1e28;
        decimal Clamp(double v) => v >= Beyond ? highest + 1 : v <= -Beyond ? lowest - 1 : (decimal)v;
        if (op is ComparisonOperator.Equal or ComparisonOperator.NotEqual)
        {
            var equal = double.IsInteger(value) && Math.Abs(value) < Beyond && (decimal)value >= lowest && (decimal)value <= highest;
            return equal ? new IntegerComparison(Bound((decimal)value), op, null) : new IntegerComparison(null, op, op == ComparisonOperator.NotEqual);
        }

        // Over integers: c > v is c > floor(v), c >= v is c > ceil(v) - 1, c < v is c < ceil(v), c <= v is c < floor(v) + 1.
        if (op is ComparisonOperator.Greater or ComparisonOperator.GreaterOrEqual)
        {
            var k = op == ComparisonOperator.Greater ? Clamp(Math.Floor(value)) : Clamp(Math.Ceiling(value)) - 1;
            return k >= highest ? new IntegerComparison(null, op, false)
                : k < lowest ? new IntegerComparison(null, op, null, AnyValue: true)
                : new IntegerComparison(Bound(k), ComparisonOperator.Greater, null);
        }

        var limit = op == ComparisonOperator.Less ? Clamp(Math.Ceiling(value)) : Clamp(Math.Floor(value)) + 1;
        return limit <= lowest ? new IntegerComparison(null, op, false)
            : limit > highest ? new IntegerComparison(null, op, null, AnyValue: true)
            : new IntegerComparison(Bound(limit), ComparisonOperator.Less, null);

        static ConstantExpression Bound(decimal k) => k > long.MaxValue ? Expression.Constant((ulong)k) : Expression.Constant((long)k);
    }

    /// <summary>The values an integer column holds, or null for another type.</summary>
    private static (decimal Lowest, decimal Highest)? IntegerRange(IArrowType type) => type switch
    {
        Int8Type => (sbyte.MinValue, sbyte.MaxValue),
        Int16Type => (short.MinValue, short.MaxValue),
        Int32Type => (int.MinValue, int.MaxValue),
        Int64Type => (long.MinValue, long.MaxValue),
        UInt8Type => (0, byte.MaxValue),
        UInt16Type => (0, ushort.MaxValue),
        UInt32Type => (0, uint.MaxValue),
        UInt64Type => (0, ulong.MaxValue),
        _ => null,
    };

    /// <summary>
    /// Whether a cast between two numeric types can change the value (<c>(int)x.Score</c>, <c>(float)x.Ratio</c>,
    /// <c>(int)x.Count64</c>): only C#'s implicit numeric conversions (and nullable lifts) go without saying; a
    /// narrowing cast stays in the tree, so that it is evaluated with the rest of a captured value, or refused on a column.
    /// </summary>
    private static bool IsNarrowing(Type from, Type to)
    {
        from = Nullable.GetUnderlyingType(from) ?? from;
        to = Nullable.GetUnderlyingType(to) ?? to;
        if (from == to || from.IsEnum || to.IsEnum)
        {
            return false;
        }

        var source = Type.GetTypeCode(from);
        var target = Type.GetTypeCode(to);
        if (source is < TypeCode.Char or > TypeCode.Decimal || target is < TypeCode.Char or > TypeCode.Decimal)
        {
            return false; // not a numeric conversion
        }

        return !(source switch
        {
            TypeCode.SByte => target is TypeCode.Int16 or TypeCode.Int32 or TypeCode.Int64 or TypeCode.Single or TypeCode.Double or TypeCode.Decimal,
            TypeCode.Byte => target is not (TypeCode.SByte or TypeCode.Char),
            TypeCode.Int16 => target is TypeCode.Int32 or TypeCode.Int64 or TypeCode.Single or TypeCode.Double or TypeCode.Decimal,
            TypeCode.UInt16 or TypeCode.Char => target is TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64
                or TypeCode.Single or TypeCode.Double or TypeCode.Decimal || (source == TypeCode.Char && target == TypeCode.UInt16),
            TypeCode.Int32 => target is TypeCode.Int64 or TypeCode.Single or TypeCode.Double or TypeCode.Decimal,
            TypeCode.UInt32 => target is TypeCode.Int64 or TypeCode.UInt64 or TypeCode.Single or TypeCode.Double or TypeCode.Decimal,
            TypeCode.Int64 or TypeCode.UInt64 => target is TypeCode.Single or TypeCode.Double or TypeCode.Decimal,
            TypeCode.Single => target == TypeCode.Double,
            _ => false,
        });
    }
}
