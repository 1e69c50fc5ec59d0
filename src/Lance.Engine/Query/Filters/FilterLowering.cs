using System.Globalization;
using Lance.Engine.Query.Filtering;

namespace Lance.Engine.Query;

/// <summary>Turns the public <see cref="FilterNode"/> tree into the engine's own filter tree, which the binder checks and evaluates.</summary>
internal static class FilterLowering
{
    /// <summary>The engine tree of <paramref name="node"/>; SQL parts are parsed, their errors naming <paramref name="source"/>.</summary>
    /// <exception cref="LanceFilterException">A <see cref="FilterSql"/> part is not valid SQL.</exception>
    /// <exception cref="ArgumentException">A literal holds a value of a type filters have no literal for.</exception>
    public static FilterExpression Lower(FilterNode node, string source)
    {
        ArgumentNullException.ThrowIfNull(node);
        FilterExpression Go(FilterNode n) => Lower(n, source);
        return node switch
        {
            FilterColumn c => c.Path.Count > 0 ? new ColumnExpression(c.Path) : throw new ArgumentException("A filter column needs a name.", nameof(node)),
            FilterLiteral l => new LiteralExpression(Literal(l.Value)),
            FilterComparison c => new BinaryExpression(Comparison(c.Operator), Go(c.Left), Go(c.Right)),
            FilterLogical l => new BinaryExpression(l.Operator == LogicalOperator.And ? BinaryOperator.And : BinaryOperator.Or, Go(l.Left), Go(l.Right)),
            FilterNot n => new UnaryExpression(UnaryOperator.Not, Go(n.Operand)),
            FilterArithmetic a => new BinaryExpression(Arithmetic(a.Operator), Go(a.Left), Go(a.Right)),
            FilterNegate n => new UnaryExpression(UnaryOperator.Negate, Go(n.Operand)),
            FilterConcat c => new BinaryExpression(BinaryOperator.Concat, Go(c.Left), Go(c.Right)),
            FilterIsNull n => new IsNullExpression(Go(n.Operand), n.Negated),
            FilterIsBoolean b => new IsBooleanExpression(Go(b.Operand), b.Value, b.Negated),
            FilterIn i => new InExpression(Go(i.Operand), i.Values.Select(Go).ToList(), i.Negated),
            FilterLike l => new LikeExpression(Go(l.Operand), new LiteralExpression(l.Pattern), l.Negated, l.CaseInsensitive),
            FilterFunction f => new FunctionExpression(f.Name.ToLowerInvariant(), f.Arguments.Select(Go).ToList()),
            FilterSql s => FilterParser.Parse(s.Text, source),
            _ => throw new ArgumentException($"Unknown filter node {node.GetType().Name}.", nameof(node)),
        };
    }

    private static BinaryOperator Comparison(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => BinaryOperator.Equal,
        ComparisonOperator.NotEqual => BinaryOperator.NotEqual,
        ComparisonOperator.Less => BinaryOperator.Less,
        ComparisonOperator.LessOrEqual => BinaryOperator.LessOrEqual,
        ComparisonOperator.Greater => BinaryOperator.Greater,
        ComparisonOperator.GreaterOrEqual => BinaryOperator.GreaterOrEqual,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    private static BinaryOperator Arithmetic(ArithmeticOperator op) => op switch
    {
        ArithmeticOperator.Add => BinaryOperator.Add,
        ArithmeticOperator.Subtract => BinaryOperator.Subtract,
        ArithmeticOperator.Multiply => BinaryOperator.Multiply,
        ArithmeticOperator.Divide => BinaryOperator.Divide,
        ArithmeticOperator.Modulo => BinaryOperator.Modulo,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    /// <summary>A constant in the form the engine tree holds: integers widened to 64 bits, <see cref="float"/> to <see cref="double"/>.</summary>
    private static object? Literal(object? value) => value switch
    {
        null or bool or long or ulong or double or decimal or string or byte[] or DateOnly or DateTime or TimeOnly => value,
        sbyte or byte or short or ushort or int or uint => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        float f => (double)f,
        _ => throw new ArgumentException($"A filter literal cannot hold a {value.GetType().Name} ({value})."),
    };
}
