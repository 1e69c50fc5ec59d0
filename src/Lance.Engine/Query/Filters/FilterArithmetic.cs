namespace Lance.Engine.Query;

/// <summary><c>left op right</c> over numbers: NULL when either side is NULL.</summary>
/// <param name="Operator">The operation.</param>
/// <param name="Left">The left operand.</param>
/// <param name="Right">The right operand.</param>
public sealed record FilterArithmetic(ArithmeticOperator Operator, FilterNode Left, FilterNode Right) : FilterNode;
