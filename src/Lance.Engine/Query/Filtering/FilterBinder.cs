using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Query.Filtering;

/// <summary>
/// Checks a <see cref="FilterExpression"/> against a schema and turns it into evaluable nodes:
/// resolves columns (and struct fields), converts literals to the type of what they are compared
/// with (as LanceDB does: <c>int_col = 1.5</c> and <c>id = 'x'</c> are errors), and inserts the
/// conversions mixed operands need.
/// </summary>
internal sealed class FilterBinder
{
    private static readonly Dictionary<string, (FilterType Type, IArrowType? Arrow)> CastTypes = new(StringComparer.Ordinal)
    {
        ["tinyint"] = (FilterType.Integer, Int8Type.Default),
        ["smallint"] = (FilterType.Integer, Int16Type.Default),
        ["int"] = (FilterType.Integer, Int32Type.Default),
        ["integer"] = (FilterType.Integer, Int32Type.Default),
        ["bigint"] = (FilterType.Integer, Int64Type.Default),
        ["tinyint unsigned"] = (FilterType.Integer, UInt8Type.Default),
        ["smallint unsigned"] = (FilterType.Integer, UInt16Type.Default),
        ["int unsigned"] = (FilterType.Integer, UInt32Type.Default),
        ["integer unsigned"] = (FilterType.Integer, UInt32Type.Default),
        ["bigint unsigned"] = (FilterType.Integer, UInt64Type.Default),
        ["float"] = (FilterType.Float, FloatType.Default),
        ["real"] = (FilterType.Float, FloatType.Default),
        ["double"] = (FilterType.Float, DoubleType.Default),
        ["string"] = (FilterType.String, StringType.Default),
        ["varchar"] = (FilterType.String, StringType.Default),
        ["binary"] = (new FilterType(ValueKind.Binary), BinaryType.Default),
        ["boolean"] = (FilterType.Boolean, BooleanType.Default),
        ["bool"] = (FilterType.Boolean, BooleanType.Default),
        ["date"] = (new FilterType(ValueKind.Date), Date32Type.Default),
        ["timestamp"] = (new FilterType(ValueKind.Timestamp, TimeUnit.Microsecond), new TimestampType(TimeUnit.Microsecond, (string?)null)),
    };

    private readonly Schema _schema;
    private readonly string _source;
    private readonly string? _text;
    private readonly FilterExpression _root;
    private readonly SortedSet<string> _columns = new(StringComparer.Ordinal);

    private FilterBinder(Schema schema, string source, string? text, FilterExpression root)
    {
        _schema = schema;
        _source = source;
        _text = text;
        _root = root;
    }

    /// <summary>Binds <paramref name="root"/>; <paramref name="text"/> is the SQL it came from (null for LINQ), for error positions.</summary>
    public static (BoundNode Node, IReadOnlyList<string> Columns) Bind(FilterExpression root, Schema schema, string source, string? text)
    {
        var binder = new FilterBinder(schema, source, text, root);
        var node = binder.BindNode(root);
        if (node.Type.Kind is not (ValueKind.Boolean or ValueKind.Null))
        {
            throw binder.Error($"a filter must be true or false for each row, but this is a {node.Type.Describe()} expression", root);
        }

        // Keep the schema's column order, so the columns read follow the file.
        var ordered = schema.FieldsList.Select(f => f.Name).Where(binder._columns.Contains).ToList();
        return (node, ordered);
    }

    /// <summary>
    /// Binds a value expression (e.g. <c>price * 1.1</c> for an update or a computed column): any
    /// type, not only true/false.
    /// </summary>
    public static (BoundNode Node, IReadOnlyList<string> Columns) BindValue(FilterExpression root, Schema schema, string source, string text)
    {
        var binder = new FilterBinder(schema, source, text, root);
        var node = binder.BindNode(root);
        var ordered = schema.FieldsList.Select(f => f.Name).Where(binder._columns.Contains).ToList();
        return (node, ordered);
    }

    /// <summary>An error at <paramref name="at"/>'s position (with a caret under it for SQL).</summary>
    public LanceFilterException Error(string message, FilterExpression at) => Error(message, at.Position);

    public LanceFilterException Error(string message, int position)
    {
        if (_text is not null)
        {
            return FilterParser.Error(_text, _source, message, Math.Max(0, position));
        }

        return new LanceFilterException($"Invalid filter on '{_source}': {message}. The filter was: {_root.ToSql()}");
    }

    private BoundNode BindNode(FilterExpression e) => e switch
    {
        ColumnExpression c => BindColumn(c),
        LiteralExpression l => BindLiteral(l),
        UnaryExpression { Operator: UnaryOperator.Not } u => new BoundNot(Expect(BindNode(u.Operand), u.Operand, ValueKind.Boolean, "NOT"), u.Position),
        UnaryExpression u => BindNegate(u),
        BinaryExpression { Operator: BinaryOperator.And or BinaryOperator.Or } b => new BoundLogical(
            b.Operator == BinaryOperator.And,
            Expect(BindNode(b.Left), b.Left, ValueKind.Boolean, BinaryExpression.Symbol(b.Operator)),
            Expect(BindNode(b.Right), b.Right, ValueKind.Boolean, BinaryExpression.Symbol(b.Operator)),
            b.Position),
        BinaryExpression { Operator: BinaryOperator.Concat } b => new BoundConcat(
            Expect(BindNode(b.Left), b.Left, ValueKind.String, "||"), Expect(BindNode(b.Right), b.Right, ValueKind.String, "||"), b.Position),
        BinaryExpression { Operator: >= BinaryOperator.Add } b => BindArithmetic(b),
        BinaryExpression b => BindComparison(b.Operator, b.Left, b.Right, b.Position),
        IsNullExpression n => new BoundIsNull(BindNode(n.Operand), n.Negated, n.Position),
        IsBooleanExpression ib => new BoundIsBoolean(Expect(BindNode(ib.Operand), ib.Operand, ValueKind.Boolean, "IS TRUE/FALSE"), ib.Value, ib.Negated, ib.Position),
        InExpression i => BindIn(i),
        BetweenExpression bt => BindBetween(bt),
        LikeExpression like => BindLike(like),
        CastExpression cast => BindCast(cast),
        FunctionExpression f => BindFunction(f),
        _ => throw Error($"'{e.ToSql()}' is not supported in a filter", e),
    };

    private BoundNode Expect(BoundNode node, FilterExpression e, ValueKind kind, string context)
    {
        if (node.Type.Kind == kind || node.Type.Kind == ValueKind.Null)
        {
            return node;
        }

        throw Error($"{context} needs a {kind.ToString().ToLowerInvariant()} operand, but {Describe(e, node)} is {node.Type.Describe()}", e);
    }

    private BoundColumn BindColumn(ColumnExpression c)
    {
        var name = c.Path[0];
        var field = _schema.FieldsList.FirstOrDefault(f => f.Name == name)
            ?? SingleOrNull(_schema.FieldsList.Where(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase)).ToList())
            ?? throw Error(
                $"no column '{name}' in '{_source}'. Columns: {string.Join(", ", _schema.FieldsList.Select(f => f.Name))}", c);
        var path = new List<string> { field.Name };
        var type = field.DataType;
        foreach (var part in c.Path.Skip(1))
        {
            if (type is not StructType structType)
            {
                throw Error($"'{string.Join(".", path)}' is {type.Name}, not a struct, so it has no field '{part}'", c);
            }

            var child = structType.Fields.FirstOrDefault(f => f.Name == part)
                ?? throw Error(
                    $"struct column '{string.Join(".", path)}' has no field '{part}'. Fields: {string.Join(", ", structType.Fields.Select(f => f.Name))}", c);
            path.Add(child.Name);
            type = child.DataType;
        }

        _columns.Add(field.Name);
        return new BoundColumn(ArrowColumns.TypeOf(type), c.Position, path) { ArrowType = type };
    }

    private static Field? SingleOrNull(List<Field> fields) => fields.Count == 1 ? fields[0] : null;

    private static BoundLiteral BindLiteral(LiteralExpression l) => new(l.Value switch
    {
        null => ColumnVector.NullScalar,
        bool b => Scalars.Bool(b),
        long i => Scalars.Int(FilterType.Integer, i),
        double d => Scalars.Float(d),
        string s => Scalars.Bytes(FilterType.String, Encoding.UTF8.GetBytes(s)),
        byte[] bytes => Scalars.Bytes(new FilterType(ValueKind.Binary), bytes),
        DateOnly date => Scalars.Int(new FilterType(ValueKind.Date), date.DayNumber - BoundCast.UnixEpochDay),
        DateTime time => Scalars.Int(new FilterType(ValueKind.Timestamp, TimeUnit.Microsecond), BoundCast.ToTicks(ToUtc(time), TimeUnit.Microsecond)),
        _ => throw new ArgumentException($"A filter literal cannot hold a {l.Value.GetType().Name}.", nameof(l)),
    }, l.Position)
    { Value = l.Value };

    private static DateTime ToUtc(DateTime time) => time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time;

    // As in LanceDB, a timestamp without a zone compared with a column in a named zone is wall-clock
    // time in that zone (timestamp '2024-01-01 09:00' against an America/New_York column is 14:00 UTC).
    private DateTime InZoneOf(IArrowType? column, DateTime time, LiteralExpression literal)
    {
        if (time.Kind != DateTimeKind.Unspecified || column is not TimestampType { Timezone: { Length: > 0 } zone } || zone is "UTC" or "Etc/UTC" or "+00:00")
        {
            return time;
        }

        try
        {
            return DateTime.SpecifyKind(TimeZoneInfo.ConvertTimeToUtc(time, TimeZoneInfo.FindSystemTimeZoneById(zone)), DateTimeKind.Utc);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            throw Error($"the timestamp {new LiteralExpression(time).ToSql()} has no single time in the column's zone '{zone}' ({e.Message})", literal);
        }
    }

    private BoundNode BindNegate(UnaryExpression u)
    {
        var operand = BindNode(u.Operand);
        if (!operand.Type.IsNumeric && operand.Type.Kind != ValueKind.Null)
        {
            throw Error($"'-' needs a number, but {Describe(u.Operand, operand)} is {operand.Type.Describe()}", u);
        }

        return new BoundNegate(operand, u.Position);
    }

    private BoundArithmetic BindArithmetic(BinaryExpression b)
    {
        var left = BindNode(b.Left);
        var right = BindNode(b.Right);
        foreach (var (node, e) in new[] { (left, b.Left), (right, b.Right) })
        {
            if (!node.Type.IsNumeric && node.Type.Kind != ValueKind.Null)
            {
                throw Error($"'{BinaryExpression.Symbol(b.Operator)}' needs numbers, but {Describe(e, node)} is {node.Type.Describe()}", e);
            }
        }

        var isFloat = left.Type.Kind == ValueKind.Float || right.Type.Kind == ValueKind.Float;
        if (isFloat)
        {
            return new BoundArithmetic(b.Operator, ToFloat(left), ToFloat(right), FilterType.Float, b.Position);
        }

        return new BoundArithmetic(b.Operator, left, right, FilterType.Integer, b.Position);
    }

    private static BoundNode ToFloat(BoundNode node) => node.Type.Kind == ValueKind.Integer
        ? new BoundCast(node, FilterType.Float, "double", node.Position)
        : node;

    /// <summary>Binds <c>left op right</c> so both sides have one kind.</summary>
    private BoundCompare BindComparison(BinaryOperator op, FilterExpression leftExpr, FilterExpression rightExpr, int position)
    {
        var (left, right) = BindComparable(leftExpr, rightExpr);
        return new BoundCompare(op, left, right, position);
    }

    private (BoundNode Left, BoundNode Right) BindComparable(FilterExpression leftExpr, FilterExpression rightExpr)
    {
        if (rightExpr is LiteralExpression rl && leftExpr is not LiteralExpression)
        {
            var left = BindNode(leftExpr);
            return (left, CoerceLiteral(rl, left, leftExpr));
        }

        if (leftExpr is LiteralExpression ll && rightExpr is not LiteralExpression)
        {
            var right = BindNode(rightExpr);
            return (CoerceLiteral(ll, right, rightExpr), right);
        }

        return Unify(BindNode(leftExpr), leftExpr, BindNode(rightExpr), rightExpr);
    }

    private (BoundNode Left, BoundNode Right) Unify(BoundNode left, FilterExpression leftExpr, BoundNode right, FilterExpression rightExpr)
    {
        var (a, b) = (left.Type, right.Type);
        if (a.Kind == ValueKind.Null || b.Kind == ValueKind.Null)
        {
            return (left, right);
        }

        if (a.Kind == b.Kind && a.Kind != ValueKind.Other)
        {
            if (a.Kind == ValueKind.Timestamp && a.Unit != b.Unit)
            {
                var finer = (TimeUnit)Math.Max((int)a.Unit, (int)b.Unit);
                return (Retime(left, finer), Retime(right, finer));
            }

            return (left, right);
        }

        if (a.IsNumeric && b.IsNumeric)
        {
            return (ToFloat(left), ToFloat(right));
        }

        if (a.Kind == ValueKind.Date && b.Kind == ValueKind.Timestamp)
        {
            return (new BoundCast(left, b, "timestamp", left.Position), right);
        }

        if (a.Kind == ValueKind.Timestamp && b.Kind == ValueKind.Date)
        {
            return (left, new BoundCast(right, a, "timestamp", right.Position));
        }

        throw Error($"cannot compare {Describe(leftExpr, left)} ({TypeName(left)}) with {Describe(rightExpr, right)} ({TypeName(right)})", leftExpr);
    }

    private static BoundNode Retime(BoundNode node, TimeUnit unit) => node.Type.Unit == unit
        ? node
        : new BoundCast(node, new FilterType(ValueKind.Timestamp, unit), "timestamp", node.Position);

    /// <summary>
    /// A literal converted to the type of what it is compared with. Like LanceDB, a literal that the
    /// column's type cannot hold (<c>int32_col = 3000000000</c>, <c>int_col = 1.5</c>, <c>id = 'x'</c>) is an error.
    /// </summary>
    private BoundLiteral CoerceLiteral(LiteralExpression literal, BoundNode other, FilterExpression otherExpr)
    {
        var value = literal.Value;
        var target = other.Type;
        if (value is null)
        {
            return BoundLiteral.Null(target.Kind == ValueKind.Other ? FilterType.Null : target, literal.Position);
        }

        var arrow = (other as BoundColumn)?.ArrowType;
        var isColumn = other is BoundColumn;
        BoundLiteral? result = target.Kind switch
        {
            ValueKind.Integer => value switch
            {
                long l when arrow is null || InRange(l, arrow) => Literal(Scalars.Int(target, l)),
                double d when !isColumn => null, // mixed arithmetic: compare as doubles below
                _ => null,
            },
            ValueKind.Float => value switch
            {
                long l => Literal(Scalars.Float(arrow is FloatType or HalfFloatType ? (float)l : l)),
                double d => Literal(Scalars.Float(arrow is FloatType or HalfFloatType ? (float)d : d)),
                _ => null,
            },
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
                DateTime t => Literal(Scalars.Int(target, DateOnly.FromDateTime(ToUtc(t)).DayNumber - BoundCast.UnixEpochDay)),
                _ => null,
            },
            ValueKind.Timestamp => value switch
            {
                DateTime t => Literal(Scalars.Int(target, BoundCast.ToTicks(InZoneOf(arrow, ToUtc(t), literal), target.Unit))),
                DateOnly d => Literal(Scalars.Int(target, BoundCast.ToTicks(d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), target.Unit))),
                _ => null,
            },
            ValueKind.Null => BindLiteral(literal),
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
            throw Error($"cannot compare {Describe(otherExpr, other)} ({TypeName(other)}) with the string '{text}'; write {keyword} '{text}'", literal);
        }

        if (target.Kind == ValueKind.Integer && value is double && !isColumn)
        {
            throw Error("compare integer expressions with integers, or CAST them to double", literal);
        }

        var what = other is BoundColumn column ? $"column '{string.Join(".", column.Path)}' ({TypeName(other)})" : $"{Describe(otherExpr, other)} ({TypeName(other)})";
        throw Error($"cannot compare {what} with {DescribeLiteral(value)}", literal);

        BoundLiteral Literal(ColumnVector scalar) => new(scalar, literal.Position) { Value = value };
    }

    private static bool InRange(long value, IArrowType type)
    {
        var (min, max) = ArrowColumns.IntegerRange(type);
        return value >= min && value <= max;
    }

    private BoundNode BindIn(InExpression i)
    {
        if (i.Values.All(v => v is LiteralExpression))
        {
            var operand = BindNode(i.Operand);
            if (operand.Type.Kind == ValueKind.Other)
            {
                throw Error($"IN cannot test {Describe(i.Operand, operand)} ({TypeName(operand)})", i.Operand);
            }

            var values = i.Values.Select(v => CoerceLiteral((LiteralExpression)v, operand, i.Operand)).ToList();
            return new BoundInList(operand, values, i.Negated, i.Position);
        }

        // x IN (a, b) = x = a OR x = b; NOT IN negates the whole (null-aware).
        BoundNode? any = null;
        foreach (var value in i.Values)
        {
            var equal = BindComparison(BinaryOperator.Equal, i.Operand, value, value.Position);
            any = any is null ? equal : new BoundLogical(false, any, equal, i.Position);
        }

        return i.Negated ? new BoundNot(any!, i.Position) : any!;
    }

    private BoundNode BindBetween(BetweenExpression b)
    {
        var low = BindComparison(BinaryOperator.GreaterOrEqual, b.Operand, b.Low, b.Position);
        var high = BindComparison(BinaryOperator.LessOrEqual, b.Operand, b.High, b.Position);
        var both = new BoundLogical(true, low, high, b.Position);
        return b.Negated ? new BoundNot(both, b.Position) : both;
    }

    private BoundLike BindLike(LikeExpression like)
    {
        var operand = Expect(BindNode(like.Operand), like.Operand, ValueKind.String, like.CaseInsensitive ? "ILIKE" : "LIKE");
        if (like.Pattern is not LiteralExpression { Value: string pattern })
        {
            throw Error("the pattern of LIKE must be a string in quotes", like.Pattern);
        }

        if (like.CaseInsensitive)
        {
            operand = new BoundFunction("lower", [operand], FilterType.String, operand.Position);
            pattern = pattern.ToLowerInvariant();
        }

        return new BoundLike(operand, LikePattern.Compile(pattern, like.Escape), like.Negated, like.Position);
    }

    private BoundCast BindCast(CastExpression cast)
    {
        if (!CastTypes.TryGetValue(cast.TypeName, out var target))
        {
            throw Error($"unknown type '{cast.TypeName}' in CAST. Types: {string.Join(", ", CastTypes.Keys)}", cast);
        }

        var operand = BindNode(cast.Operand);
        var from = operand.Type.Kind;
        var allowed = from == ValueKind.Null || from == target.Type.Kind || target.Type.Kind switch
        {
            ValueKind.Integer or ValueKind.Float => from is ValueKind.Integer or ValueKind.Float or ValueKind.Boolean or ValueKind.String,
            ValueKind.Boolean => from is ValueKind.Integer or ValueKind.Float or ValueKind.String,
            ValueKind.String => from is not ValueKind.Other,
            ValueKind.Binary => from is ValueKind.String,
            ValueKind.Date => from is ValueKind.Timestamp or ValueKind.String,
            ValueKind.Timestamp => from is ValueKind.Date or ValueKind.String,
            _ => false,
        };
        if (!allowed)
        {
            throw Error($"cannot cast {Describe(cast.Operand, operand)} ({TypeName(operand)}) to {cast.TypeName}", cast);
        }

        return new BoundCast(operand, target.Type, cast.TypeName, cast.Position);
    }

    private BoundFunction BindFunction(FunctionExpression f)
    {
        if (!BoundFunction.Arity.TryGetValue(f.Name, out var arity))
        {
            throw Error($"unknown function '{f.Name}'. Functions: {string.Join(", ", BoundFunction.Arity.Keys)}", f);
        }

        if (f.Arguments.Count != arity)
        {
            throw Error($"{f.Name} takes {arity} argument{(arity == 1 ? "" : "s")}, not {f.Arguments.Count}", f);
        }

        var args = f.Arguments.Select(BindNode).ToList();
        if (f.Name == "abs")
        {
            if (!args[0].Type.IsNumeric && args[0].Type.Kind != ValueKind.Null)
            {
                throw Error($"abs needs a number, but {Describe(f.Arguments[0], args[0])} is {args[0].Type.Describe()}", f.Arguments[0]);
            }

            return new BoundFunction(f.Name, args, args[0].Type.Kind == ValueKind.Float ? FilterType.Float : FilterType.Integer, f.Position);
        }

        for (var i = 0; i < args.Count; i++)
        {
            Expect(args[i], f.Arguments[i], ValueKind.String, f.Name);
        }

        var type = f.Name switch
        {
            "lower" or "upper" => FilterType.String,
            "starts_with" or "ends_with" or "contains" => FilterType.Boolean,
            _ => FilterType.Integer,
        };
        return new BoundFunction(f.Name, args, type, f.Position);
    }

    private static string TypeName(BoundNode node) => node is BoundColumn { ArrowType: { } arrow } ? Describe(arrow) : node.Type.Describe();

    /// <summary>An Arrow type as LanceDB users read it: <c>int64</c>, <c>utf8</c>, <c>timestamp[us]</c>.</summary>
    public static string Describe(IArrowType type) => type switch
    {
        TimestampType t => $"timestamp[{t.Unit switch { TimeUnit.Second => "s", TimeUnit.Millisecond => "ms", TimeUnit.Microsecond => "us", _ => "ns" }}{(t.Timezone is { } tz ? ", " + tz : "")}]",
        FixedSizeListType l => $"fixed_size_list<{Describe(l.ValueDataType)}>[{l.ListSize}]",
        StructType => "struct",
        DictionaryType d => $"dictionary<{Describe(d.IndexType)}, {Describe(d.ValueType)}>",
        _ => type.Name,
    };

    private static string Describe(FilterExpression e, BoundNode node) => node is BoundColumn c ? $"column '{string.Join(".", c.Path)}'" : $"'{e.ToSql()}'";

    private static string DescribeLiteral(object value) => value switch
    {
        string s => $"the string '{s}'",
        long or double => $"the number {new LiteralExpression(value).ToSql()}",
        bool b => $"the boolean {(b ? "TRUE" : "FALSE")}",
        DateOnly => $"the date {new LiteralExpression(value).ToSql()}",
        DateTime => $"the timestamp {new LiteralExpression(value).ToSql()}",
        _ => $"the value {new LiteralExpression(value).ToSql()}",
    };
}
