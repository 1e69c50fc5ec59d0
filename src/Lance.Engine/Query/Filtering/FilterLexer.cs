using System.Text;

namespace Lance.Engine.Query.Filtering;

/// <summary>The kinds of token in a filter.</summary>
internal enum TokenKind
{
    /// <summary>A name or keyword (<c>id</c>, <c>AND</c>).</summary>
    Word,

    /// <summary>A back-quoted name (<c>`my column`</c>): never a keyword.</summary>
    QuotedName,

    /// <summary>A number (<c>12</c>, <c>1.5e3</c>, <c>.5</c>).</summary>
    Number,

    /// <summary>A string in single or double quotes (LanceDB reads both as text).</summary>
    String,

    /// <summary>An operator or punctuation: <c>= != &lt;&gt; &lt; &lt;= &gt; &gt;= + - * / % || ( ) , .</c>.</summary>
    Symbol,

    /// <summary>The end of the text.</summary>
    End,
}

/// <summary>One token with the offset it starts at.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Position)
{
    public bool IsWord(string keyword) => Kind == TokenKind.Word && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);

    public bool IsSymbol(string symbol) => Kind == TokenKind.Symbol && Text == symbol;

    public string Describe() => Kind switch
    {
        TokenKind.End => "the end of the filter",
        TokenKind.String => $"the string '{Text}'",
        TokenKind.QuotedName => $"`{Text}`",
        _ => $"'{Text}'",
    };
}

/// <summary>Splits filter text into tokens, each with its position.</summary>
internal static class FilterLexer
{
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "AND", "OR", "NOT", "IN", "IS", "NULL", "TRUE", "FALSE", "BETWEEN", "LIKE", "ILIKE", "ESCAPE", "CAST", "AS", "DATE", "TIMESTAMP",
    };

    public static bool IsKeyword(string word) => Keywords.Contains(word);

    public static List<Token> Tokenize(string text, Func<string, int, Exception> error)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                tokens.Add(new Token(TokenKind.End, "", text.Length));
                return tokens;
            }

            var start = i;
            var c = text[i];
            if (char.IsLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Word, text[start..i], start));
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }

                if (i < text.Length && text[i] == '.')
                {
                    i++;
                    while (i < text.Length && char.IsAsciiDigit(text[i]))
                    {
                        i++;
                    }
                }

                if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
                {
                    var j = i + 1;
                    if (j < text.Length && (text[j] == '+' || text[j] == '-'))
                    {
                        j++;
                    }

                    if (j < text.Length && char.IsAsciiDigit(text[j]))
                    {
                        i = j;
                        while (i < text.Length && char.IsAsciiDigit(text[i]))
                        {
                            i++;
                        }
                    }
                }

                if (i < text.Length && (char.IsLetter(text[i]) || text[i] == '_'))
                {
                    throw error($"a number cannot run into a name ('{text[start..(i + 1)]}')", start);
                }

                tokens.Add(new Token(TokenKind.Number, text[start..i], start));
            }
            else if (c is '\'' or '"' or '`')
            {
                // A doubled quote stands for one quote character; nothing else is an escape.
                var value = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw error(c == '`' ? "the quoted name is not closed (expected `)" : $"the string is not closed (expected {c})", start);
                    }

                    if (text[i] == c)
                    {
                        if (i + 1 < text.Length && text[i + 1] == c)
                        {
                            value.Append(c);
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    value.Append(text[i++]);
                }

                tokens.Add(new Token(c == '`' ? TokenKind.QuotedName : TokenKind.String, value.ToString(), start));
            }
            else
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
                if (two is "<=" or ">=" or "<>" or "!=" or "==" or "||")
                {
                    tokens.Add(new Token(TokenKind.Symbol, two, start));
                    i += 2;
                }
                else if (c is '=' or '<' or '>' or '+' or '-' or '*' or '/' or '%' or '(' or ')' or ',' or '.' or '[' or ']')
                {
                    tokens.Add(new Token(TokenKind.Symbol, c.ToString(), start));
                    i++;
                }
                else
                {
                    throw error($"unexpected character '{c}'", start);
                }
            }
        }
    }
}
