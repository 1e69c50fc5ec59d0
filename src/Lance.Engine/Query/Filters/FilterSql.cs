namespace Lance.Engine.Query;

/// <summary>
/// A part written as SQL text (<c>name LIKE 'a%'</c>), parsed when the filter is bound; lets a
/// tree built in code be combined with filters a user wrote as SQL.
/// </summary>
/// <param name="Text">The SQL; syntax errors are <see cref="LanceFilterException"/>s naming the dataset.</param>
public sealed record FilterSql(string Text) : FilterNode;
