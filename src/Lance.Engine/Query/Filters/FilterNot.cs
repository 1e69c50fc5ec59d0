namespace Lance.Engine.Query;

/// <summary><c>NOT operand</c> (NULL stays NULL).</summary>
/// <param name="Operand">The condition negated.</param>
public sealed record FilterNot(FilterNode Operand) : FilterNode;
