namespace Lance.Engine.Query;

/// <summary>
/// <c>operand LIKE 'pattern'</c> (<c>ILIKE</c> when case-insensitive, <c>NOT</c> when negated):
/// <c>%</c> matches any run of characters, <c>_</c> exactly one, and a backslash makes the next one literal.
/// </summary>
/// <param name="Operand">The string tested.</param>
/// <param name="Pattern">The pattern.</param>
/// <param name="Negated">True for <c>NOT LIKE</c>.</param>
/// <param name="CaseInsensitive">True for <c>ILIKE</c>.</param>
public sealed record FilterLike(FilterNode Operand, string Pattern, bool Negated = false, bool CaseInsensitive = false) : FilterNode;
