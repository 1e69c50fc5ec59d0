namespace Lance.Engine.Query;

/// <summary>
/// A column's value, or a field of a struct column: the path from the top-level column down
/// (<c>["meta", "author"]</c> is <c>meta.author</c>).
/// </summary>
/// <param name="Path">The column name, then the struct field names, outermost first; at least one.</param>
public sealed record FilterColumn(IReadOnlyList<string> Path) : FilterNode
{
    /// <summary>A top-level column.</summary>
    /// <param name="name">The column name.</param>
    public FilterColumn(string name) : this([name])
    {
    }
}
