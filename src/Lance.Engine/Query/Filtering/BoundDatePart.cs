using Apache.Arrow.Types;

namespace Lance.Engine.Query.Filtering;

/// <summary>
/// <c>date_part('year', x)</c> of a date or timestamp (UTC, or without a time zone), as DataFusion answers it: whole
/// numbers (<c>int32</c>) for the calendar and clock parts (<c>dow</c> counts from Sunday = 0, <c>week</c> is the ISO
/// week, <c>millisecond</c> and <c>microsecond</c> count from the start of the minute's second, as seconds times 1,000
/// or 1,000,000 plus the fraction), and <c>float64</c> seconds since 1970 for <c>epoch</c>.
/// </summary>
internal sealed class BoundDatePart(string part, BoundNode operand, int position)
    : BoundNode(part == "epoch" ? FilterType.Float : FilterType.Of(NumberType.Int32), position)
{
    /// <summary>The parts this answers.</summary>
    public static readonly IReadOnlySet<string> Parts = new HashSet<string>(StringComparer.Ordinal)
    {
        "year", "quarter", "month", "week", "day", "hour", "minute", "second", "millisecond", "microsecond", "dow", "doy", "epoch",
    };

    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var v = operand.Evaluate(context);
        if (v.Kind == ValueKind.Null)
        {
            return Scalars.Null(Type);
        }

        var n = v.IsScalar ? 1 : context.Length;
        var ints = new long[n];
        var floats = part == "epoch" ? new double[n] : null;
        for (var i = 0; i < n; i++)
        {
            if (!v.IsValid(i))
            {
                continue;
            }

            // Whole seconds since 1970 and the ticks of the second past them (a date is its midnight).
            var perSecond = v.Kind == ValueKind.Date ? 1 : BoundCast.TicksPerSecond[(int)v.Type.Unit];
            var raw = v.Kind == ValueKind.Date ? v.Ints![i] * 86_400 : v.Ints![i];
            var seconds = Math.DivRem(raw, perSecond, out var fraction);
            if (fraction < 0)
            {
                (seconds, fraction) = (seconds - 1, fraction + perSecond);
            }

            if (floats is not null)
            {
                floats[i] = (double)raw / perSecond;
                continue;
            }

            if (seconds is < -62_135_596_800 or > 253_402_300_799)
            {
                throw context.Error($"date_part('{part}', ...) of {v.Ints![i]} is outside the years 1 to 9999", Position);
            }

            var time = DateTime.UnixEpoch.AddSeconds(seconds);
            var secondOfMinute = time.Second;
            ints[i] = part switch
            {
                "year" => time.Year,
                "quarter" => ((time.Month - 1) / 3) + 1,
                "month" => time.Month,
                "week" => System.Globalization.ISOWeek.GetWeekOfYear(time),
                "day" => time.Day,
                "hour" => time.Hour,
                "minute" => time.Minute,
                "second" => secondOfMinute,
                "millisecond" => (secondOfMinute * 1_000L) + (fraction * 1_000 / perSecond),
                "microsecond" => (secondOfMinute * 1_000_000L) + (fraction * 1_000_000 / perSecond),
                "dow" => (int)time.DayOfWeek,
                _ => time.DayOfYear,
            };
        }

        return floats is not null ? ColumnVector.OfFloats(Type, floats, v.Valid, v.IsScalar) : ColumnVector.OfInts(Type, ints, v.Valid, v.IsScalar);
    }

    /// <summary>Binds <c>date_part(part, x)</c>.</summary>
    public static BoundNode Bind(FilterBinder binder, FunctionExpression f)
    {
        var (part, operand) = BindPartAndOperand(binder, f, Parts);
        return new BoundDatePart(part, operand, f.Position);
    }

    /// <summary>
    /// The constant part (one of <paramref name="parts"/>, lower case) and the date or timestamp operand of
    /// <c>date_part</c> or <c>date_trunc</c>; a timestamp must be UTC or without a zone.
    /// </summary>
    internal static (string Part, BoundNode Operand) BindPartAndOperand(FilterBinder binder, FunctionExpression f, IReadOnlySet<string> parts)
    {
        if (f.Arguments.Count != 2)
        {
            throw binder.Error($"{f.Name} takes 2 arguments, not {f.Arguments.Count}", f);
        }

        var part = f.Arguments[0] is LiteralExpression { Value: string p } ? p.ToLowerInvariant() : null;
        if (part is null || !parts.Contains(part))
        {
            throw binder.Error($"{f.Name} takes one of the parts {string.Join(", ", parts)} first, as a constant", f.Arguments[0]);
        }

        var operand = binder.BindNode(f.Arguments[1]);
        if (operand.Type.Kind is not (ValueKind.Date or ValueKind.Timestamp))
        {
            throw binder.Error($"{f.Name} needs a date or timestamp, but {FilterBinder.Describe(f.Arguments[1], operand)} is {operand.Type.Describe()}", f.Arguments[1]);
        }

        if (operand is BoundColumn { ArrowType: TimestampType { Timezone: { } zone } } && zone is not ("UTC" or "+00:00" or "Z" or "Etc/UTC"))
        {
            throw binder.Error($"{f.Name} of a timestamp in the time zone '{zone}' is not supported; only UTC and zone-less timestamps", f.Arguments[1]);
        }

        return (part, operand);
    }
}
