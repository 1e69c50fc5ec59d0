using System.Text;

namespace Lance.Engine.Query.Filtering;

/// <summary>
/// A compiled LIKE pattern matched over UTF-8 bytes: <c>%</c> any run, <c>_</c> one character (not
/// one byte), the escape character makes the next one literal. Patterns that are a prefix, suffix
/// or infix test run as span searches.
/// </summary>
internal sealed class LikePattern
{
    private const int AnyRun = -1;
    private const int AnyOne = -2;

    private readonly int[] _tokens;
    private readonly byte[] _literal;
    private readonly Shape _shape;

    private LikePattern(int[] tokens, byte[] literal, Shape shape)
    {
        _tokens = tokens;
        _literal = literal;
        _shape = shape;
    }

    private enum Shape
    {
        Exact,
        Prefix,
        Suffix,
        Infix,
        General,
    }

    public static LikePattern Compile(string pattern, char escape)
    {
        var tokens = new List<int>();
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == escape && i + 1 < pattern.Length)
            {
                i++;
                AddLiteral(pattern, ref i, tokens, utf8);
            }
            else if (c == '%')
            {
                if (tokens.Count == 0 || tokens[^1] != AnyRun)
                {
                    tokens.Add(AnyRun);
                }
            }
            else if (c == '_')
            {
                tokens.Add(AnyOne);
            }
            else
            {
                AddLiteral(pattern, ref i, tokens, utf8);
            }
        }

        var literalTokens = tokens.Where(t => t >= 0).ToList();
        var literal = literalTokens.Select(t => (byte)t).ToArray();
        var wildcards = tokens.Count - literalTokens.Count;
        var shape = Shape.General;
        if (!tokens.Contains(AnyOne))
        {
            if (wildcards == 0)
            {
                shape = Shape.Exact;
            }
            else if (wildcards == 1 && tokens[^1] == AnyRun)
            {
                shape = Shape.Prefix;
            }
            else if (wildcards == 1 && tokens[0] == AnyRun)
            {
                shape = Shape.Suffix;
            }
            else if (wildcards == 2 && tokens[0] == AnyRun && tokens[^1] == AnyRun && tokens.Count > 2)
            {
                shape = Shape.Infix;
            }
            else if (wildcards == 2 && tokens.Count == 1)
            {
                shape = Shape.Prefix; // unreachable: consecutive % collapse
            }
        }

        if (tokens.Count == 1 && tokens[0] == AnyRun)
        {
            shape = Shape.Prefix; // '%' matches everything: a prefix test with no literal
        }

        return new LikePattern([.. tokens], literal, shape);
    }

    private static void AddLiteral(string pattern, ref int i, List<int> tokens, Span<byte> utf8)
    {
        var length = char.IsHighSurrogate(pattern[i]) && i + 1 < pattern.Length ? 2 : 1;
        var count = Encoding.UTF8.GetBytes(pattern.AsSpan(i, length), utf8);
        for (var b = 0; b < count; b++)
        {
            tokens.Add(utf8[b]);
        }

        i += length - 1;
    }

    public bool IsMatch(ReadOnlySpan<byte> value) => _shape switch
    {
        Shape.Exact => value.SequenceEqual(_literal),
        Shape.Prefix => value.StartsWith(_literal),
        Shape.Suffix => value.EndsWith(_literal),
        Shape.Infix => value.IndexOf(_literal) >= 0,
        _ => MatchGeneral(value),
    };

    private bool MatchGeneral(ReadOnlySpan<byte> value)
    {
        var pattern = _tokens;
        int p = 0, v = 0, star = -1, starValue = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && pattern[p] == AnyOne)
            {
                v += CharLength(value[v]);
                p++;
            }
            else if (p < pattern.Length && pattern[p] >= 0 && pattern[p] == value[v])
            {
                v++;
                p++;
            }
            else if (p < pattern.Length && pattern[p] == AnyRun)
            {
                star = p++;
                starValue = v;
            }
            else if (star >= 0)
            {
                p = star + 1;
                starValue += CharLength(value[starValue]);
                v = starValue;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == AnyRun)
        {
            p++;
        }

        return p == pattern.Length;
    }

    private static int CharLength(byte lead) => lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
}
