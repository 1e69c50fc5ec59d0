namespace Lance.Engine.Query.Filtering;

/// <summary>Binds BETWEEN and IN lists with the one common type DataFusion gives all their operands (where comparing pair by pair would differ).</summary>
internal static class FilterCommonTypes
{
    internal static BoundNode BindBetween(FilterBinder binder, BetweenExpression b, bool resolving)
    {
        // DataFusion gives the operand and both bounds one common type: with a quoted string for one
        // bound and a number for the other, that is a string, so the number is compared as its text.
        var (lowExpr, highExpr) = (b.Low, b.High) switch
        {
            (LiteralExpression { Value: string }, LiteralExpression { Value: long or ulong or double } number) => (b.Low, AsText(number)),
            (LiteralExpression { Value: long or ulong or double } number, LiteralExpression { Value: string }) => (AsText(number), b.High),
            (LiteralExpression { Value: string }, CastExpression cast) when FloatConstant(cast) is { } number => (b.Low, number),
            (CastExpression cast, LiteralExpression { Value: string }) when FloatConstant(cast) is { } number => (number, b.High),
            _ => (b.Low, b.High),
        };
        var column = resolving && b.Operand is ColumnExpression;
        if (!(column && lowExpr is LiteralExpression && highExpr is LiteralExpression)
            && BindBetweenInCommonType(binder, b.Operand, Bound(lowExpr), Bound(highExpr), b.Position) is { } common)
        {
            return b.Negated ? new BoundNot(common, b.Position) : common;
        }

        // Lance's planner gives a literal bound of a column the column's type first (a bound that is not a
        // literal keeps its own), and DataFusion then types the three as below: `i64 BETWEEN
        // 9223372036854775807 AND CAST('NaN' AS double)` compares in float64.
        BoundNode Bound(FilterExpression bound) => column && bound is LiteralExpression { Value: not null and not decimal } literal
            ? FilterCastBinder.CoerceLiteral(binder, literal, binder.BindNode(b.Operand), b.Operand)
            : binder.BindNode(bound);

        var low = binder.BindComparison(BinaryOperator.GreaterOrEqual, b.Operand, lowExpr, b.Position, resolving);
        var high = binder.BindComparison(BinaryOperator.LessOrEqual, b.Operand, highExpr, b.Position, resolving);
        var both = new BoundLogical(true, low, high, b.Position);
        return b.Negated ? new BoundNot(both, b.Position) : both;
    }

    // DataFusion types BETWEEN once: each bound's comparison type with the operand, then the common type of
    // those two, to which all three are cast. It differs from comparing each side on its own when the two
    // bounds meet the operand in different types: a uint64 expression between a signed integer (decimal128(20, 0))
    // and a float (float64) is compared as decimal128(35, 15), so -0.0 is 0 there and a float bound is rounded
    // to 15 decimals. Lance's planner first gives a literal a column's own type, so a plain column between two
    // literals never gets here.
    private static BoundLogical? BindBetweenInCommonType(FilterBinder binder, FilterExpression operandExpr, BoundNode low, BoundNode high, int position)
    {
        var operand = binder.BindNode(operandExpr);
        if (!operand.Type.IsNumeric || !low.Type.IsNumeric || !high.Type.IsNumeric
            || NumericTypes.Comparison(operand.Type, low.Type) is not { } lowType
            || NumericTypes.Comparison(operand.Type, high.Type) is not { } highType
            || lowType == highType
            || NumericTypes.Comparison(lowType, highType) is not { } common)
        {
            return null;
        }

        BoundNode Cast(BoundNode node) => FilterCastBinder.Saturated(node, common) ?? FilterBinder.To(node, common);

        var value = Cast(common.Kind == ValueKind.Decimal ? Unwrapped(operand, low, high) : operand);
        return new BoundLogical(
            true,
            new BoundCompare(BinaryOperator.GreaterOrEqual, value, Cast(low), position),
            new BoundCompare(BinaryOperator.LessOrEqual, value, Cast(high), position),
            position);
    }

    // DataFusion unwraps the casts of `CAST(CAST(x AS t) AS decimal) >= c` down to x when the constant c is an
    // integer that every type on the way holds exactly; BETWEEN is the two comparisons, so when both bounds
    // unwrap, a cast that would fail never runs: `CAST(i64 AS bigint unsigned) BETWEEN -0.0 AND 32767` compares
    // the signed value (-1 is below), while `CAST(i8 AS bigint unsigned) BETWEEN -1 AND 2.5` casts, and fails
    // on -128 as LanceDB does. In a float common type it does not unwrap: `CAST(i64 AS smallint) BETWEEN -0.0
    // AND 32767` casts and fails (all checked against LanceDB).
    private static BoundNode Unwrapped(BoundNode operand, BoundNode low, BoundNode high)
    {
        if (IntegerConstant(low) is not { } lo || IntegerConstant(high) is not { } hi)
        {
            return operand;
        }

        var inner = operand;
        while (inner is BoundCast { Type.Kind: ValueKind.Integer } cast && cast.Operand.Type.Kind == ValueKind.Integer
            && NumericTypes.Fits(lo, cast.Type.Number) && NumericTypes.Fits(hi, cast.Type.Number)
            && NumericTypes.Fits(lo, cast.Operand.Type.Number) && NumericTypes.Fits(hi, cast.Operand.Type.Number))
        {
            inner = cast.Operand;
        }

        return inner;
    }

    // A constant that is a whole number (-0.0 is 0), or null.
    private static Int128? IntegerConstant(BoundNode node)
    {
        if (node is not BoundLiteral { IsNull: false } literal)
        {
            return null;
        }

        var v = literal.Scalar;
        return v.Kind switch
        {
            ValueKind.Integer => v.Type.IsUnsigned ? unchecked((ulong)v.Ints![0]) : v.Ints![0],
            ValueKind.Float when double.IsFinite(v.Floats![0]) && Math.Truncate(v.Floats[0]) == v.Floats[0] && Math.Abs(v.Floats[0]) < 1.8e19 => (Int128)v.Floats[0],
            _ => null,
        };
    }

    // CAST('<number>' AS double|float), a float constant, as the text Arrow's cast to string gives it.
    private static LiteralExpression? FloatConstant(CastExpression cast)
    {
        if (cast.Operand is not LiteralExpression { Value: string text }
            || !FilterCastBinder.CastTypes.TryGetValue(cast.TypeName, out var target)
            || target.Type.Number is not (NumberType.Float64 or NumberType.Float32)
            || !double.TryParse(text.Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            return null;
        }

        return new LiteralExpression(FloatText.Format(target.Type.Number == NumberType.Float32 ? (float)value : value, target.Type.Number)) { Position = cast.Position };
    }

    // A number literal as the text Arrow's cast to string gives it.
    private static LiteralExpression AsText(LiteralExpression number) => new(number.Value switch
    {
        double d => FloatText.Format(d, NumberType.Float64),
        ulong u => u.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => ((long)number.Value!).ToString(System.Globalization.CultureInfo.InvariantCulture),
    })
    { Position = number.Position };

    /// <summary><c>x [NOT] IN (values)</c> with values that are not all literals, as DataFusion types it: x and every value in one common type; null when they are not all numbers and strings.</summary>
    internal static BoundNode? BindInList(FilterBinder binder, InExpression i, bool resolveConstants = false)
    {
        var operand = binder.BindNode(i.Operand);

        // Over a column, Lance first resolves each constant to the column's type (0.1 becomes a float32 for a float32 column),
        // refusing one it cannot convert (1e300 for a uint32 column); the values that are not constants keep their types.
        var values = i.Values.Select(v => resolveConstants && v is LiteralExpression { Value: not null and not string } literal && operand.Type.IsNumeric
            ? FilterCastBinder.CoerceLiteral(binder, literal, operand, i.Operand)
            : binder.BindNode(v)).ToList();
        var all = values.Prepend(operand).Where(v => v.Type.Kind != ValueKind.Null).ToList();
        if (!all.All(v => v.Type.IsNumeric || v.Type.Kind == ValueKind.String) || all.All(v => v.Type.Kind == ValueKind.String))
        {
            return null;
        }

        FilterType? common = all.Any(v => v.Type.Kind == ValueKind.String) ? FilterType.String : null;
        foreach (var v in all)
        {
            common = common is null ? v.Type : common.Value.Kind == ValueKind.String ? common : NumericTypes.Comparison(common.Value, v.Type);
        }

        if (common is not { } type)
        {
            return null;
        }

        BoundNode Cast(BoundNode node) => FilterCastBinder.Saturated(node, type) ?? FilterBinder.To(node, type);
        var left = Cast(operand);
        BoundNode? any = null;
        foreach (var value in values)
        {
            BoundNode equal = value.Type.Kind == ValueKind.Null
                ? BoundLiteral.Null(FilterType.Boolean, value.Position)
                : new BoundCompare(BinaryOperator.Equal, left, Cast(value), value.Position);
            any = any is null ? equal : new BoundLogical(false, any, equal, i.Position);
        }

        return any;
    }
}
