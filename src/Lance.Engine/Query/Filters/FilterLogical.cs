namespace Lance.Engine.Query;

/// <summary><c>left AND right</c> or <c>left OR right</c>, with SQL's three-valued logic.</summary>
/// <param name="Operator">AND or OR.</param>
/// <param name="Left">The left condition.</param>
/// <param name="Right">The right condition.</param>
public sealed record FilterLogical(LogicalOperator Operator, FilterNode Left, FilterNode Right) : FilterNode;
