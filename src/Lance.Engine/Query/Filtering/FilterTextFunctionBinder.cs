using System.Text.RegularExpressions;

namespace Lance.Engine.Query.Filtering;

/// <summary>
/// The part of <see cref="FilterBinder"/> that binds <see cref="BoundTextFunction"/>'s functions, <c>coalesce</c>,
/// <c>date_part</c>, <c>date_trunc</c>, <c>now</c>/<c>current_date</c>/<c>today</c>, <see cref="BoundMathFunction"/>'s and <see cref="BoundChoice"/>'s;
/// it works for one binder, passed in.
/// </summary>
internal static class FilterTextFunctionBinder
{
    /// <summary>The names this binds.</summary>
    public static IEnumerable<string> Names => BoundTextFunction.Arity.Keys.Append("coalesce").Append("date_part")
        .Concat(BoundMathFunction.Arity.Keys).Concat(BoundChoice.Arity.Keys).Concat(["now", "current_date", "today", "date_trunc"]);

    /// <summary>The bound call, or null when <paramref name="f"/> is none of these functions.</summary>
    public static BoundNode? TryBind(FilterBinder binder, FunctionExpression f)
    {
        if (f.Name == "coalesce")
        {
            return BindCoalesce(binder, f);
        }

        if (f.Name == "date_part")
        {
            return BoundDatePart.Bind(binder, f);
        }

        if (f.Name == "date_trunc")
        {
            return BoundDateTrunc.Bind(binder, f);
        }

        if (f.Name is "now" or "current_date" or "today")
        {
            // The query's start, once for the whole query, as DataFusion folds them: now() a UTC instant, the others
            // today's date in UTC.
            CheckCount(binder, f, (0, 0));
            var now = DateTime.UtcNow;
            return FilterBinder.BindLiteral(new LiteralExpression(f.Name == "now" ? now : DateOnly.FromDateTime(now)) { Position = f.Position });
        }

        if (BoundMathFunction.Arity.TryGetValue(f.Name, out var math))
        {
            CheckCount(binder, f, math);
            return BoundMathFunction.Bind(binder, f, f.Arguments.Select(binder.BindNode).ToList());
        }

        if (BoundChoice.Arity.TryGetValue(f.Name, out var choice))
        {
            CheckCount(binder, f, choice);
            var choices = f.Arguments.Select(binder.BindNode).ToList();
            var common = CommonType(binder, f, choices);
            return new BoundChoice(f.Name, [.. choices.Select(a => FilterBinder.To(a, common))], common, f.Position);
        }

        if (!BoundTextFunction.Arity.TryGetValue(f.Name, out var arity))
        {
            return null;
        }

        CheckCount(binder, f, arity);
        var args = f.Arguments.Select(binder.BindNode).ToList();
        for (var i = 0; i < args.Count; i++)
        {
            var count = (f.Name is "left" or "right" or "repeat" && i == 1) || (f.Name == "split_part" && i == 2);
            if (count)
            {
                if (!args[i].Type.IsNumeric || args[i].Type.Kind != ValueKind.Integer)
                {
                    if (args[i].Type.Kind != ValueKind.Null)
                    {
                        throw binder.Error($"{f.Name} needs a whole number of characters, but {FilterBinder.Describe(f.Arguments[i], args[i])} is {args[i].Type.Describe()}", f.Arguments[i]);
                    }
                }
                else
                {
                    args[i] = FilterBinder.To(args[i], FilterType.Integer);
                }

                continue;
            }

            binder.Expect(args[i], f.Arguments[i], ValueKind.String, f.Name);
        }

        var type = f.Name switch
        {
            "regexp_like" or "regexp_match" => FilterType.Boolean,
            "strpos" or "instr" or "ascii" or "bit_length" => FilterType.Integer,
            _ => FilterType.String,
        };
        var pattern = f.Name is "regexp_like" or "regexp_match" ? Pattern(binder, f, args) : null;
        return new BoundTextFunction(f.Name, args, pattern, type, f.Position);
    }

    // The pattern, a constant (as LanceDB's users write it), compiled once: Rust's regex syntax, which .NET's
    // non-backtracking engine shares (no look-around, no back-references) and runs in linear time as Rust's does.
    private static Regex? Pattern(FilterBinder binder, FunctionExpression f, List<BoundNode> args)
    {
        string? Constant(int i, string what) => args[i] switch
        {
            BoundLiteral { IsNull: true } => null,
            BoundLiteral { Value: string s } => s,
            _ => throw binder.Error($"{f.Name} needs a constant {what}", f.Arguments[i]),
        };

        var text = Constant(1, "pattern");
        var flags = args.Count > 2 ? Constant(2, "flags") : "";
        if (text is null || flags is null)
        {
            return null;
        }

        var options = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;
        foreach (var flag in flags)
        {
            options |= flag switch
            {
                'i' => RegexOptions.IgnoreCase,
                'm' => RegexOptions.Multiline,
                's' => RegexOptions.Singleline,
                _ => throw binder.Error($"{f.Name} does not take the flag '{flag}' (it takes i, m and s)", f.Arguments[2]),
            };
        }

        try
        {
            return new Regex(text, options);
        }
        catch (ArgumentException e)
        {
            throw binder.Error($"{f.Name} cannot use the pattern '{text}': {e.Message}", f.Arguments[1]);
        }
        catch (NotSupportedException e)
        {
            throw binder.Error($"{f.Name} cannot use the pattern '{text}': {e.Message}", f.Arguments[1]);
        }
    }

    private static void CheckCount(FilterBinder binder, FunctionExpression f, (int Min, int Max) arity)
    {
        if (f.Arguments.Count < arity.Min || f.Arguments.Count > arity.Max)
        {
            var counts = arity.Min == arity.Max ? $"{arity.Min}" : arity.Max == int.MaxValue ? $"at least {arity.Min}" : $"{arity.Min} or {arity.Max}";
            throw binder.Error($"{f.Name} takes {counts} argument{(arity.Max == 1 ? "" : "s")}, not {f.Arguments.Count}", f);
        }
    }

    private static BoundNode BindCoalesce(FilterBinder binder, FunctionExpression f)
    {
        if (f.Arguments.Count == 0)
        {
            throw binder.Error("coalesce takes at least 1 argument", f);
        }

        var args = f.Arguments.Select(binder.BindNode).ToList();
        var type = CommonType(binder, f, args);
        return new BoundCoalesce([.. args.Select(a => FilterBinder.To(a, type))], type, f.Position);
    }

    // Numbers meet in their common type; other kinds only with their own (text among numbers is refused: which
    // of the two DataFusion turns into the other there is not settled here).
    private static FilterType CommonType(FilterBinder binder, FunctionExpression f, List<BoundNode> args)
    {
        FilterType? common = null;
        for (var i = 0; i < args.Count; i++)
        {
            var t = args[i].Type;
            if (t.Kind == ValueKind.Null)
            {
                continue;
            }

            common = common is not { } c ? t
                : c.IsNumeric && t.IsNumeric ? NumericTypes.Comparison(c, t)
                : c == t ? c
                : null;
            if (common is null || common.Value.Kind is ValueKind.List or ValueKind.Other)
            {
                throw binder.Error($"{f.Name} cannot join {FilterBinder.Describe(f.Arguments[i], args[i])} ({t.Describe()}) with the arguments before it", f.Arguments[i]);
            }
        }

        return common ?? FilterType.Null;
    }
}
