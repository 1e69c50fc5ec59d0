using System.Text;

namespace Lance.Shared;

/// <summary>
/// The column name of a model member, as LanceDB's Python users would write it. One rule, compiled
/// into both the source generator (which maps members to columns) and the ORM (which maps LINQ
/// member access to the same columns).
/// </summary>
internal static class SnakeCase
{
    /// <summary>
    /// <c>ImageUri</c> → <c>image_uri</c>, <c>HTMLText</c> → <c>html_text</c>, <c>Id</c> → <c>id</c>:
    /// a word starts at an upper-case letter that follows a lower-case letter or digit, or that
    /// ends a run of capitals followed by a lower-case letter.
    /// </summary>
    public static string From(string name)
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
