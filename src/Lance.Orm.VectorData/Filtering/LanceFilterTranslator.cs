using System.Collections;
using System.Linq.Expressions;
using Lance.Engine.Query;
using Microsoft.Extensions.VectorData.ProviderServices;
using Microsoft.Extensions.VectorData.ProviderServices.Filter;

namespace Lance.Orm.VectorData.Filtering;

/// <summary>
/// Translates an MEVD filter (<c>r =&gt; r.Age &gt; 5 &amp;&amp; r.Tags.Contains("a")</c>) into the engine's
/// public filter tree, whose <see cref="FilterNode.ToSql"/> is the SQL that LanceDB accepts.
/// C# semantics are kept where SQL differs: a comparison with a null column is false, not unknown,
/// so <c>!</c> and <c>!=</c> keep rows whose column is null.
/// </summary>
internal sealed class LanceFilterTranslator : FilterTranslatorBase
{
    private readonly string _collection;

    private LanceFilterTranslator(string collection) => _collection = collection;

    /// <summary>The filter as engine SQL, or null when it keeps every row (<c>r =&gt; true</c>).</summary>
    /// <exception cref="NotSupportedException">The filter uses a construct with no translation; the message names it.</exception>
    internal static string? ToSql(LambdaExpression filter, CollectionModel model, string collection)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Body is ConstantExpression { Value: true })
        {
            return null;
        }

        var translator = new LanceFilterTranslator(collection);
        var body = translator.PreprocessFilter(filter, model, new FilterPreprocessingOptions());
        return translator.Condition(body).ToSql();
    }

    private FilterNode Condition(Expression node)
    {
        switch (node)
        {
            case BinaryExpression { NodeType: ExpressionType.AndAlso or ExpressionType.And } both when both.Type == typeof(bool):
                return FilterNode.And(Condition(both.Left), Condition(both.Right));
            case BinaryExpression { NodeType: ExpressionType.OrElse or ExpressionType.Or } either when either.Type == typeof(bool):
                return FilterNode.Or(Condition(either.Left), Condition(either.Right));
            case UnaryExpression { NodeType: ExpressionType.Not } not:
                // IS NOT TRUE: a row whose condition is unknown (a null column) passes, as it would in C#.
                return new FilterIsBoolean(Condition(not.Operand), true, Negated: true);
            case BinaryExpression binary when IsComparison(binary.NodeType):
                return Comparison(binary);
            case ConstantExpression { Value: bool b }:
                return new FilterComparison(ComparisonOperator.Equal, new FilterLiteral(1), new FilterLiteral(b ? 1 : 0));
            case MethodCallExpression call:
                return MethodCall(call);
            case UnaryExpression { NodeType: ExpressionType.Convert } convert when Nullable.GetUnderlyingType(convert.Type) == convert.Operand.Type:
                return Condition(convert.Operand);
            case var _ when node.Type == typeof(bool) && TryBindProperty(node, out var property):
                return new FilterIsBoolean(Column(property), true);
            default:
                throw Unsupported(node.NodeType.ToString(), node);
        }
    }

    private static bool IsComparison(ExpressionType type) => type is ExpressionType.Equal or ExpressionType.NotEqual
        or ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual or ExpressionType.LessThan or ExpressionType.LessThanOrEqual;

    private FilterNode Comparison(BinaryExpression binary)
    {
        var (left, right, op) = (Strip(binary.Left), Strip(binary.Right), binary.NodeType);
        if (!TryBindProperty(left, out var property))
        {
            if (!TryBindProperty(right, out property))
            {
                throw Unsupported("a comparison that does not compare a property with a value", binary);
            }

            (left, right) = (right, left);
            op = op switch
            {
                ExpressionType.GreaterThan => ExpressionType.LessThan,
                ExpressionType.GreaterThanOrEqual => ExpressionType.LessThanOrEqual,
                ExpressionType.LessThan => ExpressionType.GreaterThan,
                ExpressionType.LessThanOrEqual => ExpressionType.GreaterThanOrEqual,
                _ => op,
            };
        }

        if (right is not ConstantExpression { Value: var value })
        {
            throw Unsupported("a comparison of a property with anything but a constant or captured value", binary);
        }

        var column = Column(property);
        if (value is null)
        {
            return op switch
            {
                ExpressionType.Equal => new FilterIsNull(column),
                ExpressionType.NotEqual => new FilterIsNull(column, Negated: true),
                _ => throw Unsupported("an ordering comparison with null", binary),
            };
        }

        var comparison = new FilterComparison(op switch
        {
            ExpressionType.Equal => ComparisonOperator.Equal,
            ExpressionType.NotEqual => ComparisonOperator.NotEqual,
            ExpressionType.GreaterThan => ComparisonOperator.Greater,
            ExpressionType.GreaterThanOrEqual => ComparisonOperator.GreaterOrEqual,
            ExpressionType.LessThan => ComparisonOperator.Less,
            _ => ComparisonOperator.LessOrEqual,
        }, column, Literal(value));

        // In C#, null != "x" is true; in SQL it is unknown. Keep the C# meaning.
        return op == ExpressionType.NotEqual ? FilterNode.Or(comparison, new FilterIsNull(column)) : comparison;
    }

    private FilterNode MethodCall(MethodCallExpression call)
    {
        if (TryMatchContains(call, out var source, out var item))
        {
            source = Strip(source);
            item = Strip(item);

            // r.Tags.Contains("a"): the list column holds the value.
            if (TryBindProperty(source, out var listProperty) && item is ConstantExpression { Value: var needle })
            {
                return new FilterIsBoolean(new FilterFunction("array_has", [Column(listProperty), Literal(needle)]), true);
            }

            // new[] { "a", "b" }.Contains(r.Name): the column is one of the values.
            if (TryBindProperty(item, out var property) && Values(source) is { } values)
            {
                return values.Count == 0
                    ? new FilterComparison(ComparisonOperator.Equal, new FilterLiteral(1), new FilterLiteral(0))
                    : new FilterIn(Column(property), values);
            }

            throw Unsupported("Contains other than list-property.Contains(value) or values.Contains(property)", call);
        }

        // r.Tags.Any(t => values.Contains(t)): the list column holds one of the values.
        if (call is { Method.Name: nameof(Enumerable.Any), Arguments: [var anySource, LambdaExpression lambda] }
            && call.Method.DeclaringType == typeof(Enumerable)
            && TryBindProperty(Strip(anySource), out var anyProperty)
            && lambda.Body is MethodCallExpression inner
            && TryMatchContains(inner, out var anyValues, out var anyItem)
            && Strip(anyItem) == lambda.Parameters[0]
            && Values(Strip(anyValues)) is { } needles)
        {
            // The filter tree has no list literal; the call is written as SQL from the parts' own SQL.
            var list = string.Join(", ", needles.Select(n => n.ToSql()));
            return new FilterIsBoolean(new FilterSql($"array_has_any({Column(anyProperty).ToSql()}, [{list}])"), true);
        }

        throw Unsupported($"the method {call.Method.DeclaringType?.Name}.{call.Method.Name}", call);
    }

    private static List<FilterNode>? Values(Expression expression) => expression switch
    {
        ConstantExpression { Value: IEnumerable values and not string } => values.Cast<object?>().Select(v => (FilterNode)Literal(v)).ToList(),
        NewArrayExpression array when array.Expressions.All(e => e is ConstantExpression) =>
            array.Expressions.Select(e => (FilterNode)Literal(((ConstantExpression)e).Value)).ToList(),
        _ => null,
    };

    private static Expression Strip(Expression expression)
    {
        while (expression is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert)
        {
            expression = convert.Operand;
        }

        return expression;
    }

    private static FilterColumn Column(PropertyModel property) => new(property.StorageName);

    private static FilterLiteral Literal(object? value) => new(value switch
    {
        Guid g => g.ToString("D"),
        DateTimeOffset o => o.UtcDateTime,
        Enum e => Convert.ToInt64(e, System.Globalization.CultureInfo.InvariantCulture),
        _ => value,
    });

    private NotSupportedException Unsupported(string what, Expression node)
        => new($"Collection '{_collection}': filters with {what} cannot be translated to a Lance filter ({node}).");
}
