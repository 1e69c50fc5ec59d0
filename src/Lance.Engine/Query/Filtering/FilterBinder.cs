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

    private readonly Schema _schema;
    private readonly string _source;
    private readonly string? _text;
    private readonly FilterExpression _root;
    private readonly SortedSet<string> _columns = new(StringComparer.Ordinal);
    private bool _resolving = true;
    private (BoundNode Node, FilterExpression Expression)? _literalTarget;

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

    /// <summary>
    /// Binds one node. LanceDB converts literals to a column's type (and fails when it cannot) only in
    /// comparisons, BETWEEN and IN reached from the root through AND/OR alone (Lance's resolve_expr);
    /// everywhere else (under NOT, inside functions, CAST, IS TRUE) literals keep their own type and
    /// meet the other side in DataFusion's common type. <see cref="_resolving"/> says which applies;
    /// <see cref="_literalTarget"/> is the column whose type the literals of <c>col op (a + b)</c> take.
    /// </summary>
    private BoundNode BindNode(FilterExpression e)
    {
        var (resolving, target) = (_resolving, _literalTarget);
        _resolving = resolving && e is BinaryExpression { Operator: BinaryOperator.And or BinaryOperator.Or };
        _literalTarget = target is not null && e is BinaryExpression { Operator: >= BinaryOperator.Equal } ? target : null;
        try
        {
            return target is not null && e is LiteralExpression literal ? CoerceLiteral(literal, target.Value.Node, target.Value.Expression) : BindCore(e, resolving);
        }
        finally
        {
            (_resolving, _literalTarget) = (resolving, target);
        }
    }

    private BoundNode BindCore(FilterExpression e, bool resolving) => e switch
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
        BinaryExpression b => BindComparison(b.Operator, b.Left, b.Right, b.Position, resolving),
        IsNullExpression n => new BoundIsNull(BindNode(n.Operand), n.Negated, n.Position),
        IsBooleanExpression ib => new BoundIsBoolean(Expect(BindNode(ib.Operand), ib.Operand, ValueKind.Boolean, "IS TRUE/FALSE"), ib.Value, ib.Negated, ib.Position),
        InExpression i => BindIn(i, resolving),
        BetweenExpression bt => BindBetween(bt, resolving),
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

        // A dictionary column compares as its values (LanceDB: `tag = 'red'`).
        var valueType = type is DictionaryType dictionary ? dictionary.ValueType : type;
        return new BoundColumn(ArrowColumns.TypeOf(valueType), c.Position, path) { ArrowType = valueType };
    }

    private static Field? SingleOrNull(List<Field> fields) => fields.Count == 1 ? fields[0] : null;

    private static BoundLiteral BindLiteral(LiteralExpression l) => new(l.Value switch
    {
        null => ColumnVector.NullScalar,
        bool b => Scalars.Bool(b),
        long i => Scalars.Int(FilterType.Integer, i),
        ulong u => Scalars.Int(FilterType.Of(NumberType.UInt64), unchecked((long)u)),
        double d => Scalars.Float(d),
        TimeOnly t => Scalars.Int(new FilterType(ValueKind.Time, TimeUnit.Microsecond), t.Ticks / TimeSpan.TicksPerMicrosecond),
        decimal m => DecimalScalar(m),
        string s => Scalars.Bytes(FilterType.String, Encoding.UTF8.GetBytes(s)),
        byte[] bytes => Scalars.Bytes(new FilterType(ValueKind.Binary), bytes),
        DateOnly date => Scalars.Int(new FilterType(ValueKind.Date), date.DayNumber - BoundCast.UnixEpochDay),
        DateTime time => Scalars.Int(new FilterType(ValueKind.Timestamp, TimeUnit.Microsecond), BoundCast.ToTicks(ToUtc(time), TimeUnit.Microsecond)),
        _ => throw new ArgumentException($"A filter literal cannot hold a {l.Value.GetType().Name}.", nameof(l)),
    }, l.Position)
    { Value = l.Value };

    /// <summary>A C# decimal as a decimal128(38, its scale) constant, exactly.</summary>
    private static ColumnVector DecimalScalar(decimal value)
    {
        var scale = value.Scale;
        var unscaled = System.Numerics.BigInteger.Parse(Math.Abs(value).ToString(System.Globalization.CultureInfo.InvariantCulture).Replace(".", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        return Scalars.Decimal(FilterType.Decimal(NumberType.Decimal128, NumericTypes.MaxDecimal128Precision, scale), value < 0 ? -unscaled : unscaled);
    }

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
            return ZoneTime.ToUtc(time, zone);
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

        if (operand.Type.IsUnsigned)
        {
            // DataFusion: "Negation only supports numeric, interval and timestamp types" (unsigned ones excluded).
            throw Error($"'-' cannot negate {Describe(u.Operand, operand)}: it is unsigned ({operand.Type.Describe()})", u);
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

        if (left.Type.Kind == ValueKind.Null || right.Type.Kind == ValueKind.Null)
        {
            var known = left.Type.Kind == ValueKind.Null ? right.Type : left.Type;
            return new BoundArithmetic(b.Operator, left, right, known.Kind == ValueKind.Null ? FilterType.Integer : known, b.Position);
        }

        var (l, r, result) = NumericTypes.Arithmetic(left.Type, right.Type, b.Operator)!.Value;
        return new BoundArithmetic(b.Operator, To(left, l), To(right, r), result, b.Position);
    }

    /// <summary><paramref name="node"/> converted to <paramref name="type"/> (nothing when it already is).</summary>
    private static BoundNode To(BoundNode node, FilterType type) => node.Type == type || node.Type.Kind == ValueKind.Null
        ? node
        : new BoundCast(node, type, type.Describe(), node.Position);

    /// <summary>Binds <c>left op right</c> so both sides have one kind.</summary>
    private BoundNode BindComparison(BinaryOperator op, FilterExpression leftExpr, FilterExpression rightExpr, int position, bool resolving)
    {
        var (left, right) = BindComparable(leftExpr, rightExpr, resolving);

        // DataFusion's simplifier folds `x op NULL` to NULL before running anything, so x (a cast
        // that would fail, say) is never evaluated: `CAST(dec AS smallint) <= NULL` is simply null.
        return IsNullConstant(left) || IsNullConstant(right)
            ? BoundLiteral.Null(FilterType.Boolean, position)
            : new BoundCompare(op, left, right, position);
    }

    private static bool IsNullConstant(BoundNode node) => node switch
    {
        BoundLiteral literal => literal.IsNull,
        BoundCast cast => IsNullConstant(cast.Operand),
        _ => false,
    };

    private (BoundNode Left, BoundNode Right) BindComparable(FilterExpression leftExpr, FilterExpression rightExpr, bool resolving)
    {
        if (UnwrapCast(leftExpr, rightExpr) is { } unwrapped)
        {
            return unwrapped;
        }

        if (UnwrapCast(rightExpr, leftExpr) is { } swapped)
        {
            return (swapped.Right, swapped.Left);
        }

        if (resolving && leftExpr is ColumnExpression && rightExpr is LiteralExpression rl)
        {
            var left = BindNode(leftExpr);
            return rl.Value is decimal ? Unify(left, leftExpr, BindLiteral(rl), rightExpr) : (left, CoerceLiteral(rl, left, leftExpr));
        }

        if (resolving && rightExpr is ColumnExpression && leftExpr is LiteralExpression ll)
        {
            var right = BindNode(rightExpr);
            return ll.Value is decimal ? Unify(BindLiteral(ll), leftExpr, right, rightExpr) : (CoerceLiteral(ll, right, rightExpr), right);
        }

        if (resolving && leftExpr is ColumnExpression && rightExpr is BinaryExpression)
        {
            var left = BindNode(leftExpr);
            _literalTarget = (left, leftExpr);
            var right = BindNode(rightExpr);
            _literalTarget = null;
            return Unify(left, leftExpr, right, rightExpr);
        }

        return Unify(BindNode(leftExpr), leftExpr, BindNode(rightExpr), rightExpr);
    }

    /// <summary>
    /// DataFusion's "unwrap cast in comparison": <c>CAST(int_expr AS int_type) op integer</c> compares
    /// the expression itself with the integer when the integer fits the expression's type, so the cast
    /// (which could fail, or wrap) never runs.
    /// </summary>
    private (BoundNode Left, BoundNode Right)? UnwrapCast(FilterExpression castSide, FilterExpression literalSide)
    {
        if (castSide is not CastExpression cast || literalSide is not LiteralExpression { Value: long or ulong } literal
            || !CastTypes.TryGetValue(cast.TypeName, out var target) || target.Type.Kind != ValueKind.Integer)
        {
            return null;
        }

        var inner = BindNode(cast.Operand);
        return UnwrappedLiteral(inner, target.Type, literal) is { } unwrapped ? (inner, unwrapped) : null;
    }

    /// <summary>
    /// The integer <paramref name="literal"/> as a constant of <paramref name="inner"/>'s type, when
    /// DataFusion would unwrap <c>CAST(inner AS castType)</c> compared with it: the integer fits the cast
    /// type and the inner type exactly. Inner decimals are unwrapped too, although the cast truncates
    /// (DataFusion does so: <c>CAST(1.5 AS smallint) = 1</c> is false there, as it compares <c>1.5 = 1.00</c>).
    /// </summary>
    private static BoundLiteral? UnwrappedLiteral(BoundNode inner, FilterType castType, LiteralExpression literal)
    {
        if (literal.Value is not (long or ulong) || castType.Kind != ValueKind.Integer)
        {
            return null;
        }

        var value = literal.Value is long l ? (Int128)l : (ulong)literal.Value;
        if (!NumericTypes.Fits(value, castType.Number))
        {
            return null;
        }

        if (inner.Type.Kind == ValueKind.Decimal)
        {
            var unscaled = (System.Numerics.BigInteger)value * NumericTypes.Pow10(inner.Type.Scale);
            return System.Numerics.BigInteger.Abs(unscaled) < NumericTypes.Pow10(inner.Type.Precision)
                ? new BoundLiteral(Scalars.Decimal(inner.Type, unscaled), literal.Position) { Value = literal.Value }
                : null;
        }

        if (inner.Type.Kind != ValueKind.Integer || !NumericTypes.Fits(value, inner.Type.Number))
        {
            return null;
        }

        return new BoundLiteral(Scalars.Int(inner.Type, value > long.MaxValue ? unchecked((long)(ulong)value) : (long)value), literal.Position) { Value = literal.Value };
    }

    private (BoundNode Left, BoundNode Right) Unify(BoundNode left, FilterExpression leftExpr, BoundNode right, FilterExpression rightExpr)
    {
        var (a, b) = (left.Type, right.Type);
        if (a.Kind == ValueKind.Null || b.Kind == ValueKind.Null)
        {
            return (left, right);
        }

        if (a.Kind == b.Kind && a.Kind is not (ValueKind.Other or ValueKind.List or ValueKind.Integer or ValueKind.Float or ValueKind.Decimal or ValueKind.Time))
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
            var common = NumericTypes.Comparison(a, b)!.Value;
            return (To(left, common), To(right, common));
        }

        // DataFusion compares a number with a string as strings, and parses a string compared with a date or timestamp.
        if ((a.IsNumeric && b.Kind == ValueKind.String) || (a.Kind == ValueKind.String && b.IsNumeric))
        {
            return (To(left, FilterType.String), To(right, FilterType.String));
        }

        if (a.Kind is ValueKind.Date or ValueKind.Timestamp && b.Kind == ValueKind.String)
        {
            return (left, To(right, a));
        }

        if (b.Kind is ValueKind.Date or ValueKind.Timestamp && a.Kind == ValueKind.String)
        {
            return (To(left, b), right);
        }

        if (a.Kind == ValueKind.Time && b.Kind == ValueKind.Time)
        {
            var finer = (TimeUnit)Math.Max((int)a.Unit, (int)b.Unit);
            return (To(left, new FilterType(ValueKind.Time, finer)), To(right, new FilterType(ValueKind.Time, finer)));
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

        var what = other is BoundColumn column ? $"column '{string.Join(".", column.Path)}' ({TypeName(other)})" : $"{Describe(otherExpr, other)} ({TypeName(other)})";
        throw Error($"cannot compare {what} with {DescribeLiteral(value)}", literal);

        BoundLiteral Literal(ColumnVector scalar) => new(scalar, literal.Position) { Value = value };

        BoundLiteral? DecimalLiteral(System.Numerics.BigInteger number)
        {
            var unscaled = number * NumericTypes.Pow10(target.Scale);
            return System.Numerics.BigInteger.Abs(unscaled) < NumericTypes.Pow10(target.Precision) ? Literal(Scalars.Decimal(target, unscaled)) : null;
        }
    }

    private BoundNode BindIn(InExpression i, bool resolving)
    {
        if (i.Values.All(v => v is LiteralExpression))
        {
            var operand = BindNode(i.Operand);
            if (operand.Type.Kind == ValueKind.Other)
            {
                throw Error($"IN cannot test {Describe(i.Operand, operand)} ({TypeName(operand)})", i.Operand);
            }

            if (operand.Type.Kind == ValueKind.List)
            {
                throw Error($"IN cannot test {Describe(i.Operand, operand)} ({TypeName(operand)})", i.Operand);
            }

            var literals = i.Values.Cast<LiteralExpression>().ToList();
            if (i.Operand is CastExpression cast && CastTypes.TryGetValue(cast.TypeName, out var castTarget) && literals.Any(l => l.Value is not null))
            {
                // DataFusion unwraps the cast of `CAST(x AS int) IN (1, 2)` as it does for `=`, when every integer qualifies.
                var inner = BindNode(cast.Operand);
                var unwrapped = literals.Select(l => l.Value is null ? BoundLiteral.Null(inner.Type, l.Position) : UnwrappedLiteral(inner, castTarget.Type, l)).ToList();
                if (unwrapped.All(u => u is not null))
                {
                    return new BoundInList(inner, unwrapped!, i.Negated, i.Position);
                }
            }

            var resolved = resolving && i.Operand is ColumnExpression { Path.Count: 1 };
            var hasString = operand.Type.Kind == ValueKind.String || literals.Any(l => l.Value is string);
            if (!resolved && hasString && (operand.Type.IsNumeric || literals.Any(l => l.Value is long or ulong or double or decimal)))
            {
                // Outside Lance's literal resolution DataFusion meets a number and a string as strings:
                // `NOT (u64 IN ('1', '01'))` compares the text of u64 with '1' and '01'.
                if (!operand.Type.IsNumeric && operand.Type.Kind != ValueKind.String)
                {
                    throw Error($"IN cannot compare {Describe(i.Operand, operand)} ({TypeName(operand)}) with both numbers and strings", i.Operand);
                }

                var texts = literals.Select(l => l.Value is null ? BoundLiteral.Null(FilterType.String, l.Position) : Constant(To(BindLiteral(l), FilterType.String), l)).ToList();
                return new BoundInList(To(operand, FilterType.String), texts, i.Negated, i.Position);
            }

            if (!resolved && operand.Type.IsNumeric && literals.All(l => l.Value is null or long or ulong or double or decimal))
            {
                // An expression IN numbers: all meet in DataFusion's common type.
                var common = operand.Type;
                foreach (var l in literals.Where(l => l.Value is not null))
                {
                    common = NumericTypes.Comparison(common, BindLiteral(l).Type)!.Value;
                }

                var typed = literals.Select(l => l.Value is null ? BoundLiteral.Null(common, l.Position) : Constant(To(BindLiteral(l), common), l)).ToList();
                return new BoundInList(To(operand, common), typed, i.Negated, i.Position);
            }

            var values = literals.Select(v => CoerceLiteral(v, operand, i.Operand)).ToList();
            return new BoundInList(operand, values, i.Negated, i.Position);
        }

        // x IN (a, b) = x = a OR x = b; NOT IN negates the whole (null-aware).
        BoundNode? any = null;
        foreach (var value in i.Values)
        {
            var equal = BindComparison(BinaryOperator.Equal, i.Operand, value, value.Position, resolving);
            any = any is null ? equal : new BoundLogical(false, any, equal, i.Position);
        }

        return i.Negated ? new BoundNot(any!, i.Position) : any!;
    }

    private static readonly RecordBatch NoRows = new(new Schema([], null), [], 0);

    /// <summary>A node that reads no column, evaluated once into a literal.</summary>
    private BoundLiteral Constant(BoundNode node, FilterExpression at)
    {
        var value = node.Evaluate(new EvaluationContext(NoRows, (message, _) => Error(message, at)));
        return new BoundLiteral(value, at.Position) { Value = (at as LiteralExpression)?.Value };
    }

    private BoundNode BindBetween(BetweenExpression b, bool resolving)
    {
        // DataFusion gives the operand and both bounds one common type: with a quoted string for one
        // bound and a number for the other, that is a string, so the number is compared as its text.
        var (lowExpr, highExpr) = (b.Low, b.High) switch
        {
            (LiteralExpression { Value: string }, LiteralExpression { Value: long or ulong or double } number) => (b.Low, AsText(number)),
            (LiteralExpression { Value: long or ulong or double } number, LiteralExpression { Value: string }) => (AsText(number), b.High),
            _ => (b.Low, b.High),
        };
        var low = BindComparison(BinaryOperator.GreaterOrEqual, b.Operand, lowExpr, b.Position, resolving);
        var high = BindComparison(BinaryOperator.LessOrEqual, b.Operand, highExpr, b.Position, resolving);
        var both = new BoundLogical(true, low, high, b.Position);
        return b.Negated ? new BoundNot(both, b.Position) : both;
    }

    // A number literal as the text Arrow's cast to string gives it.
    private static LiteralExpression AsText(LiteralExpression number) => new(number.Value switch
    {
        double d => FloatText.Format(d, NumberType.Float64),
        ulong u => u.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => ((long)number.Value!).ToString(System.Globalization.CultureInfo.InvariantCulture),
    })
    { Position = number.Position };

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

    private BoundNode BindCast(CastExpression cast)
    {
        if (cast.TypeName.StartsWith("decimal", StringComparison.Ordinal))
        {
            return BindDecimalCast(cast);
        }

        if (!CastTypes.TryGetValue(cast.TypeName, out var target))
        {
            throw Error($"unknown type '{cast.TypeName}' in CAST. Types: {string.Join(", ", CastTypes.Keys)}", cast);
        }

        var operand = BindNode(cast.Operand);
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
            throw Error($"cannot cast {Describe(cast.Operand, operand)} ({TypeName(operand)}) to {cast.TypeName}", cast);
        }

        return new BoundCast(operand, target.Type, cast.TypeName, cast.Position);
    }

    /// <summary>
    /// <c>CAST(x AS DECIMAL(p, s))</c>: decimal128(p, s), or decimal256 when p &gt; 38 (DataFusion); a plain
    /// DECIMAL is decimal(38, 10). A constant (text or number) becomes an exact decimal constant, rounded half
    /// away from zero to the scale as Arrow's string-to-decimal cast does; a float or numeric expression is cast row by row.
    /// </summary>
    private BoundNode BindDecimalCast(CastExpression cast)
    {
        var m = System.Text.RegularExpressions.Regex.Match(cast.TypeName, @"^decimal(?:\((\d+),(\d+)\))?$");
        var precision = m.Success && m.Groups[1].Success ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 38;
        var scale = m.Success && m.Groups[2].Success ? int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : 10;
        if (!m.Success || precision < 1 || precision > NumericTypes.MaxDecimal256Precision || scale > precision)
        {
            throw Error($"invalid type '{cast.TypeName}' in CAST: DECIMAL(p, s) needs 1 <= p <= {NumericTypes.MaxDecimal256Precision} and s <= p", cast);
        }

        var type = FilterType.Decimal(precision > NumericTypes.MaxDecimal128Precision ? NumberType.Decimal256 : NumberType.Decimal128, precision, scale);
        if (cast.Operand is LiteralExpression { Value: { } value } literal && value is string or long or ulong or decimal)
        {
            // A float constant is cast as a float (Arrow: round(value × 10^s)), below.
            var text = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!;
            if (ParseDecimal(text, scale) is not { } unscaled)
            {
                throw Error($"cannot cast '{text}' to {type.Describe()}: not a number", cast);
            }

            if (System.Numerics.BigInteger.Abs(unscaled) >= NumericTypes.Pow10(precision))
            {
                throw Error($"cannot cast '{text}' to {type.Describe()}: it does not fit the precision", cast);
            }

            return new BoundLiteral(Scalars.Decimal(type, unscaled), literal.Position);
        }

        var operand = BindNode(cast.Operand);
        if (operand.Type.Kind is not (ValueKind.Null or ValueKind.Integer or ValueKind.Float or ValueKind.Decimal))
        {
            throw Error($"cannot cast {Describe(cast.Operand, operand)} ({TypeName(operand)}) to {type.Describe()}", cast);
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

    private BoundNode BindFunction(FunctionExpression f)
    {
        if (BoundListFunction.Names.TryGetValue(f.Name, out var listFunction))
        {
            return BindListFunction(f, listFunction);
        }

        if (f.Name == "arrow_cast")
        {
            return BindArrowCast(f);
        }

        if (!BoundFunction.Arity.TryGetValue(f.Name, out var arity))
        {
            throw Error($"unknown function '{f.Name}'. Functions: {string.Join(", ", BoundFunction.Arity.Keys.Concat(BoundListFunction.Names.Keys).Append("arrow_cast"))}", f);
        }

        if (f.Arguments.Count != arity)
        {
            throw Error($"{f.Name} takes {arity} argument{(arity == 1 ? "" : "s")}, not {f.Arguments.Count}", f);
        }

        var args = f.Arguments.Select(BindNode).ToList();
        if (f.Name is "abs" or "isnan")
        {
            if (!args[0].Type.IsNumeric && args[0].Type.Kind != ValueKind.Null)
            {
                throw Error($"{f.Name} needs a number, but {Describe(f.Arguments[0], args[0])} is {args[0].Type.Describe()}", f.Arguments[0]);
            }

            var type = f.Name == "isnan" ? FilterType.Boolean : args[0].Type.Kind == ValueKind.Null ? FilterType.Integer : args[0].Type;
            return new BoundFunction(f.Name, args, type, f.Position);
        }

        for (var i = 0; i < args.Count; i++)
        {
            Expect(args[i], f.Arguments[i], ValueKind.String, f.Name);
        }

        var resultType = f.Name switch
        {
            "lower" or "upper" => FilterType.String,
            "starts_with" or "ends_with" or "contains" => FilterType.Boolean,
            _ => FilterType.Integer,
        };
        return new BoundFunction(f.Name, args, resultType, f.Position);
    }

    private BoundListFunction BindListFunction(FunctionExpression f, string name)
    {
        var arity = name == "array_length" ? 1 : 2;
        if (f.Arguments.Count != arity)
        {
            throw Error($"{f.Name} takes {arity} argument{(arity == 1 ? "" : "s")}, not {f.Arguments.Count}", f);
        }

        var list = BindNode(f.Arguments[0]);
        var itemArrow = (list as BoundColumn)?.ArrowType is { } arrow ? ArrowColumns.ElementType(arrow) : null;
        if (list.Type.Kind != ValueKind.List || itemArrow is null)
        {
            throw Error($"{f.Name} needs a list column first, but {Describe(f.Arguments[0], list)} is {TypeName(list)}", f.Arguments[0]);
        }

        var itemType = ArrowColumns.TypeOf(itemArrow is DictionaryType d ? d.ValueType : itemArrow);
        if (name == "array_length")
        {
            return new BoundListFunction(name, list, itemType, null, [], f.Position);
        }

        if (name == "array_has")
        {
            var needle = BindNode(f.Arguments[1]);
            var common = MeetItems(itemType, needle.Type, f.Arguments[1]);
            if (common.Kind == ValueKind.Decimal && (itemType.Kind != ValueKind.Decimal || needle.Type.Kind != ValueKind.Decimal))
            {
                // DataFusion's array_has finds no element type for an integer list and a uint64 or
                // decimal value (their common type would be a decimal): "No function matches".
                throw Error($"array_has cannot look for {needle.Type.Describe()} values in a list of {itemType.Describe()}; cast one of them", f.Arguments[1]);
            }

            return new BoundListFunction(name, list, common, To(needle, common), [], f.Position);
        }

        var items = f.Arguments[1] switch
        {
            ArrayExpression array => array.Items,
            FunctionExpression { Name: "make_array" } make => make.Arguments,
            _ => throw Error($"{f.Name} needs a list of constants such as [1, 2] second", f.Arguments[1]),
        };
        var needles = items.Select(e => e is LiteralExpression l ? BindLiteral(l) : throw Error($"{f.Name} takes constants in its list", e)).ToList();
        var type = needles.Aggregate(itemType, (t, n) => MeetItems(t, n.Type, f.Arguments[1]));
        return new BoundListFunction(name, list, type, null, [.. needles.Select(n => n.IsNull ? BoundLiteral.Null(type, n.Position) : Constant(To(n, type), f.Arguments[1]))], f.Position);
    }

    // The type a list's items and a value looked for meet in: numbers in their common type, else one kind.
    private FilterType MeetItems(FilterType item, FilterType needle, FilterExpression at)
    {
        if (needle.Kind == ValueKind.Null)
        {
            return item;
        }

        if (item.IsNumeric && needle.IsNumeric)
        {
            return NumericTypes.Comparison(item, needle)!.Value;
        }

        if (item.Kind == needle.Kind && item.Kind is not (ValueKind.List or ValueKind.Other))
        {
            return item;
        }

        throw Error($"cannot look for {needle.Describe()} values in a list of {item.Describe()}", at);
    }

    /// <summary><c>arrow_cast('text', 'Type')</c>: a constant of an Arrow type that SQL has no literal for (a time, a uint64).</summary>
    private BoundLiteral BindArrowCast(FunctionExpression f)
    {
        if (f.Arguments is not [LiteralExpression { Value: { } value } literal, LiteralExpression { Value: string typeName }])
        {
            throw Error("arrow_cast takes a constant and the name of an Arrow type in quotes", f);
        }

        var text = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!;
        var decimalType = System.Text.RegularExpressions.Regex.Match(typeName, @"^Decimal128\((\d+),\s*(\d+)\)$");
        if (decimalType.Success && decimal.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            var (precision, scale) = (int.Parse(decimalType.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(decimalType.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
            var exact = DecimalScalar(number);
            var unscaled = BoundCast.Rescale(exact.Decimals![0], exact.Type.Scale, scale);
            return new BoundLiteral(Scalars.Decimal(FilterType.Decimal(NumberType.Decimal128, precision, scale), unscaled), f.Position) { Value = number };
        }

        FilterType? type = typeName switch
        {
            "UInt64" => FilterType.Of(NumberType.UInt64),
            "Int64" => FilterType.Of(NumberType.Int64),
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
            throw Error($"arrow_cast to '{typeName}' is not supported here", f);
        }

        var source = new BoundLiteral(Scalars.Bytes(FilterType.String, Encoding.UTF8.GetBytes(text)), literal.Position);
        return Constant(new BoundCast(source, type.Value, typeName, f.Position), f);
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
