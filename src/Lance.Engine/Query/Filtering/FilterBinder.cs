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

    /// <summary>
    /// Binds <paramref name="root"/>; <paramref name="text"/> is the SQL it came from (null for LINQ), for error positions.
    /// With <paramref name="resolving"/> false, <paramref name="root"/> is bound as a part of a filter that a NOT lies
    /// above (its literals meet the columns in the common type, as everywhere under NOT): for the scalar index planner,
    /// which answers the parts of a filter one by one.
    /// </summary>
    public static (BoundNode Node, IReadOnlyList<string> Columns) Bind(FilterExpression root, Schema schema, string source, string? text, bool resolving = true)
    {
        var binder = new FilterBinder(schema, source, text, root) { _resolving = resolving };
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
    internal BoundNode BindNode(FilterExpression e)
    {
        var (resolving, target) = (_resolving, _literalTarget);
        _resolving = resolving && e is BinaryExpression { Operator: BinaryOperator.And or BinaryOperator.Or };
        _literalTarget = target is not null && e is BinaryExpression { Operator: >= BinaryOperator.Equal } ? target : null;
        try
        {
            return target is not null && e is LiteralExpression literal ? FilterCastBinder.CoerceLiteral(this, literal, target.Value.Node, target.Value.Expression) : BindCore(e, resolving);
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
        BinaryExpression { Operator: BinaryOperator.And or BinaryOperator.Or } b => BindLogical(b),
        BinaryExpression { Operator: BinaryOperator.Concat } b => new BoundConcat(
            Expect(BindNode(b.Left), b.Left, ValueKind.String, "||"), Expect(BindNode(b.Right), b.Right, ValueKind.String, "||"), b.Position),
        BinaryExpression { Operator: >= BinaryOperator.Add } b => BindArithmetic(b),
        BinaryExpression b => BindComparison(b.Operator, b.Left, b.Right, b.Position, resolving),
        IsNullExpression n => new BoundIsNull(BindNode(n.Operand), n.Negated, n.Position),
        IsBooleanExpression ib => new BoundIsBoolean(Expect(BindNode(ib.Operand), ib.Operand, ValueKind.Boolean, "IS TRUE/FALSE"), ib.Value, ib.Negated, ib.Position),
        InExpression i => BindIn(i, resolving),
        BetweenExpression bt => FilterCommonTypes.BindBetween(this, bt, resolving),
        LikeExpression like => BindLike(like),
        CastExpression cast => FilterCastBinder.BindCast(this, cast),
        FunctionExpression f => FilterFunctionBinder.BindFunction(this, f),
        _ => throw Error($"'{e.ToSql()}' is not supported in a filter", e),
    };

    private BoundNode BindLogical(BinaryExpression b)
    {
        var isAnd = b.Operator == BinaryOperator.And;
        var left = Expect(BindNode(b.Left), b.Left, ValueKind.Boolean, BinaryExpression.Symbol(b.Operator));
        var right = Expect(BindNode(b.Right), b.Right, ValueKind.Boolean, BinaryExpression.Symbol(b.Operator));
        return InListMerging.TryMerge(this, b, left, right) ?? new BoundLogical(isAnd, left, right, b.Position);
    }

    internal BoundNode Expect(BoundNode node, FilterExpression e, ValueKind kind, string context)
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

    internal static BoundLiteral BindLiteral(LiteralExpression l) => new(l.Value switch
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
    internal static ColumnVector DecimalScalar(decimal value)
    {
        var scale = value.Scale;
        var unscaled = System.Numerics.BigInteger.Parse(Math.Abs(value).ToString(System.Globalization.CultureInfo.InvariantCulture).Replace(".", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        return Scalars.Decimal(FilterType.Decimal(NumberType.Decimal128, NumericTypes.MaxDecimal128Precision, scale), value < 0 ? -unscaled : unscaled);
    }

    internal static DateTime ToUtc(DateTime time) => time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time;

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

    private BoundNode BindArithmetic(BinaryExpression b)
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
            // DataFusion's simplifier folds `x op NULL` (and `NULL op x`) to NULL before running
            // anything, so x (an abs that would overflow, a division by zero) is never evaluated.
            var known = left.Type.Kind == ValueKind.Null ? right.Type : left.Type;
            return BoundLiteral.Null(known.Kind == ValueKind.Null ? FilterType.Integer : known, b.Position);
        }

        if (IsNullConstant(left) || IsNullConstant(right))
        {
            // The same for a NULL already folded to a typed constant (`x + (f32 + NULL)`).
            var (_, _, type) = NumericTypes.Arithmetic(left.Type, right.Type, b.Operator)!.Value;
            return BoundLiteral.Null(type, b.Position);
        }

        var (l, r, result) = NumericTypes.Arithmetic(left.Type, right.Type, b.Operator)!.Value;
        return new BoundArithmetic(b.Operator, To(left, l), To(right, r), result, b.Position);
    }

    /// <summary><paramref name="node"/> converted to <paramref name="type"/> (nothing when it already is).</summary>
    internal static BoundNode To(BoundNode node, FilterType type) => node.Type == type || node.Type.Kind == ValueKind.Null
        ? node
        : new BoundCast(node, type, type.Describe(), node.Position);

    /// <summary>Binds <c>left op right</c> so both sides have one kind.</summary>
    internal BoundNode BindComparison(BinaryOperator op, FilterExpression leftExpr, FilterExpression rightExpr, int position, bool resolving)
    {
        if (op is BinaryOperator.Equal or BinaryOperator.NotEqual)
        {
            // DataFusion unwraps `CAST(x AS int) = '1'` too (= and != only): the text becomes the integer it
            // spells when it spells it exactly ('01', ' 1' and '1.0' do not), so the cast never runs.
            leftExpr = IntegerSpelledBy(rightExpr, leftExpr) ?? leftExpr;
            rightExpr = IntegerSpelledBy(leftExpr, rightExpr) ?? rightExpr;
        }

        var (left, right) = BindComparable(leftExpr, rightExpr, resolving);

        // DataFusion's simplifier folds `x op NULL` to NULL before running anything, so x (a cast
        // that would fail, say) is never evaluated: `CAST(dec AS smallint) <= NULL` is simply null.
        return IsNullConstant(left) || IsNullConstant(right)
            ? BoundLiteral.Null(FilterType.Boolean, position)
            : new BoundCompare(op, left, right, position);
    }

    private static LiteralExpression? IntegerSpelledBy(FilterExpression castSide, FilterExpression textSide)
    {
        if (castSide is not CastExpression cast || textSide is not LiteralExpression { Value: string text } literal
            || !FilterCastBinder.CastTypes.TryGetValue(cast.TypeName, out var target) || target.Type.Kind != ValueKind.Integer
            || !Int128.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value)
            || value.ToString(System.Globalization.CultureInfo.InvariantCulture) != text || !NumericTypes.Fits(value, target.Type.Number))
        {
            return null;
        }

        return new LiteralExpression(value > long.MaxValue ? (ulong)value : (long)value) { Position = literal.Position };
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
            return rl.Value is decimal ? Unify(left, leftExpr, BindLiteral(rl), rightExpr) : (left, FilterCastBinder.CoerceLiteral(this, rl, left, leftExpr));
        }

        if (resolving && rightExpr is ColumnExpression && leftExpr is LiteralExpression ll)
        {
            var right = BindNode(rightExpr);
            return ll.Value is decimal ? Unify(BindLiteral(ll), leftExpr, right, rightExpr) : (FilterCastBinder.CoerceLiteral(this, ll, right, rightExpr), right);
        }

        if (resolving && leftExpr is ColumnExpression && rightExpr is BinaryExpression)
        {
            var left = BindNode(leftExpr);
            _literalTarget = (left, leftExpr);
            var right = BindNode(rightExpr);
            _literalTarget = null;
            return Unify(left, leftExpr, right, rightExpr);
        }

        var (boundLeft, boundRight) = (BindNode(leftExpr), BindNode(rightExpr));

        // A timestamp without a zone against a column in a named zone is wall-clock time in that zone
        // wherever the comparison stands (below NOT too), as DataFusion's cast makes it.
        if (IsZonedTimestamp(boundLeft) && rightExpr is LiteralExpression { Value: DateTime } zonedRight)
        {
            return (boundLeft, FilterCastBinder.CoerceLiteral(this, zonedRight, boundLeft, leftExpr));
        }

        if (IsZonedTimestamp(boundRight) && leftExpr is LiteralExpression { Value: DateTime } zonedLeft)
        {
            return (FilterCastBinder.CoerceLiteral(this, zonedLeft, boundRight, rightExpr), boundRight);
        }

        return Unify(boundLeft, leftExpr, boundRight, rightExpr);
    }

    private static bool IsZonedTimestamp(BoundNode node) =>
        node is BoundColumn { ArrowType: TimestampType { Timezone.Length: > 0 } zoned } && zoned.Timezone is not ("UTC" or "Etc/UTC" or "+00:00");

    /// <summary>
    /// DataFusion's "unwrap cast in comparison": <c>CAST(int_expr AS int_type) op integer</c> compares
    /// the expression itself with the integer when the integer fits the expression's type, so the cast
    /// (which could fail, or wrap) never runs.
    /// </summary>
    private (BoundNode Left, BoundNode Right)? UnwrapCast(FilterExpression castSide, FilterExpression literalSide)
    {
        if (castSide is not CastExpression cast || literalSide is not LiteralExpression { Value: long or ulong } literal
            || !FilterCastBinder.CastTypes.TryGetValue(cast.TypeName, out var target) || target.Type.Kind != ValueKind.Integer)
        {
            return null;
        }

        // DataFusion's optimizer repeats the rewrite until nothing changes: a cast inside the cast
        // (`CAST(CAST(x AS bigint unsigned) AS tinyint) = 1`) unwraps the same way, so neither cast runs.
        var value = literal.Value is long l ? (Int128)l : (ulong)literal.Value;
        if (cast.Operand is CastExpression && NumericTypes.Fits(value, target.Type.Number) && UnwrapCast(cast.Operand, literalSide) is { } deeper)
        {
            return deeper;
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
            return (FilterCastBinder.Saturated(left, common) ?? To(left, common), FilterCastBinder.Saturated(right, common) ?? To(right, common));
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
            if (i.Operand is CastExpression && literals is [{ Value: string }])
            {
                // DataFusion simplifies `x IN (a)` to `x = a` (and NOT IN to !=) before unwrapping casts.
                return BindComparison(i.Negated ? BinaryOperator.NotEqual : BinaryOperator.Equal, i.Operand, literals[0], i.Position, resolving);
            }

            if (i.Operand is CastExpression cast && FilterCastBinder.CastTypes.TryGetValue(cast.TypeName, out var castTarget) && literals.Any(l => l.Value is not null))
            {
                // DataFusion unwraps the cast of `CAST(x AS int) IN (1, 2)` as it does for `=`, when every integer qualifies.
                var inner = BindNode(cast.Operand);
                var unwrapped = literals.Select(l => l.Value is null ? BoundLiteral.Null(inner.Type, l.Position) : UnwrappedLiteral(inner, castTarget.Type, l)).ToList();
                if (unwrapped.All(u => u is not null))
                {
                    return new BoundInList(inner, unwrapped!, i.Negated, i.Position, InListMerging.Key(cast.Operand, inner), cast.Operand is ColumnExpression);
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
                var asText = To(operand, FilterType.String);
                return new BoundInList(asText, texts, i.Negated, i.Position, InListMerging.Key(i.Operand, asText));
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
                var inCommon = To(operand, common);
                return new BoundInList(inCommon, typed, i.Negated, i.Position, InListMerging.Key(i.Operand, inCommon), i.Operand is ColumnExpression && inCommon == operand);
            }

            var values = literals.Select(v => FilterCastBinder.CoerceLiteral(this, v, operand, i.Operand)).ToList();
            return new BoundInList(operand, values, i.Negated, i.Position, InListMerging.Key(i.Operand, operand), i.Operand is ColumnExpression);
        }

        // x IN (a, b) = x = a OR x = b; NOT IN negates the whole (null-aware). DataFusion gives x and every
        // value one common type first (folding its comparison coercion over the list), so a number meets
        // a string as text even where the string is not its partner: `f32 IN ('1', CAST('NaN' AS double))`
        // compares the text 'NaN' with the text of f32. (Lance's planner first resolves a column's literals,
        // and refuses `f32 IN ('1', ...)` there, as we do.)
        var column = resolving && i.Operand is ColumnExpression; // Lance resolves its constants first (only numbers here)
        if ((!column || i.Values.All(v => v is not LiteralExpression { Value: string })) && FilterCommonTypes.BindInList(this, i, column) is { } inCommonType)
        {
            return i.Negated ? new BoundNot(inCommonType, i.Position) : inCommonType;
        }

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
    internal BoundLiteral Constant(BoundNode node, FilterExpression at)
    {
        var value = node.Evaluate(new EvaluationContext(NoRows, (message, _) => Error(message, at)));
        return new BoundLiteral(value, at.Position) { Value = (at as LiteralExpression)?.Value };
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
            operand = new BoundFunction(BoundFunction.IlikeLower, [operand], FilterType.String, operand.Position);
            pattern = UnicodeCase.Fold(pattern);
        }

        return new BoundLike(operand, LikePattern.Compile(pattern, like.Escape), like.Negated, like.Position);
    }

    internal static string TypeName(BoundNode node) => node is BoundColumn { ArrowType: { } arrow } ? Describe(arrow) : node.Type.Describe();

    /// <summary>An Arrow type as LanceDB users read it: <c>int64</c>, <c>utf8</c>, <c>timestamp[us]</c>.</summary>
    public static string Describe(IArrowType type) => type switch
    {
        TimestampType t => $"timestamp[{t.Unit switch { TimeUnit.Second => "s", TimeUnit.Millisecond => "ms", TimeUnit.Microsecond => "us", _ => "ns" }}{(t.Timezone is { } tz ? ", " + tz : "")}]",
        FixedSizeListType l => $"fixed_size_list<{Describe(l.ValueDataType)}>[{l.ListSize}]",
        StructType => "struct",
        DictionaryType d => $"dictionary<{Describe(d.IndexType)}, {Describe(d.ValueType)}>",
        _ => type.Name,
    };

    internal static string Describe(FilterExpression e, BoundNode node) => node is BoundColumn c ? $"column '{string.Join(".", c.Path)}'" : $"'{e.ToSql()}'";

    internal static string DescribeLiteral(object value) => value switch
    {
        string s => $"the string '{s}'",
        long or double => $"the number {new LiteralExpression(value).ToSql()}",
        bool b => $"the boolean {(b ? "TRUE" : "FALSE")}",
        DateOnly => $"the date {new LiteralExpression(value).ToSql()}",
        DateTime => $"the timestamp {new LiteralExpression(value).ToSql()}",
        _ => $"the value {new LiteralExpression(value).ToSql()}",
    };
}
