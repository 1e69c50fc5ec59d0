namespace Lance.Engine.Query;

/// <summary>
/// A call of one of the filter language's functions, by its SQL name: <c>lower</c>, <c>upper</c>,
/// <c>char_length</c>, <c>starts_with</c>, <c>ends_with</c>, <c>contains</c>, <c>abs</c>,
/// <c>array_length</c>, <c>array_has</c>, ... (the functions a SQL filter may call).
/// </summary>
/// <param name="Name">The function's name (matched case-insensitively).</param>
/// <param name="Arguments">Its arguments, in order.</param>
public sealed record FilterFunction(string Name, IReadOnlyList<FilterNode> Arguments) : FilterNode;
