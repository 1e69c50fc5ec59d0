using System.Globalization;
using System.Numerics;
using System.Text;
using Apache.Arrow.Types;

namespace Lance.Engine.Query.Filtering;

/// <summary>A conversion, written by the user (<c>CAST</c>) or added by the binder (int → double, date → timestamp).</summary>
internal sealed class BoundCast(BoundNode operand, FilterType target, string targetName, int position) : BoundNode(target, position)
{
    /// <summary>Ticks of each <see cref="TimeUnit"/> in a second, by the unit's value.</summary>
    internal static readonly long[] TicksPerSecond = [1, 1_000, 1_000_000, 1_000_000_000];

    /// <summary>What is converted.</summary>
    public BoundNode Operand => operand;

    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var v = operand.Evaluate(context);
        if (v.Kind == ValueKind.Null)
        {
            return Scalars.Null(Type);
        }

        var n = v.IsScalar ? 1 : v.Length;
        var from = v.Type;
        switch (Type.Kind)
        {
            case ValueKind.Float:
            {
                var result = new double[n];
                for (var i = 0; i < n; i++)
                {
                    var value = from.Kind switch
                    {
                        ValueKind.Float => v.Floats![i],
                        ValueKind.Integer => (double)NumericTypes.Value(v.Ints![i], from.Number),
                        ValueKind.Decimal => NumericTypes.ToDouble(v.Decimals![i]) / Math.Pow(10, from.Scale),
                        ValueKind.Boolean => v.Bools![i] ? 1 : 0,
                        _ => v.IsValid(i) ? ParseDouble(context, v.Bytes![i]) : 0,
                    };
                    result[i] = NumericTypes.Round(value, Type.Number);
                }

                return ColumnVector.OfFloats(Type, result, v.Valid, v.IsScalar);
            }

            case ValueKind.Integer:
            {
                var result = new long[n];
                for (var i = 0; i < n; i++)
                {
                    if (!v.IsValid(i))
                    {
                        continue;
                    }

                    Int128 value = from.Kind switch
                    {
                        ValueKind.Integer => NumericTypes.Value(v.Ints![i], from.Number),
                        ValueKind.Float => FloatToInt(context, v.Floats![i]),
                        ValueKind.Decimal => DecimalToInt(context, BigInteger.Divide(v.Decimals![i], NumericTypes.Pow10(from.Scale))),
                        ValueKind.Boolean => v.Bools![i] ? 1 : 0,
                        _ => ParseInteger(context, v.Bytes![i]),
                    };
                    if (!NumericTypes.Fits(value, Type.Number))
                    {
                        throw context.Error($"cannot cast the value {value} to {targetName}: it is out of range", Position);
                    }

                    result[i] = value > long.MaxValue ? unchecked((long)(ulong)value) : (long)value;
                }

                return ColumnVector.OfInts(Type, result, v.Valid, v.IsScalar);
            }

            case ValueKind.Decimal:
            {
                var result = new BigInteger[n];
                var scale = NumericTypes.Pow10(Type.Scale);
                for (var i = 0; i < n; i++)
                {
                    if (!v.IsValid(i))
                    {
                        continue;
                    }

                    result[i] = from.Kind switch
                    {
                        ValueKind.Integer => (BigInteger)NumericTypes.Value(v.Ints![i], from.Number) * scale,
                        ValueKind.Decimal => Rescale(v.Decimals![i], from.Scale, Type.Scale),
                        _ => FloatToDecimal(context, v.Floats![i]),
                    };
                }

                return ColumnVector.OfDecimals(Type, result, v.Valid, v.IsScalar);
            }

            case ValueKind.Boolean:
            {
                var result = new bool[n];
                for (var i = 0; i < n; i++)
                {
                    result[i] = from.Kind switch
                    {
                        ValueKind.Boolean => v.Bools![i],
                        ValueKind.Integer => v.Ints![i] != 0,
                        ValueKind.Float => v.Floats![i] != 0,
                        _ => v.IsValid(i) && ParseBool(context, v.Bytes![i]),
                    };
                }

                return ColumnVector.OfBools(result, v.Valid, v.IsScalar);
            }

            case ValueKind.String or ValueKind.Binary:
            {
                if (from.Kind is ValueKind.String or ValueKind.Binary)
                {
                    return ColumnVector.OfBytes(Type, v.Bytes!, v.Valid, v.IsScalar);
                }

                var builder = new Utf8Values.Builder(n, n * 8);
                for (var i = 0; i < n; i++)
                {
                    var text = !v.IsValid(i) ? "" : from.Kind switch
                    {
                        ValueKind.Integer => NumericTypes.Value(v.Ints![i], from.Number).ToString(CultureInfo.InvariantCulture),
                        ValueKind.Decimal => DecimalText(v.Decimals![i], from.Scale),
                        ValueKind.Float => FloatText.Format(v.Floats![i], from.Number),
                        ValueKind.Boolean => v.Bools![i] ? "true" : "false",
                        ValueKind.Date => DateOnly.FromDayNumber(UnixEpochDay + (int)v.Ints![i]).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                        _ => ToDateTime(v.Ints![i], from.Unit).ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.'),
                    };
                    builder.Append(Encoding.UTF8.GetBytes(text));
                }

                return ColumnVector.OfBytes(Type, builder.Build(), v.Valid, v.IsScalar);
            }

            case ValueKind.Date:
            {
                var result = new long[n];
                for (var i = 0; i < n; i++)
                {
                    result[i] = from.Kind switch
                    {
                        ValueKind.Date => v.Ints![i],
                        ValueKind.Timestamp => FloorDiv(v.Ints![i], TicksPerSecond[(int)from.Unit] * 86_400),
                        _ => v.IsValid(i) ? ParseDate(context, v.Bytes![i]) : 0,
                    };
                }

                return ColumnVector.OfInts(Type, result, v.Valid, v.IsScalar);
            }

            case ValueKind.Timestamp:
            {
                var result = new long[n];
                for (var i = 0; i < n; i++)
                {
                    result[i] = from.Kind switch
                    {
                        ValueKind.Timestamp => Rescale(v.Ints![i], from.Unit, Type.Unit),
                        ValueKind.Date => v.Ints![i] * 86_400 * TicksPerSecond[(int)Type.Unit],
                        _ => v.IsValid(i) ? ParseTimestamp(context, v.Bytes![i], Type.Unit) : 0,
                    };
                }

                return ColumnVector.OfInts(Type, result, v.Valid, v.IsScalar);
            }

            case ValueKind.Time:
            {
                var result = new long[n];
                for (var i = 0; i < n; i++)
                {
                    result[i] = from.Kind switch
                    {
                        ValueKind.Time => Rescale(v.Ints![i], from.Unit, Type.Unit),
                        _ => v.IsValid(i) ? ParseTime(context, v.Bytes![i], Type.Unit) : 0,
                    };
                }

                return ColumnVector.OfInts(Type, result, v.Valid, v.IsScalar);
            }

            default:
                throw context.Error($"cannot cast to {targetName}", Position);
        }
    }

    public static readonly int UnixEpochDay = new DateOnly(1970, 1, 1).DayNumber;

    /// <summary>Ticks of <paramref name="from"/> as ticks of <paramref name="to"/> (truncating toward −∞ when coarser).</summary>
    public static long Rescale(long value, TimeUnit from, TimeUnit to)
    {
        var f = TicksPerSecond[(int)from];
        var t = TicksPerSecond[(int)to];
        return f == t ? value : t > f ? value * (t / f) : FloorDiv(value, f / t);
    }

    public static long ToTicks(DateTime time, TimeUnit unit)
    {
        var ticks = time.Ticks - DateTime.UnixEpoch.Ticks; // 100 ns
        return unit switch
        {
            TimeUnit.Second => FloorDiv(ticks, TimeSpan.TicksPerSecond),
            TimeUnit.Millisecond => FloorDiv(ticks, TimeSpan.TicksPerMillisecond),
            TimeUnit.Microsecond => FloorDiv(ticks, 10),
            _ => ticks * 100,
        };
    }

    public static DateTime ToDateTime(long value, TimeUnit unit) => unit switch
    {
        TimeUnit.Second => DateTime.UnixEpoch.AddTicks(value * TimeSpan.TicksPerSecond),
        TimeUnit.Millisecond => DateTime.UnixEpoch.AddTicks(value * TimeSpan.TicksPerMillisecond),
        TimeUnit.Microsecond => DateTime.UnixEpoch.AddTicks(value * 10),
        _ => DateTime.UnixEpoch.AddTicks(FloorDiv(value, 100)),
    };

    private static long FloorDiv(long a, long b) => (a / b) - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);

    private Int128 FloatToInt(EvaluationContext context, double value)
    {
        if (double.IsNaN(value) || value >= 1.8446744073709552E19 || value < -9.2233720368547758E18)
        {
            throw context.Error($"cannot cast {value.ToString(CultureInfo.InvariantCulture)} to {targetName}", Position);
        }

        return (Int128)Math.Truncate(value);
    }

    private Int128 DecimalToInt(EvaluationContext context, BigInteger value)
        => value >= long.MinValue && value <= ulong.MaxValue
            ? (Int128)value
            : throw context.Error($"cannot cast the value {value} to {targetName}: it is out of range", Position);

    private BigInteger FloatToDecimal(EvaluationContext context, double value)
    {
        // Arrow: round(value × 10^scale), half away from zero; a value that does not fit is an error.
        var scaled = Math.Round(value * Math.Pow(10, Type.Scale), MidpointRounding.AwayFromZero);
        if (!NumericTypes.FitsPrecision(scaled, Type.Precision))
        {
            throw context.Error($"cannot cast {value.ToString(CultureInfo.InvariantCulture)} to {Type.Describe()}", Position);
        }

        return new BigInteger(scaled);
    }

    /// <summary>An unscaled decimal of scale <paramref name="from"/> as one of scale <paramref name="to"/> (coercions only ever widen the scale).</summary>
    public static BigInteger Rescale(BigInteger value, int from, int to)
        => to >= from ? value * NumericTypes.Pow10(to - from) : BigInteger.Divide(value, NumericTypes.Pow10(from - to));

    /// <summary>A decimal as text with all of its scale's digits (<c>1.50</c>).</summary>
    public static string DecimalText(BigInteger unscaled, int scale)
    {
        var digits = BigInteger.Abs(unscaled).ToString(CultureInfo.InvariantCulture).PadLeft(scale + 1, '0');
        var text = scale == 0 ? digits : digits[..^scale] + "." + digits[^scale..];
        return unscaled.Sign < 0 ? "-" + text : text;
    }

    private Int128 ParseInteger(EvaluationContext context, ReadOnlySpan<byte> text)
        => Int128.TryParse(Encoding.UTF8.GetString(text).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
            ? l
            : throw context.Error($"cannot cast the string '{Encoding.UTF8.GetString(text)}' to {targetName}", Position);

    // 'NaN' reads as Rust reads it: the positive quiet NaN (.NET's double.NaN has the sign bit set,
    // which the total order puts below every number).
    private double ParseDouble(EvaluationContext context, ReadOnlySpan<byte> text)
        => double.TryParse(Encoding.UTF8.GetString(text).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? double.IsNaN(d) ? BitConverter.Int64BitsToDouble(0x7FF8000000000000) : d
            : throw context.Error($"cannot cast the string '{Encoding.UTF8.GetString(text)}' to {targetName}", Position);

    private bool ParseBool(EvaluationContext context, ReadOnlySpan<byte> text)
    {
        var s = Encoding.UTF8.GetString(text).Trim().ToLowerInvariant();
        return s switch
        {
            "true" or "t" or "yes" or "1" => true,
            "false" or "f" or "no" or "0" => false,
            _ => throw context.Error($"cannot cast the string '{s}' to {targetName}", Position),
        };
    }

    private long ParseDate(EvaluationContext context, ReadOnlySpan<byte> text)
    {
        var s = Encoding.UTF8.GetString(text).Trim();
        return DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d.DayNumber - UnixEpochDay
            : throw context.Error($"cannot cast the string '{s}' to date", Position);
    }

    private long ParseTime(EvaluationContext context, ReadOnlySpan<byte> text, TimeUnit unit)
    {
        var s = Encoding.UTF8.GetString(text).Trim();
        string[] formats = ["HH:mm:ss", "HH:mm:ss.FFFFFFF", "HH:mm"];
        var fraction = s.IndexOf('.', StringComparison.Ordinal);

        // .NET keeps 100 ns; nanoseconds beyond that are read from the digits themselves.
        var extraNanos = 0L;
        if (fraction >= 0 && s.Length - fraction - 1 > 7)
        {
            extraNanos = long.Parse(s[(fraction + 8)..].PadRight(2, '0')[..2], CultureInfo.InvariantCulture);
            s = s[..(fraction + 8)];
        }

        return TimeOnly.TryParseExact(s, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? Rescale((time.Ticks * 100) + extraNanos, TimeUnit.Nanosecond, unit)
            : throw context.Error($"cannot cast the string '{s}' to a time", Position);
    }

    private long ParseTimestamp(EvaluationContext context, ReadOnlySpan<byte> text, TimeUnit unit)
    {
        var s = Encoding.UTF8.GetString(text);
        return FilterParser.TryParseTimestamp(s, out var time)
            ? ToTicks(time, unit)
            : throw context.Error($"cannot cast the string '{s}' to timestamp", Position);
    }
}

/// <summary>The string and math functions LanceDB users write.</summary>
internal sealed class BoundFunction(string name, IReadOnlyList<BoundNode> arguments, FilterType type, int position) : BoundNode(type, position)
{
    /// <summary>The functions the binder accepts, with their argument count.</summary>
    public static readonly IReadOnlyDictionary<string, int> Arity = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["lower"] = 1,
        ["upper"] = 1,
        ["length"] = 1,
        ["char_length"] = 1,
        ["character_length"] = 1,
        ["octet_length"] = 1,
        ["starts_with"] = 2,
        ["ends_with"] = 2,
        ["contains"] = 2,
        ["abs"] = 1,
        ["isnan"] = 1,
    };

    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var args = arguments.Select(a => a.Evaluate(context)).ToArray();
        if (args.Any(a => a.Kind == ValueKind.Null))
        {
            return Scalars.Null(Type);
        }

        var n = args.All(a => a.IsScalar) ? 1 : context.Length;
        var scalar = n == 1 && args.All(a => a.IsScalar);
        switch (name)
        {
            case "lower" or "upper":
                return ColumnVector.OfBytes(FilterType.String, ChangeCase(args[0], n, name == "upper", full: true), args[0].Valid, scalar);
            case IlikeLower:
                return ColumnVector.OfBytes(FilterType.String, ChangeCase(args[0], n, upper: false, full: false), args[0].Valid, scalar);
            case "length" or "char_length" or "character_length" or "octet_length":
            {
                var result = new long[n];
                var bytes = args[0].Bytes!;
                for (var i = 0; i < n; i++)
                {
                    result[i] = name == "octet_length" ? bytes[i].Length : CountChars(bytes[i]);
                }

                return ColumnVector.OfInts(FilterType.Integer, result, args[0].Valid, scalar);
            }

            case "starts_with" or "ends_with" or "contains":
            {
                var result = new bool[n];
                var (value, part) = (args[0], args[1]);
                for (var i = 0; i < n; i++)
                {
                    var v = value.Bytes![value.IsScalar ? 0 : i];
                    var p = part.Bytes![part.IsScalar ? 0 : i];
                    result[i] = name switch
                    {
                        "starts_with" => v.StartsWith(p),
                        "ends_with" => v.EndsWith(p),
                        _ => v.IndexOf(p) >= 0,
                    };
                }

                return ColumnVector.OfBools(result, scalar ? value.Valid : BothValid(value, part, n), scalar);
            }

            case "isnan":
            {
                var v = args[0];
                var result = new bool[n];
                for (var i = 0; i < n && v.Kind == ValueKind.Float; i++)
                {
                    result[i] = double.IsNaN(v.Floats![i]);
                }

                return ColumnVector.OfBools(result, v.Valid, scalar);
            }

            default: // abs, in the argument's type
            {
                var v = args[0];
                if (v.Kind == ValueKind.Float)
                {
                    var floats = new double[n];
                    for (var i = 0; i < n; i++)
                    {
                        floats[i] = Math.Abs(v.Floats![i]);
                    }

                    return ColumnVector.OfFloats(v.Type, floats, v.Valid, scalar);
                }

                if (v.Kind == ValueKind.Decimal)
                {
                    var decimals = new BigInteger[n];
                    for (var i = 0; i < n; i++)
                    {
                        decimals[i] = BigInteger.Abs(v.Decimals![i]);
                    }

                    return ColumnVector.OfDecimals(v.Type, decimals, v.Valid, scalar);
                }

                var ints = new long[n];
                var (min, _) = NumericTypes.Range(v.Type.Number);
                var signed = NumericTypes.IsSigned(v.Type.Number);
                for (var i = 0; i < n; i++)
                {
                    var x = v.Ints![i];
                    if (signed && x < 0)
                    {
                        // abs(MIN) does not fit the type: DataFusion fails rather than wrap.
                        if (x == min && v.IsValid(i))
                        {
                            throw context.Error($"abs({x}) overflows {v.Type.Describe()}", Position);
                        }

                        x = -x;
                    }

                    ints[i] = x;
                }

                return ColumnVector.OfInts(v.Type, ints, v.Valid, scalar);
            }
        }
    }

    /// <summary>Characters (Unicode scalar values) in UTF-8: bytes that are not continuation bytes.</summary>
    public static int CountChars(ReadOnlySpan<byte> utf8)
    {
        var count = 0;
        foreach (var b in utf8)
        {
            count += (b & 0xC0) != 0x80 ? 1 : 0;
        }

        return count;
    }

    /// <summary>
    /// The operand of <c>ILIKE</c>, case-folded character by character (<see cref="UnicodeCase.Fold"/>, as LanceDB's
    /// case-insensitive match compares characters), not with SQL <c>lower</c>'s full mapping.
    /// </summary>
    public const string IlikeLower = "$ilike_lower";

    /// <summary>
    /// Lower- or upper-cases every value: ASCII in place, other text with Unicode's full mapping as LanceDB's <c>lower</c> and
    /// <c>upper</c> do (<paramref name="full"/>), or else case-folded character by character (for <c>ILIKE</c>).
    /// </summary>
    public static Utf8Values ChangeCase(ColumnVector v, int n, bool upper, bool full)
    {
        var bytes = v.Bytes!;
        var builder = new Utf8Values.Builder(n, bytes.Offsets[n] - bytes.Offsets[0]);
        for (var i = 0; i < n; i++)
        {
            var value = bytes[i];
            if (System.Text.Ascii.IsValid(value))
            {
                var target = builder.Reserve(value.Length);
                if (upper)
                {
                    System.Text.Ascii.ToUpper(value, target, out var written);
                    builder.Commit(written);
                }
                else
                {
                    System.Text.Ascii.ToLower(value, target, out var written);
                    builder.Commit(written);
                }
            }
            else
            {
                var text = Encoding.UTF8.GetString(value);
                builder.Append(Encoding.UTF8.GetBytes(full ? (upper ? UnicodeCase.Upper(text) : UnicodeCase.Lower(text)) : UnicodeCase.Fold(text)));
            }
        }

        return builder.Build();
    }
}

/// <summary><c>a || b</c>: string concatenation.</summary>
internal sealed class BoundConcat(BoundNode left, BoundNode right, int position) : BoundNode(FilterType.String, position)
{
    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var l = left.Evaluate(context);
        var r = right.Evaluate(context);
        if (l.Kind == ValueKind.Null || r.Kind == ValueKind.Null)
        {
            return Scalars.Null(FilterType.String);
        }

        var n = l.IsScalar && r.IsScalar ? 1 : context.Length;
        var builder = new Utf8Values.Builder(n, n * 16);
        for (var i = 0; i < n; i++)
        {
            var a = l.Bytes![l.IsScalar ? 0 : i];
            var b = r.Bytes![r.IsScalar ? 0 : i];
            var target = builder.Reserve(a.Length + b.Length);
            a.CopyTo(target);
            b.CopyTo(target[a.Length..]);
            builder.Commit(a.Length + b.Length);
        }

        return ColumnVector.OfBytes(FilterType.String, builder.Build(), n == 1 ? l.Valid ?? r.Valid : BothValid(l, r, n), n == 1);
    }
}
