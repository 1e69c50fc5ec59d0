using System.Globalization;
using System.Text;

namespace Lance.Engine.Query.Filtering;

/// <summary>
/// A filter as a tree, before it is checked against a schema. The SQL parser and the ORM's LINQ
/// translator both produce it; <see cref="RowFilter"/> binds it to a schema and evaluates it.
/// </summary>
internal abstract record FilterExpression
{
    /// <summary>The zero-based offset in the SQL text this node starts at, or -1 when it did not come from text.</summary>
    public int Position { get; init; } = -1;

    /// <summary>The node as SQL that LanceDB accepts (used for messages and to hand LINQ filters to other engines).</summary>
    public abstract string ToSql();

    /// <inheritdoc/>
    public override string ToString() => ToSql();

    internal static string Quote(string name)
    {
        var plain = name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => char.IsLetterOrDigit(c) || c == '_')
            && !FilterLexer.IsKeyword(name);
        return plain ? name : "`" + name.Replace("`", "``", StringComparison.Ordinal) + "`";
    }
}

/// <summary>A column, or a field of a struct column (<c>meta.author</c>): the path from the top-level column down.</summary>
internal sealed record ColumnExpression(IReadOnlyList<string> Path) : FilterExpression
{
    /// <summary>A top-level column.</summary>
    public ColumnExpression(string name) : this([name]) { }

    /// <inheritdoc/>
    public override string ToSql() => string.Join(".", Path.Select(Quote));
}

/// <summary>
/// A constant: null, <see cref="bool"/>, <see cref="long"/>, <see cref="double"/>, <see cref="string"/>,
/// <see cref="ulong"/>, <see cref="byte"/>[], <see cref="DateOnly"/> (a date), <see cref="DateTime"/> (a timestamp, UTC when its
/// kind is not local) or <see cref="TimeOnly"/> (a time of day).
/// </summary>
internal sealed record LiteralExpression(object? Value) : FilterExpression
{
    /// <inheritdoc/>
    public override string ToSql() => Value switch
    {
        null => "NULL",
        bool b => b ? "TRUE" : "FALSE",
        long l => l.ToString(CultureInfo.InvariantCulture),

        // SQL has no uint64 literal (a number above int64's range is a float to LanceDB).
        ulong u => u <= long.MaxValue ? u.ToString(CultureInfo.InvariantCulture) : $"arrow_cast('{u.ToString(CultureInfo.InvariantCulture)}', 'UInt64')",
        decimal m => $"arrow_cast('{m.ToString(CultureInfo.InvariantCulture)}', 'Decimal128(38, {m.Scale})')",
        TimeOnly t => $"arrow_cast('{t.ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}', 'Time64(Microsecond)')",
        // SQL's NaN has the sign bit clear; .NET's double.NaN has it set, and the total order filters
        // use puts it below -∞, so the sign is kept.
        double d when double.IsNaN(d) => double.IsNegative(d) ? "-CAST('NaN' AS double)" : "CAST('NaN' AS double)",
        double d when double.IsInfinity(d) => d > 0 ? "CAST('Infinity' AS double)" : "CAST('-Infinity' AS double)",
        double d => FormatDouble(d),
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        byte[] bytes => "X'" + Convert.ToHexString(bytes) + "'",
        DateOnly date => "date '" + date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "'",
        DateTime time => "timestamp '" + time.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.') + "'",
        _ => throw new InvalidOperationException($"A filter literal cannot hold a {Value.GetType().Name}."),
    };

    private static string FormatDouble(double d)
    {
        var text = d.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text : text + ".0";
    }
}

/// <summary>The unary operators.</summary>
internal enum UnaryOperator
{
    /// <summary><c>NOT x</c>.</summary>
    Not,

    /// <summary><c>-x</c>.</summary>
    Negate,
}

/// <summary>A unary operator applied to an operand.</summary>
internal sealed record UnaryExpression(UnaryOperator Operator, FilterExpression Operand) : FilterExpression
{
    /// <inheritdoc/>
    public override string ToSql() => Operator == UnaryOperator.Not ? $"NOT ({Operand.ToSql()})" : $"-({Operand.ToSql()})";
}

/// <summary>The binary operators.</summary>
internal enum BinaryOperator
{
    /// <summary><c>AND</c>.</summary>
    And,

    /// <summary><c>OR</c>.</summary>
    Or,

    /// <summary><c>=</c>.</summary>
    Equal,

    /// <summary><c>&lt;&gt;</c> or <c>!=</c>.</summary>
    NotEqual,

    /// <summary><c>&lt;</c>.</summary>
    Less,

    /// <summary><c>&lt;=</c>.</summary>
    LessOrEqual,

    /// <summary><c>&gt;</c>.</summary>
    Greater,

    /// <summary><c>&gt;=</c>.</summary>
    GreaterOrEqual,

    /// <summary><c>+</c>.</summary>
    Add,

    /// <summary><c>-</c>.</summary>
    Subtract,

    /// <summary><c>*</c>.</summary>
    Multiply,

    /// <summary><c>/</c> (integer division truncates toward zero when both sides are integers).</summary>
    Divide,

    /// <summary><c>%</c> (the remainder takes the sign of the dividend).</summary>
    Modulo,

    /// <summary><c>||</c> (string concatenation).</summary>
    Concat,
}

/// <summary>A binary operator applied to two operands.</summary>
internal sealed record BinaryExpression(BinaryOperator Operator, FilterExpression Left, FilterExpression Right) : FilterExpression
{
    /// <inheritdoc/>
    public override string ToSql() => $"({Left.ToSql()} {Symbol(Operator)} {Right.ToSql()})";

    internal static string Symbol(BinaryOperator op) => op switch
    {
        BinaryOperator.And => "AND",
        BinaryOperator.Or => "OR",
        BinaryOperator.Equal => "=",
        BinaryOperator.NotEqual => "<>",
        BinaryOperator.Less => "<",
        BinaryOperator.LessOrEqual => "<=",
        BinaryOperator.Greater => ">",
        BinaryOperator.GreaterOrEqual => ">=",
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        BinaryOperator.Modulo => "%",
        BinaryOperator.Concat => "||",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };
}

/// <summary><c>x IS [NOT] NULL</c>.</summary>
internal sealed record IsNullExpression(FilterExpression Operand, bool Negated) : FilterExpression
{
    /// <inheritdoc/>
    public override string ToSql() => $"({Operand.ToSql()} IS {(Negated ? "NOT " : "")}NULL)";
}

/// <summary><c>x IS [NOT] TRUE</c> / <c>x IS [NOT] FALSE</c>: never null.</summary>
internal sealed record IsBooleanExpression(FilterExpression Operand, bool Value, bool Negated) : FilterExpression
{
    /// <inheritdoc/>
    public override string ToSql() => $"({Operand.ToSql()} IS {(Negated ? "NOT " : "")}{(Value ? "TRUE" : "FALSE")})";
}

/// <summary><c>x [NOT] IN (a, b, ...)</c>.</summary>
internal sealed record InExpression(FilterExpression Operand, IReadOnlyList<FilterExpression> Values, bool Negated) : FilterExpression
{
    /// <inheritdoc/>
    public override string ToSql() => $"({Operand.ToSql()} {(Negated ? "NOT " : "")}IN ({string.Join(", ", Values.Select(v => v.ToSql()))}))";
}

/// <summary><c>x [NOT] BETWEEN low AND high</c> (both ends included).</summary>
internal sealed record BetweenExpression(FilterExpression Operand, FilterExpression Low, FilterExpression High, bool Negated) : FilterExpression
{
    /// <inheritdoc/>
    public override string ToSql() => $"({Operand.ToSql()} {(Negated ? "NOT " : "")}BETWEEN {Low.ToSql()} AND {High.ToSql()})";
}

/// <summary>
/// <c>x [NOT] LIKE 'pattern'</c> (or <c>ILIKE</c>, case-insensitive): <c>%</c> matches any run of
/// characters, <c>_</c> exactly one, and the escape character (backslash unless given) makes the next one literal.
/// </summary>
internal sealed record LikeExpression(FilterExpression Operand, FilterExpression Pattern, bool Negated, bool CaseInsensitive, char Escape = '\\') : FilterExpression
{
    /// <inheritdoc/>
    public override string ToSql()
    {
        var sql = new StringBuilder();
        sql.Append('(').Append(Operand.ToSql()).Append(Negated ? " NOT " : " ").Append(CaseInsensitive ? "ILIKE " : "LIKE ").Append(Pattern.ToSql());
        if (Escape != '\\')
        {
            sql.Append(" ESCAPE '").Append(Escape == '\'' ? "''" : Escape.ToString()).Append('\'');
        }

        return sql.Append(')').ToString();
    }
}

/// <summary><c>CAST(x AS type)</c>; the type as SQL names it (<c>int</c>, <c>bigint</c>, <c>double</c>, <c>string</c>, <c>date</c>, ...).</summary>
internal sealed record CastExpression(FilterExpression Operand, string TypeName) : FilterExpression
{
    /// <inheritdoc/>
    public override string ToSql() => $"CAST({Operand.ToSql()} AS {TypeName})";
}

/// <summary>A function call such as <c>lower(name)</c> or <c>starts_with(name, 'a')</c>; the name in lower case.</summary>
internal sealed record FunctionExpression(string Name, IReadOnlyList<FilterExpression> Arguments) : FilterExpression
{
    /// <inheritdoc/>
    public override string ToSql() => $"{Name}({string.Join(", ", Arguments.Select(a => a.ToSql()))})";
}

/// <summary>A list of values: <c>[1, 2, 3]</c> (the second argument of <c>array_has_any</c> and <c>array_has_all</c>).</summary>
internal sealed record ArrayExpression(IReadOnlyList<FilterExpression> Items) : FilterExpression
{
    /// <inheritdoc/>
    public override string ToSql() => $"[{string.Join(", ", Items.Select(i => i.ToSql()))}]";
}
