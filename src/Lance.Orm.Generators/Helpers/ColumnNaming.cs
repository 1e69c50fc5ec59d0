
namespace Lance.Orm.Generators.Helpers;

/// <summary>Column names from member names, as LanceDB's Python users would write them.</summary>
internal static class ColumnNaming
{
    /// <summary>
    /// <c>ImageUri</c> → <c>image_uri</c>, <c>HTMLText</c> → <c>html_text</c>, <c>Id</c> → <c>id</c>:
    /// a word starts at an upper-case letter that follows a lower-case letter or digit, or that
    /// ends a run of capitals followed by a lower-case letter.
    /// </summary>
    public static string ToSnakeCase(string name) => Lance.Shared.SnakeCase.From(name);

    /// <summary><c>ImageUri</c> → <c>imageUri</c>, for local variable names in emitted code.</summary>
    public static string ToCamelCase(string name)
    {
        if (name.Length == 0 || !char.IsUpper(name[0]))
        {
            return name;
        }

        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length && char.IsUpper(chars[i]); i++)
        {
            // Lower a leading run of capitals, but keep the capital that starts the next word (HTMLText → htmlText).
            if (i > 0 && i + 1 < chars.Length && char.IsLower(chars[i + 1]))
            {
                break;
            }

            chars[i] = char.ToLowerInvariant(chars[i]);
        }

        return new string(chars);
    }
}
