namespace Lance.Engine.Query;

/// <summary><c>operand IS NULL</c>, or <c>IS NOT NULL</c> when negated: never NULL itself.</summary>
/// <param name="Operand">The value tested.</param>
/// <param name="Negated">True for <c>IS NOT NULL</c>.</param>
public sealed record FilterIsNull(FilterNode Operand, bool Negated = false) : FilterNode;
