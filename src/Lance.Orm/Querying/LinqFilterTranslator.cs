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

/// <summary>
/// Translates a LINQ predicate over a model into the engine's filter tree, through the model's
/// column names. Captured variables are evaluated once, here. The result keeps C#'s meaning for
/// nulls (<c>x.Rank != 5</c> is true where Rank is null, as LINQ-to-objects says), as EF Core does.
/// Anything it cannot translate throws <see cref="NotSupportedException"/> naming the
/// sub-expression: nothing is ever filtered in memory behind the caller's back.
/// </summary>
/// <remarks>
/// <para>
/// Values compare as LanceDB compares them (its SQL, DataFusion over Arrow), so a LINQ filter selects
/// the same rows in this engine and in LanceDB, which runs the SQL of <see cref="ToSql{T}"/>.
/// Where that differs from LINQ-to-objects, LanceDB's answer is the one kept:
/// </para>
/// <list type="bullet">
/// <item><description><c>float</c> and <c>double</c> compare in IEEE 754 total order, bit for bit:
/// <c>-0.0 &lt; 0.0</c> and <c>-0.0 != 0.0</c>; a NaN equals a NaN of the same bits; a NaN with the
/// sign bit clear (SQL's <c>'NaN'</c>, Rust's and Java's NaN) is above +∞, and one with the sign bit
/// set — .NET's <see cref="double.NaN"/> and <c>0.0 / 0.0</c> — below -∞. So <c>x.D == double.NaN</c>
/// matches the rows holding .NET's NaN, and <c>x.D &gt; 5</c> never matches them.</description></item>
/// <item><description>Integer arithmetic is typed as in SQL: a constant is a 64-bit integer, so
/// <c>x.Age + 1 &lt; 0</c> widens to 64 bits and is false at <c>int.MaxValue</c> (C# wraps); arithmetic
/// between two columns keeps their width and wraps (<c>x.Age + x.Age</c> at <c>int.MaxValue</c> is -2).</description></item>
/// </list>
/// </remarks>
internal sealed partial class LinqFilterTranslator
{
    private readonly ParameterExpression _row;
    private readonly Schema _schema;
    private readonly ModelColumnMap? _columns;

    private LinqFilterTranslator(ParameterExpression row, Schema schema, ModelColumnMap? columns)
    {
        _row = row;
        _schema = schema;
        _columns = columns;
    }

    /// <summary>
    /// The filter tree of <paramref name="predicate"/> against the columns of <paramref name="schema"/>,
    /// members found in <paramref name="columns"/> (the model's generated map). Without a map (rows
    /// of a type that is not a model) a member's column is its name in snake_case.
    /// </summary>
    /// <exception cref="NotSupportedException">A part of the predicate has no filter equivalent; the message names it.</exception>
    public static FilterNode Translate<T>(Expression<Func<T, bool>> predicate, Schema schema, ModelColumnMap? columns = null)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentNullException.ThrowIfNull(schema);
        var translator = new LinqFilterTranslator(predicate.Parameters[0], schema, columns);
        return translator.Predicate(predicate.Body);
    }

    /// <summary>Runs the translated filter over an in-memory batch (rows of any shape whose columns follow <paramref name="batch"/>'s schema).</summary>
    public static bool[] Evaluate<T>(Expression<Func<T, bool>> predicate, RecordBatch batch, string source, ModelColumnMap? columns = null)
        => Translate(predicate, batch.Schema, columns).Evaluate(batch, source);

    /// <summary>The translated filter as SQL that LanceDB accepts.</summary>
    public static string ToSql<T>(Expression<Func<T, bool>> predicate, Schema schema, ModelColumnMap? columns = null) => Translate(predicate, schema, columns).ToSql();

    /// <summary>
    /// The column of <paramref name="member"/> in <paramref name="columns"/>; without a map, or for a
    /// member the map does not hold, the generator's default rule (the name in snake_case).
    /// </summary>
    internal static string ColumnOf(ModelColumnMap? columns, string member) => columns?.ColumnOf(member) ?? Lance.Shared.SnakeCase.From(member);

    /// <summary>
    /// The column values an update sets, from <c>x =&gt; new T { A = 1, B = "b" }</c>; each value is
    /// evaluated once, or, when it reads the row (<c>Score = x.Score * 2</c>), a <see cref="RowExpression"/>
    /// holding the expression that computes it per row.
    /// </summary>
    /// <exception cref="NotSupportedException">The body is not an object initializer, or a value reads the row.</exception>
    public static IReadOnlyDictionary<string, object?> Assignments<T>(Expression<Func<T, T>> update, Schema schema, ModelColumnMap? columns = null)
    {
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(schema);
        if (update.Body is not MemberInitExpression { NewExpression.Arguments.Count: 0 } init)
        {
            throw new NotSupportedException($"An update must be an object initializer such as x => new {typeof(T).Name} {{ Score = 1.5 }}, not '{update.Body}'.");
        }

        var translator = new LinqFilterTranslator(update.Parameters[0], schema, columns);
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var binding in init.Bindings)
        {
            if (binding is not MemberAssignment assignment)
            {
                throw new NotSupportedException($"The update cannot translate '{binding}': only assignments 'Member = value' are supported.");
            }

            var column = ColumnOf(columns, assignment.Member.Name);
            if (translator.DependsOnRow(assignment.Expression))
            {
                // A value computed from the row (x.Score * 2) becomes a SQL expression evaluated per row; a condition
                // set to a bool member (Done = !x.Done, Big = x.Count > 3000) takes C#'s value, never null.
                var condition = assignment.Expression is LinqUnary { NodeType: ExpressionType.Convert, Operand: { Type: var t } operand } && t == typeof(bool)
                    ? operand
                    : assignment.Expression;
                values[column] = new RowExpression(condition.Type == typeof(bool)
                    ? translator.Predicate(condition)
                    : translator.Value(assignment.Expression));
                continue;
            }

            var field = schema.FieldsList.FirstOrDefault(f => f.Name == column);
            var value = Evaluate(assignment.Expression);
            values[column] = value is Enum e
                ? field?.DataType is StringType or LargeStringType ? e.ToString() : Convert.ToInt64(e, System.Globalization.CultureInfo.InvariantCulture)
                : value is DateTimeOffset offset ? offset.UtcDateTime : value;
        }

        return values;
    }

    /// <summary>The columns a projection such as <c>x =&gt; new { x.Id, x.Text }</c> reads, in order of appearance.</summary>
    public static IReadOnlyList<string> ProjectedColumns(LambdaExpression selector, ModelColumnMap? map = null)
    {
        var columns = new List<string>();
        var visitor = new MemberCollector(selector.Parameters[0], columns, map);
        visitor.Visit(selector.Body);
        return columns;
    }

    private static NotSupportedException Unsupported(Expression e, string why = "")
        => new($"The LINQ filter cannot translate '{e}'{(why.Length > 0 ? ": " + why : "")}. Rewrite it with members of the row, constants, "
            + "comparisons, && || !, ??, arithmetic, Math functions, string StartsWith/EndsWith/Contains/ToLower/ToUpper/Length/Replace/Trim(chars), DateTime Year/Month/Day/Hour/DayOfWeek/Date/..., Regex.IsMatch "
            + "with a constant pattern, collection.Contains(x.Member), or x.List.Contains(v)/Any(t => t == v)/Count/Length; "
            + "or pass a SQL filter to Where(string).");

    /// <summary>A boolean expression that never yields SQL NULL (so NOT and OR keep C#'s meaning).</summary>
    private FilterNode Predicate(Expression e)
    {
        switch (e)
        {
            case LinqBinary { NodeType: ExpressionType.AndAlso or ExpressionType.And } b when b.Type == typeof(bool):
                return new FilterLogical(LogicalOperator.And, Predicate(b.Left), Predicate(b.Right));
            case LinqBinary { NodeType: ExpressionType.OrElse or ExpressionType.Or } b when b.Type == typeof(bool):
                return new FilterLogical(LogicalOperator.Or, Predicate(b.Left), Predicate(b.Right));
            case LinqUnary { NodeType: ExpressionType.Not } u when u.Type == typeof(bool):
                return new FilterNot(Predicate(u.Operand));
            case LinqBinary { NodeType: ExpressionType.Equal or ExpressionType.NotEqual or ExpressionType.LessThan or ExpressionType.LessThanOrEqual
                or ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual } b:
                return Comparison(b);
            case MethodCallExpression call:
                return Call(call);
            case MemberExpression { Member.Name: "HasValue" } m when Nullable.GetUnderlyingType(m.Expression!.Type) is not null && DependsOnRow(m):
                return new FilterIsNull(Value(m.Expression!), Negated: true);
            case ConditionalExpression:
                throw Unsupported(e, "conditional expressions are not supported");
        }

        if (!DependsOnRow(e))
        {
            return new FilterLiteral(Evaluate(e) is true);
        }

        // A bool member used as a predicate: true only where it is known true.
        var value = Value(e);
        return CanBeNull(e) ? new FilterIsBoolean(value, true, Negated: false) : value;
    }

    private FilterNode Comparison(LinqBinary b)
    {
        var left = StripConvert(b.Left);
        var right = StripConvert(b.Right);
        if (IsNullConstant(right) || IsNullConstant(left))
        {
            var other = IsNullConstant(right) ? left : right;
            if (b.NodeType is ExpressionType.Equal or ExpressionType.NotEqual)
            {
                return new FilterIsNull(Value(other), Negated: b.NodeType == ExpressionType.NotEqual);
            }

            return new FilterLiteral(false); // C#: a lifted <, > with null is false
        }

        var op = b.NodeType switch
        {
            ExpressionType.Equal => ComparisonOperator.Equal,
            ExpressionType.NotEqual => ComparisonOperator.NotEqual,
            ExpressionType.LessThan => ComparisonOperator.Less,
            ExpressionType.LessThanOrEqual => ComparisonOperator.LessOrEqual,
            ExpressionType.GreaterThan => ComparisonOperator.Greater,
            _ => ComparisonOperator.GreaterOrEqual,
        };

        if (op is not (ComparisonOperator.Equal or ComparisonOperator.NotEqual) && (EnumOrder(left, right, b.NodeType) ?? EnumOrder(right, left, Flip(b.NodeType))) is { } byName)
        {
            return byName;
        }

        // string.CompareOrdinal(a, b) > 0 and string.Compare(a, b, StringComparison.Ordinal) < 0 order strings as SQL does (by
        // code point). string.Compare(a, b) and a.CompareTo(b) compare by the current culture ("apple" before "Banana"),
        // which no SQL comparison matches: refused rather than answered in another order.
        if (left is MethodCallExpression { Method.Name: "Compare" or "CompareOrdinal" or "CompareTo" } compare
            && (compare.Method.DeclaringType == typeof(string) || compare.Object?.Type == typeof(string))
            && right is ConstantExpression { Value: 0 })
        {
            var ordinal = compare.Method.Name == "CompareOrdinal" && compare.Arguments.Count == 2
                || (compare.Method.Name == "Compare" && compare.Arguments is [_, _, var how] && how.Type == typeof(StringComparison)
                    && !DependsOnRow(how) && Evaluate(how) is StringComparison.Ordinal);
            if (!ordinal)
            {
                throw Unsupported(compare, "it compares strings by the current culture (\"apple\" before \"Banana\"), and SQL compares them by code point; "
                    + "use string.CompareOrdinal(a, b) or string.Compare(a, b, StringComparison.Ordinal) for that order");
            }

            (left, right) = (compare.Arguments[0], compare.Arguments[1]);
        }

        // x.Id > 118.5: SQL does not compare an integer column with a fractional number; the integer bound with C#'s meaning.
        if (IntegerBound(left, right, op) is { } bound)
        {
            if (bound.Always is { } always)
            {
                return new FilterLiteral(always);
            }

            if (bound.AnyValue)
            {
                return CanBeNull(left) ? new FilterIsNull(Value(left), Negated: true) : new FilterLiteral(true);
            }

            (right, op) = (bound.Constant!, bound.Op);
        }
        else if (IntegerBound(right, left, Mirror(op)) is { } mirrored)
        {
            if (mirrored.Always is { } always)
            {
                return new FilterLiteral(always);
            }

            if (mirrored.AnyValue)
            {
                return CanBeNull(right) ? new FilterIsNull(Value(right), Negated: true) : new FilterLiteral(true);
            }

            (left, op) = (mirrored.Constant!, Mirror(mirrored.Op));
        }

        var l = Value(left, right);
        var r = Value(right, left);
        var leftNull = CanBeNull(left);
        var rightNull = CanBeNull(right);
        var compared = new FilterComparison(op, l, r);
        if (!leftNull && !rightNull)
        {
            return compared;
        }

        FilterNode NotNull(FilterNode x) => new FilterIsNull(x, Negated: true);
        FilterNode IsNull(FilterNode x) => new FilterIsNull(x, Negated: false);
        FilterNode And(FilterNode a, FilterNode c) => new FilterLogical(LogicalOperator.And, a, c);
        FilterNode Or(FilterNode a, FilterNode c) => new FilterLogical(LogicalOperator.Or, a, c);

        var bothKnown = leftNull && rightNull ? And(NotNull(l), And(NotNull(r), compared)) : And(NotNull(leftNull ? l : r), compared);
        return op switch
        {
            // null == null is true in C#; null == value is false.
            ComparisonOperator.Equal => leftNull && rightNull ? Or(And(IsNull(l), IsNull(r)), bothKnown) : bothKnown,

            // null != value is true; null != null is false.
            ComparisonOperator.NotEqual => leftNull && rightNull
                ? Or(And(IsNull(l), NotNull(r)), Or(And(NotNull(l), IsNull(r)), bothKnown))
                : Or(IsNull(leftNull ? l : r), compared),
            _ => bothKnown,
        };
    }

    private static ExpressionType Flip(ExpressionType order) => order switch
    {
        ExpressionType.LessThan => ExpressionType.GreaterThan,
        ExpressionType.LessThanOrEqual => ExpressionType.GreaterThanOrEqual,
        ExpressionType.GreaterThan => ExpressionType.LessThan,
        ExpressionType.GreaterThanOrEqual => ExpressionType.LessThanOrEqual,
        _ => order,
    };

    /// <summary>
    /// <c>x.Color &lt; Color.Blue</c> on an enum stored by name: C# orders enums by number, the column by
    /// name, so the comparison becomes the list of the names whose numbers satisfy it.
    /// </summary>
    private FilterNode? EnumOrder(Expression member, Expression constant, ExpressionType order)
    {
        if (member is not MemberExpression m || ColumnPath(m) is not { } path || DependsOnRow(constant)
            || (Nullable.GetUnderlyingType(m.Type) ?? m.Type) is not { IsEnum: true } enumType
            || FieldType(path) is not (StringType or LargeStringType or DictionaryType)
            || Evaluate(constant) is not { } bound)
        {
            return null;
        }

        var limit = Convert.ToDecimal(bound, System.Globalization.CultureInfo.InvariantCulture);
        var names = Enum.GetValuesAsUnderlyingType(enumType).Cast<object>()
            .Where(v => Convert.ToDecimal(v, System.Globalization.CultureInfo.InvariantCulture) is var n && order switch
            {
                ExpressionType.LessThan => n < limit,
                ExpressionType.LessThanOrEqual => n <= limit,
                ExpressionType.GreaterThan => n > limit,
                _ => n >= limit,
            })
            .Select(v => Enum.GetName(enumType, v))
            .OfType<string>()
            .Distinct()
            .Select(name => (FilterNode)new FilterLiteral(name))
            .ToList();
        var column = new FilterColumn(path);
        FilterNode result = names.Count == 0 ? new FilterLiteral(false) : new FilterIn(column, names, Negated: false);
        return CanBeNull(m) && names.Count > 0 ? new FilterIsBoolean(result, true, Negated: false) : result;
    }

    private FilterNode Call(MethodCallExpression call)
    {
        var method = call.Method;
        if (!DependsOnRow(call))
        {
            return new FilterLiteral(Evaluate(call) is true);
        }

        if (method is { Name: nameof(Regex.IsMatch), IsStatic: true } && method.DeclaringType == typeof(Regex) && call.Arguments.Count is 2 or 3)
        {
            return RegexMatch(call);
        }

        if (method.DeclaringType == typeof(string) && call.Object is { } text && call.Arguments.Count >= 1 && method.Name != nameof(Equals))
        {
            if (call.Arguments.Count > 1 && !(call.Arguments[1] is ConstantExpression { Value: StringComparison.Ordinal }))
            {
                throw Unsupported(call, "only the ordinal overloads of string methods translate");
            }

            var function = method.Name switch
            {
                nameof(string.StartsWith) => "starts_with",
                nameof(string.EndsWith) => "ends_with",
                nameof(string.Contains) => "contains",
                _ => throw Unsupported(call),
            };
            var argument = call.Arguments[0];
            if (argument.Type == typeof(char) && !DependsOnRow(argument))
            {
                // x.Name.Contains('R'), StartsWith('a'), EndsWith('d'): the character as a one-character string.
                argument = Expression.Constant(((char)Evaluate(argument)!).ToString());
            }
            else if (argument.Type != typeof(string))
            {
                throw Unsupported(call, "only string arguments translate");
            }

            var result = new FilterFunction(function, [Value(text), Value(argument)]);
            return CanBeNull(text) ? new FilterIsBoolean(result, true, Negated: false) : result;
        }

        if (method is { Name: nameof(string.IsNullOrEmpty), IsStatic: true } && method.DeclaringType == typeof(string))
        {
            var value = Value(call.Arguments[0]);
            return new FilterLogical(LogicalOperator.Or, new FilterIsNull(value, false), new FilterComparison(ComparisonOperator.Equal, value, new FilterLiteral("")));
        }

        // string.IsNullOrWhiteSpace(x.Name): null, or nothing but white space (.NET's char.IsWhiteSpace is Unicode's
        // White_Space, as the regular expression class \s is in LanceDB's engine and in ours).
        if (method is { Name: nameof(string.IsNullOrWhiteSpace), IsStatic: true } && method.DeclaringType == typeof(string))
        {
            var value = Value(call.Arguments[0]);
            return new FilterLogical(LogicalOperator.Or, new FilterIsNull(value, false),
                new FilterIsBoolean(new FilterFunction("regexp_like", [value, new FilterLiteral(@"^\s*$")]), true, Negated: false));
        }

        // double.IsNaN(x.Score), float.IsNaN(x.Ratio): isnan (false for a null).
        if (method is { Name: nameof(double.IsNaN), IsStatic: true } && (method.DeclaringType == typeof(double) || method.DeclaringType == typeof(float)))
        {
            var nan = new FilterFunction("isnan", [Value(call.Arguments[0])]);
            return CanBeNull(call.Arguments[0]) ? new FilterIsBoolean(nan, true, Negated: false) : nan;
        }

        if (method is { Name: nameof(Enumerable.Any), IsStatic: true } && method.DeclaringType == typeof(Enumerable) && IsListColumn(call.Arguments[0]))
        {
            return ListAny(call);
        }

        if (method is { Name: nameof(Enumerable.All), IsStatic: true } && method.DeclaringType == typeof(Enumerable) && IsListColumn(call.Arguments[0]))
        {
            return ListAll(call);
        }

        if (method.Name == "Contains" && TryListHas(call) is { } has)
        {
            return has;
        }

        if (method.Name == "Contains" && TryContains(call, out var collection, out var item))
        {
            return In(call, collection, item);
        }

        if (method.Name == "Equals" && call.Object is { } self && call.Arguments.Count == 1)
        {
            return Comparison(Expression.Equal(self, Expression.Convert(call.Arguments[0], self.Type)));
        }

        // x.Name.Equals("a", StringComparison.Ordinal), string.Equals(x.Name, "a"[, StringComparison.Ordinal])
        if (method.Name == "Equals" && method.DeclaringType == typeof(string))
        {
            var operands = call.Object is { } target ? [target, call.Arguments[0]] : call.Arguments.Take(2).ToArray();
            var ordinal = call.Arguments[^1].Type != typeof(StringComparison) || call.Arguments[^1] is ConstantExpression { Value: StringComparison.Ordinal };
            if (ordinal && operands.Length == 2 && operands.All(o => o.Type == typeof(string)))
            {
                return Comparison(Expression.Equal(operands[0], operands[1]));
            }

            throw Unsupported(call, "only the ordinal overloads of string methods translate");
        }

        throw Unsupported(call);
    }

    /// <summary>Recognises <c>list.Contains(x.M)</c>, <c>Enumerable.Contains(source, x.M)</c> and <c>MemoryExtensions.Contains(span, x.M)</c>.</summary>
    private bool TryContains(MethodCallExpression call, out Expression collection, out Expression item)
    {
        if (call.Object is { } instance && call.Arguments.Count == 1 && !DependsOnRow(instance) && instance.Type != typeof(string))
        {
            (collection, item) = (instance, call.Arguments[0]);
            return true;
        }

        if (call.Object is null && call.Arguments.Count is 2 or 3 && call.Method.DeclaringType is { } declaring
            && (declaring == typeof(Enumerable) || declaring == typeof(MemoryExtensions)) && !DependsOnRow(call.Arguments[0]))
        {
            if (call.Arguments.Count == 3 && call.Arguments[2] is not ConstantExpression { Value: null })
            {
                (collection, item) = (call.Arguments[0], call.Arguments[1]);
                return false; // a comparer changes the meaning of equality
            }

            // C# 14 binds array.Contains(x) to MemoryExtensions.Contains(ReadOnlySpan<T>, T) through an implicit conversion.
            var source = call.Arguments[0];
            while (source is MethodCallExpression { Method.Name: "op_Implicit", Arguments.Count: 1 } conversion)
            {
                source = conversion.Arguments[0];
            }

            while (source is LinqUnary { NodeType: ExpressionType.Convert } convert)
            {
                source = convert.Operand;
            }

            (collection, item) = (source, call.Arguments[1]);
            return true;
        }

        (collection, item) = (call, call);
        return false;
    }

    private FilterNode In(MethodCallExpression call, Expression collection, Expression item)
    {
        if (Evaluate(collection) is not IEnumerable values)
        {
            throw Unsupported(call, "the collection is null");
        }

        var target = StripConvert(item);
        var literals = new List<FilterNode>();
        var hasNull = false;
        foreach (var v in values)
        {
            if (v is null)
            {
                hasNull = true;
            }
            else
            {
                literals.Add(Literal(v, target, call));
            }
        }

        var column = Value(target);
        FilterNode result = literals.Count == 0 ? new FilterLiteral(false) : new FilterIn(column, literals, Negated: false);
        if (CanBeNull(target))
        {
            // C#: a null member is "in" the list exactly when the list holds null.
            result = literals.Count == 0
                ? (hasNull ? new FilterIsNull(column, false) : result)
                : hasNull
                    ? new FilterLogical(LogicalOperator.Or, new FilterIsNull(column, false), result)
                    : new FilterIsBoolean(result, true, Negated: false);
        }

        return result;
    }

    /// <summary>A value expression: a column, a constant, arithmetic or a string function.</summary>
    private FilterNode Value(Expression e, Expression? comparedWith = null)
    {
        e = StripConvert(e);
        if (!DependsOnRow(e))
        {
            return Literal(Evaluate(e), comparedWith is null ? null : StripConvert(comparedWith), e);
        }

        switch (e)
        {
            case MemberExpression m when ColumnPath(m) is { } path:
                return new FilterColumn(path);
            case MemberExpression { Member.Name: "Value" } m when Nullable.GetUnderlyingType(m.Expression!.Type) is not null:
                return Value(m.Expression!, comparedWith);
            case MethodCallExpression { Method.Name: nameof(Nullable<int>.GetValueOrDefault), Object: { } nullable } orDefault
                when Nullable.GetUnderlyingType(nullable.Type) is { } underlying && orDefault.Arguments.Count <= 1:
                // (x.Rank.GetValueOrDefault() or GetValueOrDefault(v)) as coalesce(rank, 0 or v)
                var fallback = orDefault.Arguments.Count == 1 ? orDefault.Arguments[0] : Expression.Constant(Activator.CreateInstance(underlying), underlying);
                return new FilterFunction("coalesce", [Value(nullable), Value(fallback, nullable)]);
            case MemberExpression { Member.Name: "Length", Expression: { } s } when s.Type == typeof(string):
                return new FilterFunction("char_length", [Value(s)]);
            case MemberExpression { Member.Name: "Count" or "Length", Expression: { } list } when IsListColumn(list):
                return new FilterFunction("array_length", [Value(list)]);
            case LinqUnary { NodeType: ExpressionType.ArrayLength, Operand: var array } when IsListColumn(array):
                return new FilterFunction("array_length", [Value(array)]);
            case LinqBinary { NodeType: ExpressionType.ArrayIndex, Left: var array, Right: var at } when IsListColumn(array):
                return ListElement(array, at);
            case MethodCallExpression { Method.Name: "get_Item", Object: { } list, Arguments: [var at] } when IsListColumn(list) && at.Type == typeof(int):
                return ListElement(list, at);
            case MethodCallExpression { Method.Name: nameof(Enumerable.ElementAt), Arguments: [var list, var at] } elementAt
                when elementAt.Method.DeclaringType == typeof(Enumerable) && IsListColumn(list) && at.Type == typeof(int):
                return ListElement(list, at);
            case MethodCallExpression { Method.Name: nameof(Enumerable.Count), Arguments: [var source] } count when count.Method.DeclaringType == typeof(Enumerable) && IsListColumn(source):
                return new FilterFunction("array_length", [Value(source)]);
            case LinqBinary b when b.NodeType is ExpressionType.Add or ExpressionType.Subtract or ExpressionType.Multiply or ExpressionType.Divide or ExpressionType.Modulo
                or ExpressionType.AddChecked or ExpressionType.SubtractChecked or ExpressionType.MultiplyChecked:
                if (b.NodeType == ExpressionType.Add && b.Type == typeof(string))
                {
                    return Concat([b.Left, b.Right]);
                }

                return new FilterArithmetic(
                    b.NodeType switch
                    {
                        ExpressionType.Add or ExpressionType.AddChecked => ArithmeticOperator.Add,
                        ExpressionType.Subtract or ExpressionType.SubtractChecked => ArithmeticOperator.Subtract,
                        ExpressionType.Multiply or ExpressionType.MultiplyChecked => ArithmeticOperator.Multiply,
                        ExpressionType.Divide => ArithmeticOperator.Divide,
                        _ => ArithmeticOperator.Modulo,
                    },
                    Operand(b.Left, b.Right, b.Type),
                    Operand(b.Right, b.Left, b.Type));
            case LinqUnary { NodeType: ExpressionType.Negate or ExpressionType.NegateChecked } u:
                // -x.Small negates in int, as C# widens sbyte and short first (-(-128) is 128, not -128 again).
                return new FilterNegate(Operand(u.Operand, u.Operand, u.Type));
            case MemberExpression { Member.Name: var part, Expression: { } time } when DatePart(part, time.Type) is { } sqlPart:
                var extracted = new FilterFunction("date_part", [new FilterLiteral(sqlPart), Value(time)]);
                return part == nameof(DateTime.Millisecond) ? new FilterArithmetic(ArithmeticOperator.Modulo, extracted, new FilterLiteral(1000L)) : extracted;
            case MemberExpression { Member.Name: nameof(DateTime.Date), Expression: { } time } when (Nullable.GetUnderlyingType(time.Type) ?? time.Type) == typeof(DateTime):
                return new FilterFunction("date_trunc", [new FilterLiteral("day"), Value(time)]);
            case LinqBinary { NodeType: ExpressionType.Coalesce } b:
                return new FilterFunction("coalesce", [Value(b.Left, b.Right), Value(b.Right, b.Left)]);
            case MethodCallExpression { Method.Name: nameof(string.Concat), Object: null, Arguments.Count: >= 2 and <= 4 } concat
                when concat.Method.DeclaringType == typeof(string) && concat.Arguments.All(a => a.Type == typeof(string)):
                return Concat(concat.Arguments);
            case MethodCallExpression { Method.Name: nameof(string.Replace), Object: { } s, Arguments: [var from, var to] } when s.Type == typeof(string) && from.Type == typeof(string):
                return new FilterFunction("replace", [Value(s), Value(from), Value(to)]);
            case MethodCallExpression { Method.Name: nameof(string.Trim) or nameof(string.TrimStart) or nameof(string.TrimEnd), Object: { } s } trim when s.Type == typeof(string):
                return Trim(trim, s);
            case MethodCallExpression { Method.Name: nameof(string.ToLower) or nameof(string.ToLowerInvariant), Object: { } s, Arguments.Count: 0 } when s.Type == typeof(string):
                return new FilterFunction("lower", [Value(s)]);
            case MethodCallExpression { Method.Name: nameof(string.ToUpper) or nameof(string.ToUpperInvariant), Object: { } s, Arguments.Count: 0 } when s.Type == typeof(string):
                return new FilterFunction("upper", [Value(s)]);
            case MethodCallExpression { Method.Name: nameof(Math.Abs), Method.DeclaringType: { } d, Arguments.Count: 1 } abs when d == typeof(Math):
                return new FilterFunction("abs", [Value(abs.Arguments[0])]);
            case MethodCallExpression { Method.DeclaringType: { } d } math when d == typeof(Math) || d == typeof(MathF):
                return MathCall(math);
            case LinqUnary { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } cast when IsNarrowing(cast.Operand.Type, cast.Type):
                throw Unsupported(e, $"a cast from {Nullable.GetUnderlyingType(cast.Operand.Type) ?? cast.Operand.Type} to {Nullable.GetUnderlyingType(cast.Type) ?? cast.Type} "
                    + "can change the value (.NET truncates, wraps or rounds it), and SQL casts do not change values the same way; compare the member itself "
                    + "(x.Score < 1 rather than (int)x.Score == 0)");
            case MemberExpression or ParameterExpression or MethodCallExpression:
            default:
                if (e.Type == typeof(bool))
                {
                    throw Unsupported(e, "a condition is used where a value is expected");
                }

                throw Unsupported(e);
        }
    }

    // The date_part of a DateTime's or DateOnly's calendar or clock member (Millisecond is taken modulo 1,000: date_part
    // counts the second's milliseconds too); null for any other member.
    private static string? DatePart(string member, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type != typeof(DateTime) && type != typeof(DateOnly))
        {
            return null;
        }

        return member switch
        {
            nameof(DateTime.Year) => "year",
            nameof(DateTime.Month) => "month",
            nameof(DateTime.Day) => "day",
            nameof(DateTime.DayOfYear) => "doy",
            nameof(DateTime.DayOfWeek) => "dow", // 0 for Sunday, as DayOfWeek numbers the days
            nameof(DateTime.Hour) when type == typeof(DateTime) => "hour",
            nameof(DateTime.Minute) when type == typeof(DateTime) => "minute",
            nameof(DateTime.Second) when type == typeof(DateTime) => "second",
            nameof(DateTime.Millisecond) when type == typeof(DateTime) => "millisecond",
            _ => null,
        };
    }

    // x.Name.Trim(' ') and the like, as btrim/ltrim/rtrim over the characters given. Trim() with none is not translated:
    // .NET trims every kind of white space there, SQL's trims only spaces.
    private FilterNode Trim(MethodCallExpression call, Expression text)
    {
        var chars = call.Arguments.Count == 0 || DependsOnRow(call.Arguments[0]) ? null : Evaluate(call.Arguments[0]) switch
        {
            char c => c.ToString(),
            char[] { Length: > 0 } set => new string(set),
            _ => null,
        };
        if (chars is null)
        {
            throw Unsupported(call, "name the characters to trim, e.g. Trim(' ') (SQL trims only those; .NET's Trim() trims all white space)");
        }

        var function = call.Method.Name switch
        {
            nameof(string.TrimStart) => "ltrim",
            nameof(string.TrimEnd) => "rtrim",
            _ => "btrim",
        };
        return new FilterFunction(function, [Value(text), new FilterLiteral(chars)]);
    }

    /// <summary>The column path of <c>x.A</c> or <c>x.A.B</c> (a nested record's field), or null when <paramref name="m"/> is not one.</summary>
    private IReadOnlyList<string>? ColumnPath(MemberExpression m)
    {
        var members = new List<MemberInfo>();
        Expression? current = m;
        while (current is MemberExpression member)
        {
            members.Add(member.Member);
            current = member.Expression;
        }

        if (current != _row || members.Count == 0)
        {
            return null;
        }

        members.Reverse();

        // Only records nest: x.Name.Length is a string's property, not a struct field.
        if (members.Take(members.Count - 1).Any(member => GetMemberType(member) is var t && (t == typeof(string) || t.IsPrimitive || Nullable.GetUnderlyingType(t) is not null
            || t.IsEnum || t.Namespace == nameof(System) // x.Born.Year: a DateTime's (or Guid's, decimal's, ...) property, not a field
            || t.IsArray || (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>)))))
        {
            return null;
        }

        if (members[^1].Name is "Value" or "HasValue" && Nullable.GetUnderlyingType(GetMemberType(members.Count > 1 ? members[^2] : members[0])) is not null)
        {
            return null;
        }

        // Each step down a nested model uses that model's own map.
        var path = new List<string>(members.Count);
        var map = _columns;
        foreach (var member in members)
        {
            path.Add(ColumnOf(map, member.Name));
            map = map?.NestedOf(member.Name);
        }

        return path;
    }

    private static Type GetMemberType(MemberInfo member) => member switch
    {
        PropertyInfo p => p.PropertyType,
        FieldInfo f => f.FieldType,
        _ => typeof(object),
    };

    /// <summary>Whether the value can be null at run time: it reads a nullable column (or a field of a nullable struct).</summary>
    private bool CanBeNull(Expression e)
    {
        var found = false;
        new ColumnVisitor(this, path => found |= IsNullablePath(path)).Visit(e);
        return found;
    }

    private bool IsNullablePath(IReadOnlyList<string> path)
    {
        var field = _schema.FieldsList.FirstOrDefault(f => f.Name == path[0]);
        if (field is null)
        {
            return true;
        }

        var nullable = field.IsNullable;
        var type = field.DataType;
        foreach (var part in path.Skip(1))
        {
            var child = (type as StructType)?.Fields.FirstOrDefault(f => f.Name == part);
            if (child is null)
            {
                return true;
            }

            nullable |= child.IsNullable;
            type = child.DataType;
        }

        return nullable;
    }

    private bool DependsOnRow(Expression e)
    {
        var found = false;
        new ParameterFinder(_row, () => found = true).Visit(e);
        return found;
    }

    private static bool IsNullConstant(Expression e) => e is ConstantExpression { Value: null }
        || (e is MemberExpression or MethodCallExpression && !new ParameterFinder(null, () => { }).HasParameter(e) && SafeEvaluate(e) is null);

    private static object? SafeEvaluate(Expression e)
    {
        try
        {
            return Evaluate(e);
        }
        catch (InvalidOperationException)
        {
            return 1;
        }
    }

    private static Expression StripConvert(Expression e)
    {
        while (e is LinqUnary { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } u
            && (u.Method is null || u.Method.Name == "op_Implicit") && u.Operand.Type != typeof(object)
            && !IsNarrowing(u.Operand.Type, u.Type))
        {
            e = u.Operand;
        }

        return e;
    }

    /// <summary>Runs a sub-expression that does not read the row (a captured variable, a constant, a call): once, at translation.</summary>
    private static object? Evaluate(Expression e)
    {
        switch (e)
        {
            case ConstantExpression c:
                return c.Value;
            case MemberExpression { Member: FieldInfo field } m:
                return field.GetValue(m.Expression is null ? null : Evaluate(m.Expression));
            case MemberExpression { Member: PropertyInfo property } m:
                return property.GetValue(m.Expression is null ? null : Evaluate(m.Expression));
            // A widening conversion (or a boxing one) of a value; a narrowing one, (int)3.7, is compiled below, so that it
            // truncates as C# does (Convert.ChangeType would round to 4).
            case LinqUnary { NodeType: ExpressionType.Convert } u when u.Method is null && !u.Type.IsByRefLike && !IsNarrowing(u.Operand.Type, u.Type):
                var inner = Evaluate(u.Operand);
                return inner is null || u.Type.IsInstanceOfType(inner) ? inner : ConvertNumber(inner, Nullable.GetUnderlyingType(u.Type) ?? u.Type);
            default:
                return Expression.Lambda<Func<object?>>(Expression.Convert(e, typeof(object))).Compile(preferInterpretation: true)();
        }
    }

    private static object ConvertNumber(object value, Type type) => type.IsEnum ? Enum.ToObject(type, value) : Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A constant as a filter literal, shaped by what it is compared with (an enum as its name for a string column, else its number).</summary>
    private FilterLiteral Literal(object? value, Expression? comparedWith, Expression origin)
    {
        var columnType = comparedWith is MemberExpression m && ColumnPath(m) is { } path ? FieldType(path) : null;

        // C# compares enums as their underlying integers: give a string column the member's name back.
        if (comparedWith is MemberExpression { Member: var member } && (Nullable.GetUnderlyingType(GetMemberType(member)) ?? GetMemberType(member)) is { IsEnum: true } enumType
            && value is not null and not Enum && columnType is StringType or LargeStringType or DictionaryType)
        {
            value = Enum.ToObject(enumType, value);
        }

        return new FilterLiteral(value switch
        {
            null => null,
            bool b => b,
            string s => s,
            char c => c.ToString(),
            Enum en => columnType is StringType or LargeStringType or DictionaryType ? en.ToString() : EnumNumber(en),
            sbyte or byte or short or ushort or int or uint or long => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
            ulong u => u,
            float f => (double)f,
            double d => d,
            decimal dec => dec,

            // Each constant as the ORM's writer stores the member: a DateTime's wall-clock time whatever its
            // Kind (timestamp without a zone), a DateTimeOffset's instant in UTC, whole microseconds.
            DateOnly date => date,
            DateTime time => TruncateToMicroseconds(DateTime.SpecifyKind(time, DateTimeKind.Unspecified)),
            DateTimeOffset offset => TruncateToMicroseconds(offset.UtcDateTime),
            TimeOnly clock => new TimeOnly(clock.Ticks - (clock.Ticks % TimeSpan.TicksPerMicrosecond)),
            byte[] bytes => bytes,

            // A Guid is stored as its 16 RFC 4122 (big-endian) bytes.
            Guid g => columnType is StringType or LargeStringType ? g.ToString() : g.ToByteArray(bigEndian: true),
            _ => throw Unsupported(origin, $"a {value.GetType().Name} value has no filter literal"),
        });
    }

    private static object EnumNumber(Enum value) => Convert.GetTypeCode(value) == TypeCode.UInt64
        ? Convert.ToUInt64(value, System.Globalization.CultureInfo.InvariantCulture)
        : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);

    private static DateTime TruncateToMicroseconds(DateTime time)
    {
        var rest = (time.Ticks - DateTime.UnixEpoch.Ticks) % TimeSpan.TicksPerMicrosecond;
        return time.AddTicks(-(rest < 0 ? rest + TimeSpan.TicksPerMicrosecond : rest));
    }

    private IArrowType? FieldType(IReadOnlyList<string> path)
    {
        var field = _schema.FieldsList.FirstOrDefault(f => f.Name == path[0]);
        var type = field?.DataType;
        foreach (var part in path.Skip(1))
        {
            type = (type as StructType)?.Fields.FirstOrDefault(f => f.Name == part)?.DataType;
        }

        return type;
    }

    private sealed class ParameterFinder(ParameterExpression? parameter, Action found) : ExpressionVisitor
    {
        private bool _any;

        public bool HasParameter(Expression e)
        {
            Visit(e);
            return _any;
        }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            if (parameter is null || node == parameter)
            {
                _any = true;
                found();
            }

            return node;
        }
    }

    private sealed class ColumnVisitor(LinqFilterTranslator owner, Action<IReadOnlyList<string>> column) : ExpressionVisitor
    {
        protected override Expression VisitMember(MemberExpression node)
        {
            if (owner.ColumnPath(node) is { } path)
            {
                column(path);
                return node;
            }

            return base.VisitMember(node);
        }
    }

    private sealed class MemberCollector(ParameterExpression row, List<string> columns, ModelColumnMap? map) : ExpressionVisitor
    {
        protected override Expression VisitMember(MemberExpression node)
        {
            if (node.Expression == row)
            {
                var name = ColumnOf(map, node.Member.Name);
                if (!columns.Contains(name))
                {
                    columns.Add(name);
                }

                return node;
            }

            return base.VisitMember(node);
        }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            if (node == row)
            {
                throw new NotSupportedException($"The projection uses the whole row '{node.Name}'; select its members instead (x => new {{ x.Id, x.Text }}), or leave Select out.");
            }

            return node;
        }
    }
}

/// <summary>An update value computed from the row, as an expression over its columns (e.g. <c>score * 2</c>).</summary>
internal sealed record RowExpression(FilterNode Value);
