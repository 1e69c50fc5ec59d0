using System.Reflection;

namespace Lance.Orm;

/// <summary>
/// The column a model member maps to, by the generator's rule: the name in <see cref="ColumnAttribute"/>,
/// else the member name in snake_case (<c>ImageUri</c> → <c>image_uri</c>).
/// </summary>
internal static class ColumnNames
{
    public static string Of(MemberInfo member) => member.GetCustomAttribute<ColumnAttribute>()?.Name ?? ToSnakeCase(member.Name);

    /// <summary>The source generator's rule (<see cref="Lance.Shared.SnakeCase"/>).</summary>
    public static string ToSnakeCase(string name) => Lance.Shared.SnakeCase.From(name);
}
