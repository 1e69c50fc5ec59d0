using Lance.Engine.Query.Filtering;

namespace Lance.Engine.Index.Scalar;

/// <summary>A filter split into what an index answers (leaves on one indexed column) and what it cannot (opaque leaves), joined by AND, OR and NOT.</summary>
internal abstract record FilterPlanNode
{
    /// <summary>Whether any leaf below uses an index.</summary>
    public abstract bool UsesIndex { get; }

    /// <summary>How the plan reads (for explain output).</summary>
    public abstract string Describe();
}

/// <summary>A leaf that reads one indexed column: answered from the index.</summary>
internal sealed record IndexLeaf(FilterExpression Expression, BoundNode Bound, IndexedColumn Index) : FilterPlanNode
{
    /// <summary>Whether the index knows only where the leaf is true (a LABEL_LIST: not which lists are null).</summary>
    public bool TrueOnly { get; init; }

    /// <summary>For a LABEL_LIST leaf: the labels looked for, and whether all must be present (else any).</summary>
    public (IReadOnlyList<LiteralExpression> Labels, bool All)? LabelQuery { get; init; }

    /// <summary>The leaf's answer by fragment, computed once per plan.</summary>
    public LeafRows? Rows { get; set; }

    /// <summary>
    /// Whether evaluating the leaf over the index's keys failed (a cast or an overflow on a value that the rows a scan
    /// evaluates may never hold: a deleted row's, or one another branch of an OR already decides): the leaf is then
    /// taken as unknown and the scan decides its rows, as without the index.
    /// </summary>
    public bool Failed { get; set; }

    /// <inheritdoc/>
    public override bool UsesIndex => true;

    /// <inheritdoc/>
    public override string Describe() => $"[{Expression.ToSql()}]@{Index.Segments[0].Name}({ScalarIndexFormat.DisplayName(Index.Kind)})";
}

/// <summary>A leaf no index answers.</summary>
internal sealed record OpaqueLeaf(FilterExpression Expression) : FilterPlanNode
{
    /// <inheritdoc/>
    public override bool UsesIndex => false;

    /// <inheritdoc/>
    public override string Describe() => $"[{Expression.ToSql()}]@scan";
}

/// <summary>AND or OR of two or more parts.</summary>
internal sealed record LogicalPlan(bool IsAnd, IReadOnlyList<FilterPlanNode> Parts) : FilterPlanNode
{
    /// <inheritdoc/>
    public override bool UsesIndex => Parts.Any(p => p.UsesIndex);

    /// <inheritdoc/>
    public override string Describe() => $"{(IsAnd ? "AND" : "OR")}({string.Join(",", Parts.Select(p => p.Describe()))})";
}

/// <summary>NOT of a part.</summary>
internal sealed record NotPlan(FilterPlanNode Part) : FilterPlanNode
{
    /// <inheritdoc/>
    public override bool UsesIndex => Part.UsesIndex;

    /// <inheritdoc/>
    public override string Describe() => $"NOT({Part.Describe()})";
}
