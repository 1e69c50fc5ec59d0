using System.Text;
using Apache.Arrow.Types;

namespace Lance.Engine.Query.Filtering;

/// <summary>
/// The part of <see cref="FilterBinder"/> that binds casts (<c>CAST(x AS t)</c>, <c>arrow_cast</c>) and
/// converts literals to the type of what they are compared with; it works for one binder, passed in.
/// </summary>
internal static class FilterCastBinder
{
    internal static readonly Dictionary<string, (FilterType Type, IArrowType? Arrow)> CastTypes = new(StringComparer.Ordinal)
    {
        ["tinyint"] = (FilterType.Of(NumberType.Int8), Int8Type.Default),
        ["smallint"] = (FilterType.Of(NumberType.Int16), Int16Type.Default),
        ["int"] = (FilterType.Of(NumberType.Int32), Int32Type.Default),
        ["integer"] = (FilterType.Of(NumberType.Int32), Int32Type.Default),
        ["bigint"] = (FilterType.Of(NumberType.Int64), Int64Type.Default),
        ["tinyint unsigned"] = (FilterType.Of(NumberType.UInt8), UInt8Type.Default),
        ["smallint unsigned"] = (FilterType.Of(NumberType.UInt16), UInt16Type.Default),
        ["int unsigned"] = (FilterType.Of(NumberType.UInt32), UInt32Type.Default),
        ["integer unsigned"] = (FilterType.Of(NumberType.UInt32), UInt32Type.Default),
        ["bigint unsigned"] = (FilterType.Of(NumberType.UInt64), UInt64Type.Default),
        ["float"] = (FilterType.Of(NumberType.Float32), FloatType.Default),
        ["real"] = (FilterType.Of(NumberType.Float32), FloatType.Default),
        ["double"] = (FilterType.Of(NumberType.Float64), DoubleType.Default),
        ["string"] = (FilterType.String, StringType.Default),
        ["varchar"] = (FilterType.String, StringType.Default),
        ["binary"] = (new FilterType(ValueKind.Binary), BinaryType.Default),
        ["boolean"] = (FilterType.Boolean, BooleanType.Default),
        ["bool"] = (FilterType.Boolean, BooleanType.Default),
        ["date"] = (new FilterType(ValueKind.Date), Date32Type.Default),
        ["timestamp"] = (new FilterType(ValueKind.Timestamp, TimeUnit.Microsecond), new TimestampType(TimeUnit.Microsecond, (string?)null)),
    };

    internal static BoundNode BindCast(FilterBinder binder, CastExpression cast)
    {
        if (cast.TypeName.StartsWith("decimal", StringComparison.Ordinal))
        {
            return BindDecimalCast(binder, cast);
        }

        if (!CastTypes.TryGetValue(cast.TypeName, out var target))
        {
            throw binder.Error($"unknown type '{cast.TypeName}' in CAST. Types: {string.Join(", ", CastTypes.Keys)}", cast);
        }

        var operand = binder.BindNode(cast.Operand);
        var from = operand.Type.Kind;
        var allowed = from == ValueKind.Null || from == target.Type.Kind || target.Type.Kind switch
        {
            ValueKind.Integer or ValueKind.Float => from is ValueKind.Integer or ValueKind.Float or ValueKind.Decimal or ValueKind.Boolean or ValueKind.String,
            ValueKind.Boolean => from is ValueKind.Integer or ValueKind.Float or ValueKind.String,
            ValueKind.String => from is not (ValueKind.Other or ValueKind.List),
            ValueKind.Binary => from is ValueKind.String,
            ValueKind.Date => from is ValueKind.Timestamp or ValueKind.String,
            ValueKind.Timestamp => from is ValueKind.Date or ValueKind.String,
            _ => false,
        };
        if (!allowed)
        {
            throw binder.Error($"cannot cast {FilterBinder.Describe(cast.Operand, operand)} ({FilterBinder.TypeName(operand)}) to {cast.TypeName}", cast);
        }

        return new BoundCast(operand, target.Type, cast.TypeName, cast.Position);
    }

    /// <summary>
    /// <c>CAST(x AS DECIMAL(p, s))</c>: decimal128(p, s), or decimal256 when p &gt; 38 (DataFusion); a plain
    /// DECIMAL is decimal(38, 10). A constant (text or number) becomes an exact decimal constant, rounded half
    /// away from zero to the scale as Arrow's string-to-decimal cast does; a float or numeric expression is cast row by row.
    /// </summary>
    private static BoundNode BindDecimalCast(FilterBinder binder, CastExpression cast)
    {
        var m = System.Text.RegularExpressions.Regex.Match(cast.TypeName, @"^decimal(?:\((\d+),(\d+)\))?$");
        var precision = m.Success && m.Groups[1].Success ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 38;
        var scale = m.Success && m.Groups[2].Success ? int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : 10;
        if (!m.Success || precision < 1 || precision > NumericTypes.MaxDecimal256Precision || scale > precision)
        {
            throw binder.Error($"invalid type '{cast.TypeName}' in CAST: DECIMAL(p, s) needs 1 <= p <= {NumericTypes.MaxDecimal256Precision} and s <= p", cast);
        }

        var type = FilterType.Decimal(precision > NumericTypes.MaxDecimal128Precision ? NumberType.Decimal256 : NumberType.Decimal128, precision, scale);
        if (cast.Operand is LiteralExpression { Value: { } value } literal && value is string or long or ulong or decimal)
        {
            // A float constant is cast as a float (Arrow: round(value × 10^s)), below.
            var text = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!;
            if (ParseDecimal(text, scale) is not { } unscaled)
            {
                throw binder.Error($"cannot cast '{text}' to {type.Describe()}: not a number", cast);
            }

            if (System.Numerics.BigInteger.Abs(unscaled) >= NumericTypes.Pow10(precision))
            {
                throw binder.Error($"cannot cast '{text}' to {type.Describe()}: it does not fit the precision", cast);
            }

            return new BoundLiteral(Scalars.Decimal(type, unscaled), literal.Position);
        }

        var operand = binder.BindNode(cast.Operand);
        if (operand.Type.Kind is not (ValueKind.Null or ValueKind.Integer or ValueKind.Float or ValueKind.Decimal))
        {
            throw binder.Error($"cannot cast {FilterBinder.Describe(cast.Operand, operand)} ({FilterBinder.TypeName(operand)}) to {type.Describe()}", cast);
        }

        return new BoundCast(operand, type, cast.TypeName, cast.Position);
    }

    /// <summary><paramref name="text"/> (<c>-12.345</c>, <c>1.5e3</c>) as an unscaled decimal of <paramref name="scale"/>, rounded half away from zero; null when it is no number.</summary>
    private static System.Numerics.BigInteger? ParseDecimal(string text, int scale)
    {
        // As Arrow parses a decimal: surrounding blanks ignored, no exponent (LanceDB refuses '1.5e0').
        var m = System.Text.RegularExpressions.Regex.Match(text.Trim(), @"^([+-]?)(\d*)(?:\.(\d*))?$");
        if (!m.Success || m.Groups[2].Length + m.Groups[3].Length == 0)
        {
            return null;
        }

        var digits = m.Groups[2].Value + m.Groups[3].Value;
        var exponent = -m.Groups[3].Length;
        var mantissa = System.Numerics.BigInteger.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
        var shift = exponent + scale;
        System.Numerics.BigInteger unscaled;
        if (shift >= 0)
        {
            unscaled = mantissa * NumericTypes.Pow10(shift);
        }
        else
        {
            var divisor = NumericTypes.Pow10(-shift);
            unscaled = System.Numerics.BigInteger.DivRem(mantissa, divisor, out var remainder);
            if (remainder * 2 >= divisor)
            {
                unscaled += 1;
            }
        }

        return m.Groups[1].Value == "-" ? -unscaled : unscaled;
    }

    /// <summary>The Arrow type names <c>arrow_cast(x, 'Type')</c> of a non-constant takes, as the SQL cast to the same type.</summary>
    private static readonly Dictionary<string, string> ArrowCastOfValues = new(StringComparer.Ordinal)
    {
        ["Int8"] = "tinyint", ["Int16"] = "smallint", ["Int32"] = "int", ["Int64"] = "bigint",
        ["UInt8"] = "tinyint unsigned", ["UInt16"] = "smallint unsigned", ["UInt32"] = "int unsigned", ["UInt64"] = "bigint unsigned",
        ["Float32"] = "float", ["Float64"] = "double", ["Utf8"] = "string", ["Boolean"] = "boolean", ["Date32"] = "date",
    };

    /// <summary>
    /// <c>arrow_cast('text', 'Type')</c>: a constant of an Arrow type that SQL has no literal for (a time, a uint64); or
    /// <c>arrow_cast(x, 'Float64')</c> of a column or expression to a number, text, boolean or date type, as <c>CAST</c> to it.
    /// </summary>
    internal static BoundNode BindArrowCast(FilterBinder binder, FunctionExpression f)
    {
        if (f.Arguments is [not LiteralExpression and var operand, LiteralExpression { Value: string valueType }]
            && ArrowCastOfValues.TryGetValue(valueType, out var castType))
        {
            return BindCast(binder, new CastExpression(operand, castType));
        }

        if (f.Arguments is not [LiteralExpression { Value: { } value } literal, LiteralExpression { Value: string typeName }])
        {
            throw binder.Error($"arrow_cast takes a constant and the name of an Arrow type in quotes, or a value and one of {string.Join(", ", ArrowCastOfValues.Keys)}", f);
        }

        var text = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!;
        var decimalType = System.Text.RegularExpressions.Regex.Match(typeName, @"^Decimal128\((\d+),\s*(\d+)\)$");
        if (decimalType.Success && decimal.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            var (precision, scale) = (int.Parse(decimalType.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(decimalType.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
            var exact = FilterBinder.DecimalScalar(number);
            var unscaled = BoundCast.Rescale(exact.Decimals![0], exact.Type.Scale, scale);
            return new BoundLiteral(Scalars.Decimal(FilterType.Decimal(NumberType.Decimal128, precision, scale), unscaled), f.Position) { Value = number };
        }

        FilterType? type = typeName switch
        {
            "UInt64" => FilterType.Of(NumberType.UInt64),
            "Int64" => FilterType.Of(NumberType.Int64),
            "UInt32" => FilterType.Of(NumberType.UInt32),
            "Int32" => FilterType.Of(NumberType.Int32),
            "UInt16" => FilterType.Of(NumberType.UInt16),
            "Int16" => FilterType.Of(NumberType.Int16),
            "UInt8" => FilterType.Of(NumberType.UInt8),
            "Int8" => FilterType.Of(NumberType.Int8),
            "Float64" => FilterType.Of(NumberType.Float64),
            "Float32" => FilterType.Of(NumberType.Float32),
            "Time64(Microsecond)" or "Time64(µs)" => new FilterType(ValueKind.Time, TimeUnit.Microsecond),
            "Time64(Nanosecond)" or "Time64(ns)" => new FilterType(ValueKind.Time, TimeUnit.Nanosecond),
            "Time32(Millisecond)" or "Time32(ms)" => new FilterType(ValueKind.Time, TimeUnit.Millisecond),
            "Time32(Second)" or "Time32(s)" => new FilterType(ValueKind.Time, TimeUnit.Second),
            _ => null,
        };
        if (type is null)
        {
            throw binder.Error($"arrow_cast to '{typeName}' is not supported here", f);
        }

        var source = new BoundLiteral(Scalars.Bytes(FilterType.String, Encoding.UTF8.GetBytes(text)), literal.Position);
        return binder.Constant(new BoundCast(source, type.Value, typeName, f.Position), f);
    }

    /// <summary>
    /// A literal converted to the type of what it is compared with. Like LanceDB, a literal that the
    /// column's type cannot hold (<c>int32_col = 3000000000</c>, <c>int_col = 1.5</c>, <c>id = 'x'</c>) is an error.
    /// </summary>
    internal static BoundLiteral CoerceLiteral(FilterBinder binder, LiteralExpression literal, BoundNode other, FilterExpression otherExpr)
    {
        var value = literal.Value;
        var target = other.Type;
        if (value is null)
        {
            return BoundLiteral.Null(target.Kind == ValueKind.Other ? FilterType.Null : target, literal.Position);
        }

        var arrow = (other as BoundColumn)?.ArrowType;
        BoundLiteral? result = target.Kind switch
        {
            ValueKind.Integer => value switch
            {
                long l when NumericTypes.Fits(l, target.Number) => Literal(Scalars.Int(target, l)),
                ulong u when NumericTypes.Fits(u, target.Number) => Literal(Scalars.Int(target, unchecked((long)u))),
                _ => null,
            },
            ValueKind.Float => value switch
            {
                long l => Literal(Scalars.Float(target, NumericTypes.Round(l, target.Number))),
                ulong u => Literal(Scalars.Float(target, NumericTypes.Round(u, target.Number))),
                double d => Literal(Scalars.Float(target, NumericTypes.Round(d, target.Number))),
                _ => null,
            },
            ValueKind.Decimal => value switch
            {
                // An integer becomes the column's decimal when it fits its precision; a float never does (LanceDB).
                long or ulong => DecimalLiteral(value is long l ? l : (System.Numerics.BigInteger)(ulong)value),
                _ => null,
            },
            ValueKind.Time => value is TimeOnly time
                ? Literal(Scalars.Int(target, BoundCast.Rescale(time.Ticks / TimeSpan.TicksPerMicrosecond, TimeUnit.Microsecond, target.Unit)))
                : null,
            ValueKind.String => value is string s ? Literal(Scalars.Bytes(target, Encoding.UTF8.GetBytes(s))) : null,
            ValueKind.Binary => value switch
            {
                byte[] bytes => Literal(Scalars.Bytes(target, bytes)),
                string s => Literal(Scalars.Bytes(target, Encoding.UTF8.GetBytes(s))),
                _ => null,
            },
            ValueKind.Boolean => value is bool b ? Literal(Scalars.Bool(b)) : null,
            ValueKind.Date => value switch
            {
                DateOnly d => Literal(Scalars.Int(target, d.DayNumber - BoundCast.UnixEpochDay)),
                DateTime t => Literal(Scalars.Int(target, DateOnly.FromDateTime(FilterBinder.ToUtc(t)).DayNumber - BoundCast.UnixEpochDay)),
                _ => null,
            },
            ValueKind.Timestamp => value switch
            {
                DateTime t => Literal(Scalars.Int(target, BoundCast.ToTicks(InZoneOf(binder, arrow, FilterBinder.ToUtc(t), literal), target.Unit))),
                DateOnly d => Literal(Scalars.Int(target, BoundCast.ToTicks(d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), target.Unit))),
                _ => null,
            },
            ValueKind.Null => FilterBinder.BindLiteral(literal),
            _ => null,
        };
        if (result is not null)
        {
            return result;
        }

        if (target.Kind is ValueKind.Date or ValueKind.Timestamp && value is string text)
        {
            // As in LanceDB: a quoted string is text, not a date; say how to write one.
            var keyword = target.Kind == ValueKind.Date ? "date" : "timestamp";
            throw binder.Error($"cannot compare {FilterBinder.Describe(otherExpr, other)} ({FilterBinder.TypeName(other)}) with the string '{text}'; write {keyword} '{text}'", literal);
        }

        var what = other is BoundColumn column ? $"column '{string.Join(".", column.Path)}' ({FilterBinder.TypeName(other)})" : $"{FilterBinder.Describe(otherExpr, other)} ({FilterBinder.TypeName(other)})";
        throw binder.Error($"cannot compare {what} with {FilterBinder.DescribeLiteral(value)}", literal);

        BoundLiteral Literal(ColumnVector scalar) => new(scalar, literal.Position) { Value = value };

        BoundLiteral? DecimalLiteral(System.Numerics.BigInteger number)
        {
            var unscaled = number * NumericTypes.Pow10(target.Scale);
            return System.Numerics.BigInteger.Abs(unscaled) < NumericTypes.Pow10(target.Precision) ? Literal(Scalars.Decimal(target, unscaled)) : null;
        }
    }

    // As in LanceDB, a timestamp without a zone compared with a column in a named zone is wall-clock
    // time in that zone (timestamp '2024-01-01 09:00' against an America/New_York column is 14:00 UTC).
    private static DateTime InZoneOf(FilterBinder binder, IArrowType? column, DateTime time, LiteralExpression literal)
    {
        if (time.Kind != DateTimeKind.Unspecified || column is not TimestampType { Timezone: { Length: > 0 } zone } || zone is "UTC" or "Etc/UTC" or "+00:00")
        {
            return time;
        }

        try
        {
            return ZoneTime.ToUtc(time, zone);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            throw binder.Error($"the timestamp {new LiteralExpression(time).ToSql()} has no single time in the column's zone '{zone}' ({e.Message})", literal);
        }
    }

    /// <summary>
    /// A float constant beyond the range of the decimal type it is compared in (±∞ included), as the
    /// decimal at that end of the range: LanceDB compares such a bound by its value
    /// (<c>(dec / 127) NOT BETWEEN -32769 AND -9223372036854775808</c> holds for every row) where the cast
    /// to the decimal would fail. NaN and constants in range are cast as usual (null here).
    /// </summary>
    internal static BoundLiteral? Saturated(BoundNode node, FilterType common)
    {
        if (common.Kind != ValueKind.Decimal || node is not BoundLiteral { IsNull: false } literal || literal.Type.Kind != ValueKind.Float)
        {
            return null;
        }

        var value = literal.Scalar.Floats![0];
        var scaled = Math.Round(value * Math.Pow(10, common.Scale), MidpointRounding.AwayFromZero);
        if (double.IsNaN(value) || NumericTypes.FitsPrecision(scaled, common.Precision))
        {
            return null;
        }

        var end = NumericTypes.Pow10(common.Precision) - 1;
        return new BoundLiteral(Scalars.Decimal(common, value > 0 ? end : -end), literal.Position);
    }
}
