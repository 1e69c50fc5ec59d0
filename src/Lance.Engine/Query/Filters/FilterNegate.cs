namespace Lance.Engine.Query;

/// <summary><c>-operand</c>.</summary>
/// <param name="Operand">The number negated.</param>
public sealed record FilterNegate(FilterNode Operand) : FilterNode;
