using System.Collections;
using System.Linq.Expressions;
using System.Reflection;
using System.Text.RegularExpressions;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Query;
using LinqBinary = System.Linq.Expressions.BinaryExpression;
using LinqUnary = System.Linq.Expressions.UnaryExpression;

namespace Lance.Orm;

// The method calls that become SQL functions: Regex.IsMatch, a list member's Any, the Math methods.
internal sealed partial class LinqFilterTranslator
{
    // Regex.IsMatch(x.Name, "pattern"[, options]) as regexp_like: the pattern and options constants, the options
    // among IgnoreCase, Multiline, Singleline and CultureInvariant (the engine matches as .NET's non-backtracking engine does).
    private FilterNode RegexMatch(MethodCallExpression call)
    {
        if (DependsOnRow(call.Arguments[1]) || Evaluate(call.Arguments[1]) is not string pattern)
        {
            throw Unsupported(call, "the pattern must be a constant");
        }

        var flags = "";
        if (call.Arguments.Count == 3)
        {
            if (DependsOnRow(call.Arguments[2]) || Evaluate(call.Arguments[2]) is not RegexOptions options
                || (options & ~(RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.Singleline | RegexOptions.CultureInvariant)) != 0)
            {
                throw Unsupported(call, "only the options IgnoreCase, Multiline, Singleline and CultureInvariant translate");
            }

            flags = (options.HasFlag(RegexOptions.IgnoreCase) ? "i" : "") + (options.HasFlag(RegexOptions.Multiline) ? "m" : "") + (options.HasFlag(RegexOptions.Singleline) ? "s" : "");
        }

        var input = call.Arguments[0];
        var result = new FilterFunction("regexp_like", flags.Length == 0 ? [Value(input), new FilterLiteral(pattern)] : [Value(input), new FilterLiteral(pattern), new FilterLiteral(flags)]);
        return CanBeNull(input) ? new FilterIsBoolean(result, true, Negated: false) : result;
    }

    /// <summary>Whether <paramref name="e"/> reads a list column of the row (<c>x.Tags</c>).</summary>
    private bool IsListColumn(Expression e)
        => StripConvert(e) is MemberExpression m && ColumnPath(m) is { } path && FieldType(path) is ListType or LargeListType or FixedSizeListType;

    /// <summary><c>x.Tags.Contains(v)</c>, <c>Enumerable.Contains(x.Tags, v)</c>: <c>array_has(tags, v)</c>.</summary>
    private FilterNode? TryListHas(MethodCallExpression call)
    {
        Expression? list = null;
        Expression? item = null;
        if (call.Object is { } instance && call.Arguments.Count == 1)
        {
            (list, item) = (instance, call.Arguments[0]);
        }
        else if (call.Object is null && call.Arguments.Count == 2 && call.Method.DeclaringType is { } declaring && (declaring == typeof(Enumerable) || declaring == typeof(MemoryExtensions)))
        {
            var source = call.Arguments[0];
            while (source is MethodCallExpression { Method.Name: "op_Implicit", Arguments.Count: 1 } conversion)
            {
                source = conversion.Arguments[0];
            }

            (list, item) = (source, call.Arguments[1]);
        }

        if (list is null || item is null || !IsListColumn(list) || DependsOnRow(item))
        {
            return null;
        }

        var has = new FilterFunction("array_has", [Value(list), Literal(Evaluate(item), null, item)]);
        return CanBeNull(list) ? new FilterIsBoolean(has, true, Negated: false) : has;
    }

    // x.Tags.Any() as array_length(tags) > 0; x.Tags.Any(t => t == v) as array_has(tags, v); x.Tags.Any(t => values.Contains(t))
    // as one array_has per value, or'ed (array_has_any's meaning). A null list passes none (LINQ to objects would throw).
    private FilterNode ListAny(MethodCallExpression call)
    {
        var list = call.Arguments[0];
        if (call.Arguments.Count == 1)
        {
            var nonEmpty = new FilterComparison(ComparisonOperator.Greater, new FilterFunction("array_length", [Value(list)]), new FilterLiteral(0L));
            return CanBeNull(list) ? new FilterIsBoolean(nonEmpty, true, Negated: false) : nonEmpty;
        }

        var lambda = call.Arguments[1] is LinqUnary { NodeType: ExpressionType.Quote } quote ? quote.Operand : call.Arguments[1];
        if (lambda is not LambdaExpression { Parameters: [var element] } predicate)
        {
            throw Unsupported(call);
        }

        var needles = ElementNeedles(predicate.Body, element)
            ?? throw Unsupported(call, "only the element compared for equality with a constant (t => t == v), or a constant collection's Contains(t), translates");
        if (needles.Any(n => n is null))
        {
            throw Unsupported(call, "LanceDB's array_has never matches a null element, so a null value cannot be looked for");
        }

        var any = HasAnyOf(list, needles, call);
        return any is null ? new FilterLiteral(false) : CanBeNull(list) ? new FilterIsBoolean(any, true, Negated: false) : any;
    }

    /// <summary>One <c>array_has(list, v)</c> per value, or'ed; null for no values.</summary>
    private FilterNode? HasAnyOf(Expression list, List<object?> needles, Expression origin)
    {
        FilterNode? any = null;
        foreach (var needle in needles)
        {
            FilterNode has = new FilterFunction("array_has", [Value(list), Literal(needle, null, origin)]);
            any = any is null ? has : new FilterLogical(LogicalOperator.Or, any, has);
        }

        return any;
    }

    // x.Tags.All(t => t != v) and x.Tags.All(t => !values.Contains(t)): no element is one of the values, NOT array_has
    // (a null list passes, where LINQ to objects would throw).
    private FilterNode ListAll(MethodCallExpression call)
    {
        var lambda = call.Arguments[1] is LinqUnary { NodeType: ExpressionType.Quote } quote ? quote.Operand : call.Arguments[1];
        if (lambda is not LambdaExpression { Parameters: [var element] } predicate)
        {
            throw Unsupported(call);
        }

        Expression? opposite = predicate.Body switch
        {
            LinqBinary { NodeType: ExpressionType.NotEqual } b => Expression.Equal(b.Left, b.Right),
            LinqUnary { NodeType: ExpressionType.Not } not => not.Operand,
            _ => null,
        };
        var needles = opposite is null ? null : ElementNeedles(opposite, element);
        if (needles is null)
        {
            throw Unsupported(call, "only the element compared as not equal to a constant (t => t != v), or !values.Contains(t), translates");
        }

        if (needles.Any(n => n is null))
        {
            throw Unsupported(call, "LanceDB's array_has never matches a null element, so a null value cannot be looked for");
        }

        var any = HasAnyOf(call.Arguments[0], needles, call);
        return any is null ? new FilterLiteral(true) : new FilterIsBoolean(any, true, Negated: true);
    }

    /// <summary>The constants an <c>Any</c> predicate looks for: <c>t == v</c>, <c>v == t</c>, <c>t.Equals(v)</c>, <c>values.Contains(t)</c>; null for another shape.</summary>
    private List<object?>? ElementNeedles(Expression body, ParameterExpression element)
    {
        bool IsElement(Expression e) => StripConvert(e) == element;
        bool Constant(Expression e) => !DependsOnRow(e) && !new ParameterFinder(element, () => { }).HasParameter(e);
        switch (body)
        {
            case LinqBinary { NodeType: ExpressionType.Equal, Method: null or { Name: "op_Equality" } } b when IsElement(b.Left) && Constant(b.Right):
                return [Evaluate(b.Right)];
            case LinqBinary { NodeType: ExpressionType.Equal, Method: null or { Name: "op_Equality" } } b when IsElement(b.Right) && Constant(b.Left):
                return [Evaluate(b.Left)];
            case MethodCallExpression { Method.Name: nameof(Equals), Object: { } self, Arguments: [var other] } when IsElement(self) && Constant(other):
                return [Evaluate(other)];
            case MethodCallExpression { Method.Name: "Contains" } contains when TryContains(contains, out var collection, out var item) && IsElement(item) && Constant(collection):
                return Evaluate(collection) is System.Collections.IEnumerable values ? values.Cast<object?>().Distinct().ToList() : null;
            default:
                return null;
        }
    }

    // x.Tags[i], x.Vector[i], x.Tags.ElementAt(i): SQL's tags[i + 1] (1-based), null past the end where C# would throw.
    private FilterNode ListElement(Expression list, Expression at)
    {
        // An index read from a long member is cast to int in C# ((int)x.Id): only indexes within a list matter, where the
        // cast changes nothing.
        if (DependsOnRow(at) && at is LinqUnary { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked, Method: null } cast
            && (Nullable.GetUnderlyingType(cast.Operand.Type) ?? cast.Operand.Type) is var from && (from == typeof(long) || from == typeof(ulong) || from == typeof(uint)))
        {
            at = cast.Operand;
        }

        FilterNode index = DependsOnRow(at) ? new FilterArithmetic(ArithmeticOperator.Add, Value(at), new FilterLiteral(1L))
            : Evaluate(at) is int i && i >= 0 ? new FilterLiteral((long)i + 1)
            : throw Unsupported(at, "a list index must be 0 or more");
        return new FilterFunction("array_element", [Value(list), index]);
    }

    // Math.Sqrt, Cbrt, Exp, Log (natural), Log10, Log2, Pow, Truncate, Round(x[, digits], MidpointRounding.AwayFromZero),
    // Max and Min (not of floats: Math.Min returns NaN where SQL's least, which orders NaN above every number, does not).
    private FilterNode MathCall(MethodCallExpression call)
    {
        var args = call.Arguments;
        var floats = args.Any(a => a.Type == typeof(double) || a.Type == typeof(float));
        string? function = (call.Method.Name, args.Count) switch
        {
            (nameof(Math.Sqrt), 1) => "sqrt",
            (nameof(Math.Cbrt), 1) => "cbrt",
            (nameof(Math.Exp), 1) => "exp",
            (nameof(Math.Log), 1) => "ln",
            (nameof(Math.Log10), 1) => "log10",
            (nameof(Math.Log2), 1) => "log2",
            (nameof(Math.Pow), 2) => "power",
            (nameof(Math.Truncate), 1) when floats => "trunc",
            (nameof(Math.Max), 2) => "greatest",
            (nameof(Math.Min), 2) when !floats => "least",
            (nameof(Math.Round), 2 or 3) when floats && args[^1] is ConstantExpression { Value: MidpointRounding.AwayFromZero } => "round",
            _ => null,
        };
        if (function is null)
        {
            throw Unsupported(call, call.Method.Name switch
            {
                nameof(Math.Round) => "SQL's round rounds halves away from zero; write Math.Round(x, MidpointRounding.AwayFromZero) or with digits",
                nameof(Math.Min) when floats => "Math.Min of floats returns NaN where SQL's least does not",
                _ => "",
            });
        }

        var operands = function == "round" ? args.Take(args.Count - 1) : args;
        return new FilterFunction(function, [.. operands.Select(a => Value(a))]);
    }
}
