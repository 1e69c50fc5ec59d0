namespace Lance.Engine.Query.Filtering;

/// <summary>Binds <c>x [NOT] BETWEEN low AND high</c> with the types DataFusion gives its three operands.</summary>
internal static class FilterBetweenBinder
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
        if (!(resolving && b.Operand is ColumnExpression) && BindBetweenInCommonType(binder, b.Operand, lowExpr, highExpr, b.Position) is { } common)
        {
            return b.Negated ? new BoundNot(common, b.Position) : common;
        }

        var low = binder.BindComparison(BinaryOperator.GreaterOrEqual, b.Operand, lowExpr, b.Position, resolving);
        var high = binder.BindComparison(BinaryOperator.LessOrEqual, b.Operand, highExpr, b.Position, resolving);
        var both = new BoundLogical(true, low, high, b.Position);
        return b.Negated ? new BoundNot(both, b.Position) : both;
    }

    // DataFusion types BETWEEN once: each bound's comparison type with the operand, then the common type of
    // those two, to which all three are cast. It differs from comparing each side on its own when the two
    // bounds meet the operand in different types: a uint64 expression between a signed integer (decimal128(20, 0))
    // and a float (float64) is compared as decimal128(35, 15), so -0.0 is 0 there and a float bound is rounded
    // to 15 decimals. Lance's planner first gives a literal a column's own type, so a plain column never gets here.
    private static BoundLogical? BindBetweenInCommonType(FilterBinder binder, FilterExpression operandExpr, FilterExpression lowExpr, FilterExpression highExpr, int position)
    {
        var (operand, low, high) = (binder.BindNode(operandExpr), binder.BindNode(lowExpr), binder.BindNode(highExpr));
        if (!operand.Type.IsNumeric || !low.Type.IsNumeric || !high.Type.IsNumeric
            || NumericTypes.Comparison(operand.Type, low.Type) is not { } lowType
            || NumericTypes.Comparison(operand.Type, high.Type) is not { } highType
            || lowType == highType
            || NumericTypes.Comparison(lowType, highType) is not { } common)
        {
            return null;
        }

        BoundNode Cast(BoundNode node) => FilterCastBinder.Saturated(node, common) ?? FilterBinder.To(node, common);
        var value = Cast(operand);
        return new BoundLogical(
            true,
            new BoundCompare(BinaryOperator.GreaterOrEqual, value, Cast(low), position),
            new BoundCompare(BinaryOperator.LessOrEqual, value, Cast(high), position),
            position);
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
}
