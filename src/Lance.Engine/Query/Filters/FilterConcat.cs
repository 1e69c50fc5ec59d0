namespace Lance.Engine.Query;

/// <summary><c>left || right</c>: the two strings joined.</summary>
/// <param name="Left">The first string.</param>
/// <param name="Right">The second string.</param>
public sealed record FilterConcat(FilterNode Left, FilterNode Right) : FilterNode;
