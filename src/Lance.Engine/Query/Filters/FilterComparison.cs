namespace Lance.Engine.Query;

/// <summary><c>left op right</c>: NULL when either side is NULL, as in SQL.</summary>
/// <param name="Operator">The comparison.</param>
/// <param name="Left">The left operand.</param>
/// <param name="Right">The right operand.</param>
public sealed record FilterComparison(ComparisonOperator Operator, FilterNode Left, FilterNode Right) : FilterNode;
