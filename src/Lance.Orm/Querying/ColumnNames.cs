using System.Reflection;
using System.Text;

namespace Lance.Orm;

/// <summary>
/// The column a model member maps to, by the generator's rule: the name in <see cref="ColumnAttribute"/>,
/// else the member name in snake_case (<c>ImageUri</c> → <c>image_uri</c>).
/// </summary>
internal static class ColumnNames
{
    public static string Of(MemberInfo member) => member.GetCustomAttribute<ColumnAttribute>()?.Name ?? ToSnakeCase(member.Name);

    /// <summary>The same rule as the source generator's (a word starts at a capital after a lower-case letter or digit, or at the last capital of a run followed by a lower-case letter).</summary>
    public static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var previous = i > 0 ? name[i - 1] : '\0';
                var next = i + 1 < name.Length ? name[i + 1] : '\0';
                var startsWord = i > 0 && previous != '_'
                    && (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && char.IsLower(next)));
                if (startsWord)
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
