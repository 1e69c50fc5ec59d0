namespace Lance.Engine.Query.Filtering;

/// <summary>
/// LanceDB simplifies a filter before it runs it (DataFusion's expression simplifier), and merges two IN lists on the
/// same expression joined by AND or OR into one list, or into a constant when the merged list is empty:
/// <list type="bullet">
/// <item><c>x IN (A) AND x IN (B)</c> → <c>x IN (A ∩ B)</c>, false when empty;</item>
/// <item><c>x NOT IN (A) AND x NOT IN (B)</c> → <c>x NOT IN (A ∪ B)</c>;</item>
/// <item><c>x IN (A) AND x NOT IN (B)</c> (either order) → <c>x IN (A − B)</c>, false when empty;</item>
/// <item><c>x NOT IN (A) OR x NOT IN (B)</c> → <c>x NOT IN (A ∩ B)</c>, <b>true</b> when empty;</item>
/// <item><c>x IN (A) OR x IN (B)</c>, <c>x</c> a column → <c>x IN (A ∪ B)</c>.</item>
/// </list>
/// Most of these keep SQL's three-valued answer, but not all: <c>c NOT IN (1) OR c NOT IN (2)</c> becomes <c>true</c>, so
/// LanceDB returns the rows where <c>c</c> is null (SQL would not), and a null in a list no longer makes every other
/// value unknown once it is merged away. So that every filter selects the rows LanceDB selects, the bound filter is
/// merged the same way, bottom-up as the simplifier goes (a merged list merges again with its parent's other side).
/// Values are the same when they are the same constant of the list's type (floats bit for bit, two nulls alike).
/// </summary>
internal static class InListMerging
{
    /// <summary>What identifies the tested expression of a list: its SQL and the type it is compared in.</summary>
    public static string Key(FilterExpression operand, BoundNode bound) => operand.ToSql() + "\u001f" + bound.Type;

    /// <summary>
    /// The merged node of <paramref name="b"/> (AND or OR) whose sides bound to <paramref name="left"/> and
    /// <paramref name="right"/>, or null when they are not two lists on one expression. For OR a side that is
    /// <c>column = constant</c> counts as a list of one on that column, as the simplifier takes it there.
    /// </summary>
    public static BoundNode? TryMerge(FilterBinder binder, BinaryExpression b, BoundNode left, BoundNode right)
    {
        var isAnd = b.Operator == BinaryOperator.And;
        if (Merge(isAnd, left, right, b.Position) is { } merged)
        {
            return merged;
        }

        if (!isAnd)
        {
            var (l, r) = (EqualityAsList(binder, b.Left) ?? left, EqualityAsList(binder, b.Right) ?? right);
            if ((l != left || r != right) && Merge(false, l, r, b.Position) is { } union)
            {
                return union;
            }
        }

        return null;
    }

    // `column = constant` (either way round, the constant not NULL) bound as `column IN (constant)`, or null when it is
    // not one or cannot be bound so.
    private static BoundInList? EqualityAsList(FilterBinder binder, FilterExpression e)
    {
        if (e is not BinaryExpression { Operator: BinaryOperator.Equal } equal)
        {
            return null;
        }

        var (column, constant) = (equal.Left, equal.Right) switch
        {
            (ColumnExpression c, LiteralExpression { Value: not null } l) => (c, l),
            (LiteralExpression { Value: not null } l, ColumnExpression c) => (c, l),
            _ => ((ColumnExpression?)null, (LiteralExpression?)null),
        };
        if (column is null)
        {
            return null;
        }

        try
        {
            return binder.BindNode(new InExpression(column, [constant!], false) { Position = equal.Position }) as BoundInList;
        }
        catch (LanceFilterException)
        {
            return null;
        }
    }

    private static BoundNode? Merge(bool isAnd, BoundNode left, BoundNode right, int position)
    {
        if (AsList(left) is not { OperandKey: { } key } l || AsList(right) is not { } r || r.OperandKey != key)
        {
            return null;
        }

        return (isAnd, l.Negated, r.Negated) switch
        {
            (true, false, false) => Intersect(l, r, negated: false, position),
            (true, true, true) => Union(l, r, negated: true, position),
            (true, false, true) => Except(l, r, position),
            (true, true, false) => Except(r, l, position),
            (false, true, true) => Intersect(l, r, negated: true, position),
            (false, false, false) when l.OperandIsColumn && r.OperandIsColumn => Union(l, r, negated: false, position),
            _ => null,
        };
    }

    // NOT (x IN (...)) is x NOT IN (...), as the simplifier rewrites it before it looks at the parent.
    private static BoundInList? AsList(BoundNode node) => node switch
    {
        BoundInList list => list,
        BoundNot not when AsList(not.Operand) is { } inner => With(inner, inner.Values, !inner.Negated, inner.Position),
        _ => null,
    };

    private static BoundNode Intersect(BoundInList l, BoundInList r, bool negated, int position)
    {
        var kept = l.Values.Where(v => Contains(r.Values, v)).ToList();
        return kept.Count == 0 ? Constant(negated, position) : With(l, kept, negated, position);
    }

    private static BoundInList Union(BoundInList l, BoundInList r, bool negated, int position)
    {
        var all = new List<BoundLiteral>(l.Values);
        foreach (var value in r.Values)
        {
            if (!Contains(all, value))
            {
                all.Add(value);
            }
        }

        return With(l, all, negated, position);
    }

    private static BoundNode Except(BoundInList keep, BoundInList drop, int position)
    {
        var kept = keep.Values.Where(v => !Contains(drop.Values, v)).ToList();
        return kept.Count == 0 ? Constant(false, position) : With(keep, kept, negated: false, position);
    }

    private static BoundInList With(BoundInList list, IReadOnlyList<BoundLiteral> values, bool negated, int position)
        => new(list.Operand, values, negated, position, list.OperandKey, list.OperandIsColumn);

    private static BoundLiteral Constant(bool value, int position) => new(Scalars.Bool(value), position);

    private static bool Contains(IReadOnlyList<BoundLiteral> values, BoundLiteral value)
    {
        foreach (var candidate in values)
        {
            if (Same(candidate, value))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Same(BoundLiteral a, BoundLiteral b)
    {
        if (a.IsNull || b.IsNull)
        {
            return a.IsNull && b.IsNull;
        }

        var (x, y) = (a.Scalar, b.Scalar);
        if (x.Type != y.Type)
        {
            return false;
        }

        return x.Ints is not null ? y.Ints is not null && x.Ints[0] == y.Ints[0]
            : x.Floats is not null ? y.Floats is not null && BitConverter.DoubleToInt64Bits(x.Floats[0]) == BitConverter.DoubleToInt64Bits(y.Floats[0])
            : x.Decimals is not null ? y.Decimals is not null && x.Decimals[0] == y.Decimals[0]
            : x.Bools is not null ? y.Bools is not null && x.Bools[0] == y.Bools[0]
            : x.Bytes is not null && y.Bytes is not null && x.Bytes[0].SequenceEqual(y.Bytes[0]);
    }
}
