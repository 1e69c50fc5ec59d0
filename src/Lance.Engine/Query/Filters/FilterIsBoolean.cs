namespace Lance.Engine.Query;

/// <summary>
/// <c>operand IS TRUE</c> / <c>IS FALSE</c> (or <c>IS NOT ...</c> when negated): never NULL itself,
/// so it turns a condition that may be NULL into one that is true or false.
/// </summary>
/// <param name="Operand">The condition tested.</param>
/// <param name="Value">TRUE or FALSE.</param>
/// <param name="Negated">True for <c>IS NOT</c>.</param>
public sealed record FilterIsBoolean(FilterNode Operand, bool Value, bool Negated = false) : FilterNode;
