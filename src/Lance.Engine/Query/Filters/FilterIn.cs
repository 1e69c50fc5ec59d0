namespace Lance.Engine.Query;

/// <summary><c>operand IN (v1, v2, ...)</c>, or <c>NOT IN</c> when negated.</summary>
/// <param name="Operand">The value looked for.</param>
/// <param name="Values">The list; at least one item.</param>
/// <param name="Negated">True for <c>NOT IN</c>.</param>
public sealed record FilterIn(FilterNode Operand, IReadOnlyList<FilterNode> Values, bool Negated = false) : FilterNode;
