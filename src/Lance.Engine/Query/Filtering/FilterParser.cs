using System.Globalization;

namespace Lance.Engine.Query.Filtering;

/// <summary>
/// Parses LanceDB's SQL filter subset into a <see cref="FilterExpression"/> by recursive descent.
/// Precedence, loosest first: <c>OR</c>, <c>AND</c>, <c>NOT</c>, comparisons and predicates
/// (<c>IS</c>, <c>IN</c>, <c>BETWEEN</c>, <c>LIKE</c>), <c>+ - ||</c>, <c>* / %</c>, unary minus.
/// </summary>
internal sealed class FilterParser
{
    private readonly string _text;
    private readonly string _source;
    private readonly List<Token> _tokens;
    private int _next;

    // How many function calls the parser is inside: their arguments are parsed by DataFusion itself,
    // which keeps an integer beyond int64 as uint64 (Lance's own parsing makes it a float64).
    private int _functionDepth;

    private FilterParser(string text, string source)
    {
        _text = text;
        _source = source;
        _tokens = FilterLexer.Tokenize(text, Error);
    }

    /// <summary>Parses <paramref name="text"/>; <paramref name="source"/> (the dataset) is named in errors.</summary>
    /// <exception cref="LanceFilterException">The text is not a valid filter; the message says what was expected where.</exception>
    public static FilterExpression Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new FilterParser(text, source);
        if (parser.Peek.Kind == TokenKind.End)
        {
            throw parser.Error("the filter is empty: expected an expression", 0);
        }

        var expression = parser.ParseOr();
        if (parser.Peek.Kind != TokenKind.End)
        {
            throw parser.Error($"expected AND, OR or the end of the filter, found {parser.Peek.Describe()}", parser.Peek.Position);
        }

        return expression;
    }

    /// <summary>An error pointing at <paramref name="position"/>, with the filter and a caret under that character.</summary>
    public static LanceFilterException Error(string text, string source, string message, int position)
    {
        var caret = new string(' ', Math.Clamp(position, 0, text.Length)) + "^";
        return new LanceFilterException(
            $"Invalid filter on '{source}' at position {position}: {message}.{Environment.NewLine}  {text}{Environment.NewLine}  {caret}",
            position);
    }

    private Token Peek => _tokens[_next];

    private LanceFilterException Error(string message, int position) => Error(_text, _source, message, position);

    private Token Take() => _tokens[_next++];

    private bool TakeWord(string keyword)
    {
        if (!Peek.IsWord(keyword))
        {
            return false;
        }

        _next++;
        return true;
    }

    private bool TakeSymbol(string symbol)
    {
        if (!Peek.IsSymbol(symbol))
        {
            return false;
        }

        _next++;
        return true;
    }

    private string ExpectTypeNumber(string context)
    {
        var token = Peek;
        if (token.Kind != TokenKind.Number || !token.Text.All(char.IsAsciiDigit))
        {
            throw Error($"expected {context} (a whole number), found {token.Describe()}", token.Position);
        }

        _next++;
        return token.Text;
    }

    private void ExpectSymbol(string symbol, string context)
    {
        if (!TakeSymbol(symbol))
        {
            throw Error($"expected '{symbol}' {context}, found {Peek.Describe()}", Peek.Position);
        }
    }

    private void ExpectWord(string keyword, string context)
    {
        if (!TakeWord(keyword))
        {
            throw Error($"expected {keyword} {context}, found {Peek.Describe()}", Peek.Position);
        }
    }

    private FilterExpression ParseOr()
    {
        var left = ParseAnd();
        while (Peek.IsWord("OR"))
        {
            var position = Take().Position;
            left = new BinaryExpression(BinaryOperator.Or, left, ParseAnd()) { Position = position };
        }

        return left;
    }

    private FilterExpression ParseAnd()
    {
        var left = ParseNot();
        while (Peek.IsWord("AND"))
        {
            var position = Take().Position;
            left = new BinaryExpression(BinaryOperator.And, left, ParseNot()) { Position = position };
        }

        return left;
    }

    private FilterExpression ParseNot()
    {
        if (Peek.IsWord("NOT"))
        {
            var position = Take().Position;
            return new UnaryExpression(UnaryOperator.Not, ParseNot()) { Position = position };
        }

        return ParsePredicate();
    }

    private FilterExpression ParsePredicate()
    {
        var left = ParseAdditive();
        while (true)
        {
            var token = Peek;
            if (token.Kind == TokenKind.Symbol && Comparison(token.Text) is { } op)
            {
                _next++;
                left = new BinaryExpression(op, left, ParseAdditive()) { Position = token.Position };
                continue;
            }

            if (token.IsWord("IS"))
            {
                _next++;
                var negated = TakeWord("NOT");
                if (TakeWord("NULL"))
                {
                    left = new IsNullExpression(left, negated) { Position = token.Position };
                }
                else if (TakeWord("TRUE"))
                {
                    left = new IsBooleanExpression(left, true, negated) { Position = token.Position };
                }
                else if (TakeWord("FALSE"))
                {
                    left = new IsBooleanExpression(left, false, negated) { Position = token.Position };
                }
                else
                {
                    throw Error($"expected NULL, TRUE or FALSE after IS{(negated ? " NOT" : "")}, found {Peek.Describe()}", Peek.Position);
                }

                continue;
            }

            var notPosition = token.Position;
            var not = token.IsWord("NOT") && (_tokens[_next + 1].IsWord("IN") || _tokens[_next + 1].IsWord("BETWEEN")
                || _tokens[_next + 1].IsWord("LIKE") || _tokens[_next + 1].IsWord("ILIKE"));
            if (not)
            {
                _next++;
                token = Peek;
            }

            if (token.IsWord("IN"))
            {
                _next++;
                ExpectSymbol("(", "after IN");
                var values = new List<FilterExpression>();
                if (Peek.IsSymbol(")"))
                {
                    throw Error("expected at least one value in the IN list", Peek.Position);
                }

                do
                {
                    values.Add(ParseAdditive());
                }
                while (TakeSymbol(","));
                ExpectSymbol(")", "to close the IN list");
                left = new InExpression(left, values, not) { Position = not ? notPosition : token.Position };
            }
            else if (token.IsWord("BETWEEN"))
            {
                _next++;
                var low = ParseAdditive();
                ExpectWord("AND", "between the bounds of BETWEEN");
                var high = ParseAdditive();
                left = new BetweenExpression(left, low, high, not) { Position = not ? notPosition : token.Position };
            }
            else if (token.IsWord("LIKE") || token.IsWord("ILIKE"))
            {
                _next++;
                var pattern = ParseAdditive();
                var escape = '\\';
                if (TakeWord("ESCAPE"))
                {
                    var escapeToken = Take();
                    if (escapeToken.Kind != TokenKind.String || escapeToken.Text.Length != 1)
                    {
                        throw Error("expected one character in quotes after ESCAPE", escapeToken.Position);
                    }

                    escape = escapeToken.Text[0];
                }

                left = new LikeExpression(left, pattern, not, token.IsWord("ILIKE"), escape) { Position = not ? notPosition : token.Position };
            }
            else
            {
                return left;
            }
        }
    }

    private static BinaryOperator? Comparison(string symbol) => symbol switch
    {
        "=" or "==" => BinaryOperator.Equal,
        "!=" or "<>" => BinaryOperator.NotEqual,
        "<" => BinaryOperator.Less,
        "<=" => BinaryOperator.LessOrEqual,
        ">" => BinaryOperator.Greater,
        ">=" => BinaryOperator.GreaterOrEqual,
        _ => null,
    };

    private FilterExpression ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (true)
        {
            var token = Peek;
            BinaryOperator? op = token.Kind != TokenKind.Symbol ? null : token.Text switch
            {
                "+" => BinaryOperator.Add,
                "-" => BinaryOperator.Subtract,
                "||" => BinaryOperator.Concat,
                _ => null,
            };
            if (op is null)
            {
                return left;
            }

            _next++;
            left = new BinaryExpression(op.Value, left, ParseMultiplicative()) { Position = token.Position };
        }
    }

    private FilterExpression ParseMultiplicative()
    {
        var left = ParseUnary();
        while (true)
        {
            var token = Peek;
            BinaryOperator? op = token.Kind != TokenKind.Symbol ? null : token.Text switch
            {
                "*" => BinaryOperator.Multiply,
                "/" => BinaryOperator.Divide,
                "%" => BinaryOperator.Modulo,
                _ => null,
            };
            if (op is null)
            {
                return left;
            }

            _next++;
            left = new BinaryExpression(op.Value, left, ParseUnary()) { Position = token.Position };
        }
    }

    private FilterExpression ParseUnary(bool negated = false)
    {
        var token = Peek;
        if (TakeSymbol("-"))
        {
            var operand = ParseUnary(negated: true);

            // Fold a negated number so that -9223372036854775808 and typed literals work.
            if (operand is LiteralExpression { Value: long l })
            {
                return new LiteralExpression(-l) { Position = token.Position };
            }

            if (operand is LiteralExpression { Value: double d })
            {
                return new LiteralExpression(-d) { Position = token.Position };
            }

            if (operand is LiteralExpression { Value: 9223372036854775808UL } && _functionDepth > 0)
            {
                // In function arguments DataFusion parses the number with its sign: an int64, the smallest.
                return new LiteralExpression(long.MinValue) { Position = token.Position };
            }

            if (operand is LiteralExpression { Value: ulong big })
            {
                // As in LanceDB, -9223372036854775808 is a float64 literal (its number token is beyond
                // int64 before the sign applies): int64 columns refuse it, updates store it exactly.
                return new LiteralExpression(-(double)big) { Position = token.Position };
            }

            return new UnaryExpression(UnaryOperator.Negate, operand) { Position = token.Position };
        }

        if (TakeSymbol("+"))
        {
            return ParseUnary();
        }

        var primary = ParsePrimary();
        while (primary is ColumnExpression or FunctionExpression && Peek.IsSymbol("["))
        {
            // tags[1]: DataFusion's array_element (1-based; negative from the end; null out of range).
            var open = Take();
            var index = ParseOr();
            ExpectSymbol("]", "to close the index");
            primary = new FunctionExpression("array_element", [primary, index]) { Position = open.Position };
        }

        if (primary is LiteralExpression { Value: ulong u } && !negated && _functionDepth == 0)
        {
            // As in Lance's SQL: an integer beyond int64 is a float64 literal (a uint64 in function arguments).
            return new LiteralExpression((double)u) { Position = primary.Position };
        }

        return primary;
    }

    private FilterExpression ParsePrimary()
    {
        var token = Take();
        switch (token.Kind)
        {
            case TokenKind.Number:
                return new LiteralExpression(Number(token)) { Position = token.Position };
            case TokenKind.String:
                return new LiteralExpression(token.Text) { Position = token.Position };
            case TokenKind.QuotedName:
                return ParseColumn(token);
            case TokenKind.Symbol when token.Text == "[":
                var items = new List<FilterExpression>();
                if (!TakeSymbol("]"))
                {
                    do
                    {
                        items.Add(ParseOr());
                    }
                    while (TakeSymbol(","));
                    ExpectSymbol("]", "to close the list");
                }

                return new ArrayExpression(items) { Position = token.Position };
            case TokenKind.Symbol when token.Text == "(":
                var inner = ParseOr();
                ExpectSymbol(")", "to close the parenthesis");
                return inner;
            case TokenKind.Word:
                break;
            default:
                throw Error($"expected an expression, found {token.Describe()}", token.Position);
        }

        if (token.IsWord("NULL"))
        {
            return new LiteralExpression(null) { Position = token.Position };
        }

        if (token.IsWord("TRUE") || token.IsWord("FALSE"))
        {
            return new LiteralExpression(token.IsWord("TRUE")) { Position = token.Position };
        }

        if (token.IsWord("X") && Peek.Kind == TokenKind.String && Peek.Position == token.Position + 1)
        {
            var hex = Take();
            try
            {
                return new LiteralExpression(Convert.FromHexString(hex.Text)) { Position = token.Position };
            }
            catch (FormatException)
            {
                throw Error($"expected an even number of hexadecimal digits in X'...', found '{hex.Text}'", hex.Position);
            }
        }

        if ((token.IsWord("DATE") || token.IsWord("TIMESTAMP")) && Peek.Kind == TokenKind.String)
        {
            var text = Take();
            return new LiteralExpression(token.IsWord("DATE") ? ParseDate(text) : ParseTimestamp(text)) { Position = token.Position };
        }

        if (token.IsWord("CAST"))
        {
            ExpectSymbol("(", "after CAST");
            var operand = ParseOr();
            ExpectWord("AS", "in CAST(value AS type)");
            var typeToken = Peek;
            if (typeToken.Kind != TokenKind.Word)
            {
                throw Error($"expected a type name after AS, found {typeToken.Describe()}", typeToken.Position);
            }

            var typeName = Take().Text.ToLowerInvariant();
            if (Peek.IsWord("UNSIGNED"))
            {
                _next++;
                typeName += " unsigned";
            }

            if (typeName == "double" && Peek.IsWord("PRECISION"))
            {
                _next++;
            }

            if (typeName is "decimal" or "numeric")
            {
                // DECIMAL(p, s), DECIMAL(p) (scale 0) or DECIMAL (DataFusion's decimal(38, 10)).
                typeName = "decimal";
                if (Peek.IsSymbol("("))
                {
                    _next++;
                    var precision = ExpectTypeNumber("the precision of DECIMAL(p, s)");
                    var scale = "0";
                    if (Peek.IsSymbol(","))
                    {
                        _next++;
                        scale = ExpectTypeNumber("the scale of DECIMAL(p, s)");
                    }

                    ExpectSymbol(")", "to close DECIMAL(p, s)");
                    typeName = $"decimal({precision},{scale})";
                }
            }

            ExpectSymbol(")", "to close CAST");
            return new CastExpression(operand, typeName) { Position = token.Position };
        }

        if (FilterLexer.IsKeyword(token.Text))
        {
            throw Error($"expected an expression, found {token.Describe()}", token.Position);
        }

        if (Peek.IsSymbol("("))
        {
            _next++;
            var arguments = new List<FilterExpression>();
            if (!TakeSymbol(")"))
            {
                _functionDepth++;
                try
                {
                    do
                    {
                        arguments.Add(ParseOr());
                    }
                    while (TakeSymbol(","));
                }
                finally
                {
                    _functionDepth--;
                }

                ExpectSymbol(")", $"to close the call to {token.Text}");
            }

            return new FunctionExpression(token.Text.ToLowerInvariant(), arguments) { Position = token.Position };
        }

        return ParseColumn(token);
    }

    private ColumnExpression ParseColumn(Token first)
    {
        var path = new List<string> { first.Text };
        while (Peek.IsSymbol("."))
        {
            _next++;
            var part = Take();
            if (part.Kind is not (TokenKind.Word or TokenKind.QuotedName))
            {
                throw Error($"expected a field name after '.', found {part.Describe()}", part.Position);
            }

            path.Add(part.Text);
        }

        return new ColumnExpression(path) { Position = first.Position };
    }

    private static object Number(Token token)
    {
        var text = token.Text;
        if (!text.Contains('.', StringComparison.Ordinal) && !text.Contains('e', StringComparison.OrdinalIgnoreCase))
        {
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var l))
            {
                return l;
            }

            // Beyond int64: ParseUnary makes it long.MinValue when negated, else a float.
            // (object) keeps the ulong a ulong: the conditional's common type would be double.
            return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var u) ? (object)u : double.Parse(text, CultureInfo.InvariantCulture);
        }

        return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private DateOnly ParseDate(Token text)
    {
        if (DateOnly.TryParseExact(text.Text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        throw Error($"expected a date as 'YYYY-MM-DD', found '{text.Text}'", text.Position);
    }

    private DateTime ParseTimestamp(Token text)
    {
        if (TryParseTimestamp(text.Text, out var time))
        {
            // LanceDB's timestamp literal holds microseconds: finer digits are cut off (not rounded).
            return new DateTime(time.Ticks - (time.Ticks % 10), time.Kind);
        }

        throw Error($"expected a timestamp as 'YYYY-MM-DD HH:MM:SS[.fffffffff]', found '{text.Text}'", text.Position);
    }

    /// <summary>
    /// Reads <c>YYYY-MM-DD[( |T)HH:MM[:SS[.fffffffff]]][Z|±HH:MM]</c>: with a zone as a UTC time, without
    /// one as wall-clock time (kind <see cref="DateTimeKind.Unspecified"/>), which is UTC unless it is
    /// compared with a column in a named zone. Digits past the seventh (100 ns) are dropped.
    /// </summary>
    public static bool TryParseTimestamp(string text, out DateTime time)
    {
        string[] naive =
        [
            "yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
            "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
        ];
        string[] zoned = ["yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK"];
        string trimmed = AtMostSevenFractionDigits(text.Trim());
        if (DateTime.TryParseExact(trimmed, naive, CultureInfo.InvariantCulture, DateTimeStyles.None, out time))
        {
            time = DateTime.SpecifyKind(time, DateTimeKind.Unspecified);
            return true;
        }

        if (DateTime.TryParseExact(trimmed, zoned, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out time))
        {
            time = DateTime.SpecifyKind(time, DateTimeKind.Utc);
            return true;
        }

        return false;
    }

    // Nanosecond literals have nine fraction digits; DateTime holds seven.
    private static string AtMostSevenFractionDigits(string text)
    {
        int dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return text;
        }

        int end = dot + 1;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        return end - dot - 1 <= 7 ? text : string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
    }
}
