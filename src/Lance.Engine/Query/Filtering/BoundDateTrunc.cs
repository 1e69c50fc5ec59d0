using Apache.Arrow.Types;

namespace Lance.Engine.Query.Filtering;

/// <summary>
/// <c>date_trunc('day', x)</c> of a date or timestamp (UTC, or without a time zone), as DataFusion answers it: the
/// start of the <c>microsecond</c>, <c>millisecond</c>, <c>second</c>, <c>minute</c>, <c>hour</c>, <c>day</c>,
/// <c>week</c> (Monday), <c>month</c>, <c>quarter</c> or <c>year</c> it falls in (before 1970 too: the start, never the
/// end), in the timestamp's own unit; a date becomes a nanosecond timestamp.
/// </summary>
internal sealed class BoundDateTrunc(string part, BoundNode operand, FilterType type, int position) : BoundNode(type, position)
{
    /// <summary>The parts this truncates to.</summary>
    public static readonly IReadOnlySet<string> Parts = new HashSet<string>(StringComparer.Ordinal)
    {
        "microsecond", "millisecond", "second", "minute", "hour", "day", "week", "month", "quarter", "year",
    };

    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var v = operand.Evaluate(context);
        if (v.Kind == ValueKind.Null)
        {
            return Scalars.Null(Type);
        }

        var n = v.IsScalar ? 1 : context.Length;
        var perSecond = BoundCast.TicksPerSecond[(int)Type.Unit];
        var result = new long[n];
        for (var i = 0; i < n; i++)
        {
            if (!v.IsValid(i))
            {
                continue;
            }

            var raw = v.Kind == ValueKind.Date ? v.Ints![i] * 86_400 * perSecond : v.Ints![i];
            result[i] = part switch
            {
                "microsecond" => Floor(raw, Math.Max(1, perSecond / 1_000_000)),
                "millisecond" => Floor(raw, Math.Max(1, perSecond / 1_000)),
                "second" => Floor(raw, perSecond),
                "minute" => Floor(raw, perSecond * 60),
                "hour" => Floor(raw, perSecond * 3_600),
                "day" => Floor(raw, perSecond * 86_400),
                "week" => WeekStart(raw, perSecond),
                _ => Calendar(raw, perSecond, context),
            };
        }

        return ColumnVector.OfInts(Type, result, v.Valid, v.IsScalar);
    }

    private static long Floor(long value, long step) => Math.DivRem(value, step, out var rest) * step - (rest < 0 ? step : 0);

    // Days since 1970 (a Thursday) back to their Monday.
    private static long WeekStart(long raw, long perSecond)
    {
        var perDay = perSecond * 86_400;
        var day = Floor(raw, perDay) / perDay;
        var sinceMonday = ((day + 3) % 7 + 7) % 7;
        return (day - sinceMonday) * perDay;
    }

    // The first day of the month, quarter or year, through the calendar.
    private long Calendar(long raw, long perSecond, EvaluationContext context)
    {
        var seconds = Floor(raw, perSecond) / perSecond;
        if (seconds is < -62_135_596_800 or > 253_402_300_799)
        {
            throw context.Error($"date_trunc('{part}', ...) of {raw} is outside the years 1 to 9999", Position);
        }

        var time = DateTime.UnixEpoch.AddSeconds(seconds);
        var month = part switch
        {
            "month" => time.Month,
            "quarter" => ((time.Month - 1) / 3 * 3) + 1,
            _ => 1,
        };
        var start = new DateTime(time.Year, month, 1, 0, 0, 0, DateTimeKind.Utc);
        return (long)(start - DateTime.UnixEpoch).TotalSeconds * perSecond;
    }

    /// <summary>Binds <c>date_trunc(part, x)</c>.</summary>
    public static BoundNode Bind(FilterBinder binder, FunctionExpression f)
    {
        var (part, operand) = BoundDatePart.BindPartAndOperand(binder, f, Parts);
        var type = operand.Type.Kind == ValueKind.Date ? new FilterType(ValueKind.Timestamp, TimeUnit.Nanosecond) : operand.Type;
        return new BoundDateTrunc(part, operand, type, f.Position);
    }
}
