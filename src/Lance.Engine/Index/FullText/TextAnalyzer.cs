using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Tartarus.Snowball;
using Lucene.Net.Tartarus.Snowball.Ext;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// Splits text into the tokens LanceDB's inverted index holds, step by step as Lance chains
/// tantivy's: base tokenizer → drop tokens of <c>max_token_length</c> UTF-8 bytes or more →
/// lower case → Snowball stem → drop stop words (so stop words are matched after stemming) →
/// ASCII folding. Positions count the base tokenizer's tokens, so dropped tokens leave gaps.
/// Stemmers and stop-word lists are Lucene.Net's Snowball ones; folding is Lucene's
/// <c>ASCIIFoldingFilter</c>, of which tantivy's is a port.
/// </summary>
internal sealed class TextAnalyzer
{
    private static readonly ConcurrentDictionary<string, HashSet<string>> StopLists = new(StringComparer.Ordinal);

    // tantivy's English list is Lucene's EnglishAnalyzer one, not Snowball's (the other languages use Snowball's).
    private static readonly HashSet<string> EnglishStopWords = new(
        ["a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of", "on", "or", "such", "that", "the",
            "their", "then", "there", "these", "they", "this", "to", "was", "will", "with"],
        StringComparer.Ordinal);

    private readonly FullTextIndexOptions _options;
    private readonly HashSet<string>? _stopWords;
    private readonly Func<SnowballProgram>? _stemmer;

    /// <summary>Creates the analyzer <paramref name="options"/> describe.</summary>
    /// <exception cref="LanceIndexException">The tokenizer or language is not supported.</exception>
    public TextAnalyzer(FullTextIndexOptions options)
    {
        _options = options;
        if (options.BaseTokenizer is not ("simple" or "whitespace" or "raw" or "ngram"))
        {
            throw new LanceIndexException($"Unknown base tokenizer '{options.BaseTokenizer}': use simple, whitespace, raw or ngram.");
        }

        if (options.BaseTokenizer == "ngram" && (options.NgramMinLength < 1 || options.NgramMaxLength < options.NgramMinLength))
        {
            throw new LanceIndexException($"Invalid n-gram lengths {options.NgramMinLength}..{options.NgramMaxLength}: the minimum must be at least 1 and not above the maximum.");
        }

        if (options.Stem)
        {
            _stemmer = StemmerFor(options.Language);
        }

        if (options.RemoveStopWords)
        {
            _stopWords = options.CustomStopWords is { } custom ? new HashSet<string>(custom, StringComparer.Ordinal) : StopWordsFor(options.Language);
        }
    }

    /// <summary>The options this analyzer applies.</summary>
    public FullTextIndexOptions Options => _options;

    /// <summary>The tokens of <paramref name="text"/> with their positions, in order.</summary>
    public List<(string Token, int Position)> Analyze(string text) => Analyze(text, _stemmer?.Invoke());

    /// <summary>An analyzer for one thread at a time that keeps its stemmer from text to text (an index build's).</summary>
    public Session NewSession() => new(this, _stemmer?.Invoke());

    private List<(string Token, int Position)> Analyze(string text, SnowballProgram? stemmer)
    {
        var result = new List<(string, int)>();
        var position = 0;
        var ngrams = _options.BaseTokenizer == "ngram";
        foreach (var raw in Split(text))
        {
            // tantivy's n-gram tokenizer gives every gram position 0.
            var at = ngrams ? 0 : position++;
            if (Normalize(raw, stemmer) is { } token)
            {
                result.Add((token, at));
            }
        }

        return result;
    }

    /// <summary>What one base token becomes: the indexed token, or null when it is dropped (too long, or a stop word).</summary>
    private string? Normalize(string raw, SnowballProgram? stemmer)
    {
        var token = raw;
        if (_options.MaxTokenLength is { } max && Encoding.UTF8.GetByteCount(token) >= max)
        {
            return null;
        }

        if (_options.LowerCase)
        {
            token = LowerCase(token);
        }

        if (stemmer is not null)
        {
            stemmer.SetCurrent(token);
            stemmer.Stem();
            token = stemmer.Current;
        }

        if (_stopWords is not null && _stopWords.Contains(token))
        {
            return null;
        }

        return _options.AsciiFolding ? Fold(token) : token;
    }

    private IEnumerable<string> Split(string text) => _options.BaseTokenizer switch
    {
        "raw" => [text],
        // tantivy splits on ASCII whitespace only (Rust's is_ascii_whitespace: no vertical tab, no Unicode spaces).
        "whitespace" => SplitRuns(text, r => r.Value is not (' ' or '\t' or '\n' or '\f' or '\r')),
        "ngram" => Ngrams(text),
        _ => SplitRuns(text, IsAlphanumeric),
    };

    private static IEnumerable<string> SplitRuns(string text, Func<Rune, bool> inToken)
    {
        var start = -1;
        var i = 0;
        while (i < text.Length)
        {
            Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used);
            if (inToken(rune))
            {
                if (start < 0)
                {
                    start = i;
                }
            }
            else if (start >= 0)
            {
                yield return text[start..i];
                start = -1;
            }

            i += used;
        }

        if (start >= 0)
        {
            yield return text[start..];
        }
    }

    private IEnumerable<string> Ngrams(string text)
    {
        // tantivy's NgramTokenizer: over the code points of the whole text, for each start (only the first
        // with prefix_only), the grams of min..max code points that fit.
        var bounds = new List<int>();
        for (var i = 0; i < text.Length; i += char.IsSurrogatePair(text, i) ? 2 : 1)
        {
            bounds.Add(i);
        }

        bounds.Add(text.Length);
        var points = bounds.Count - 1;
        var starts = _options.PrefixOnly ? Math.Min(1, points) : points;
        for (var s = 0; s < starts; s++)
        {
            for (var n = _options.NgramMinLength; n <= _options.NgramMaxLength && s + n <= points; n++)
            {
                yield return text[bounds[s]..bounds[s + n]];
            }
        }
    }

    /// <summary>Rust's <c>char::is_alphanumeric</c> (the Alphabetic or Numeric property, approximated by categories): what tantivy's simple tokenizer keeps.</summary>
    internal static bool IsAlphanumeric(Rune r)
    {
        switch (Rune.GetUnicodeCategory(r))
        {
            case UnicodeCategory.UppercaseLetter:
            case UnicodeCategory.LowercaseLetter:
            case UnicodeCategory.TitlecaseLetter:
            case UnicodeCategory.ModifierLetter:
            case UnicodeCategory.OtherLetter:
            case UnicodeCategory.DecimalDigitNumber:
            case UnicodeCategory.LetterNumber:
            case UnicodeCategory.OtherNumber:
            case UnicodeCategory.SpacingCombiningMark:
                return true;
            case UnicodeCategory.NonSpacingMark:
                // Vowel signs of Indic scripts and the like are alphabetic; the combining accents are not.
                return r.Value is not (>= 0x0300 and <= 0x036F) || r.Value == 0x0345;
            default:
                return false;
        }
    }

    private static string LowerCase(string token)
    {
        // tantivy lower-cases char by char (Rust's char::to_lowercase): no final-sigma rule, and İ becomes i + combining dot.
        var lower = token.ToLowerInvariant();
        return lower.Contains('\u0130', StringComparison.Ordinal) ? lower.Replace("\u0130", "i\u0307", StringComparison.Ordinal) : lower;
    }

    private static string Fold(string token)
    {
        // Folding leaves ASCII as it is (most words): no copies then.
        if (System.Text.Ascii.IsValid(token))
        {
            return token;
        }

        var input = token.ToCharArray();
        var output = new char[input.Length * 4];
        var length = ASCIIFoldingFilter.FoldToASCII(input, 0, output, 0, input.Length);
        var folded = new string(output, 0, length);

        // tantivy's folding also spells out the Roman numeral signs (Ⅻ → XII, ⅻ → xii), which Lucene's keeps.
        if (folded.Any(c => c is >= '\u2160' and <= '\u217F'))
        {
            var text = new System.Text.StringBuilder(folded.Length + 8);
            foreach (var c in folded)
            {
                text.Append(c is >= '\u2160' and <= '\u217F' ? Roman(c) : c.ToString());
            }

            folded = text.ToString();
        }

        return folded;
    }

    private static string Roman(char c)
    {
        string[] upper = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "L", "C", "D", "M"];
        var index = (c - '\u2160') % 16;
        return c >= '\u2170' ? upper[index].ToLowerInvariant() : upper[index];
    }

    private static Func<SnowballProgram> StemmerFor(string language) => language switch
    {
        "English" => () => new EnglishStemmer(),
        "Danish" => () => new DanishStemmer(),
        "Dutch" => () => new DutchStemmer(),
        "Finnish" => () => new FinnishStemmer(),
        "French" => () => new FrenchStemmer(),
        "German" => () => new GermanStemmer(),
        "Hungarian" => () => new HungarianStemmer(),
        "Italian" => () => new ItalianStemmer(),
        "Norwegian" => () => new NorwegianStemmer(),
        "Portuguese" => () => new PortugueseStemmer(),
        "Romanian" => () => new RomanianStemmer(),
        "Russian" => () => new RussianStemmer(),
        "Spanish" => () => new SpanishStemmer(),
        "Swedish" => () => new SwedishStemmer(),
        "Turkish" => () => new TurkishStemmer(),
        _ => throw new LanceIndexException($"Stemming for language '{language}' is not supported; supported: English, Danish, Dutch, Finnish, French, German, Hungarian, Italian, Norwegian, Portuguese, Romanian, Russian, Spanish, Swedish, Turkish."),
    };

    private static HashSet<string> StopWordsFor(string language) => language == "English" ? EnglishStopWords : StopLists.GetOrAdd(language, static name =>
    {
        var resource = $"Lucene.Net.Analysis.Common.Analysis.Snowball.{name.ToLowerInvariant()}_stop.txt";
        using var stream = typeof(ASCIIFoldingFilter).Assembly.GetManifestResourceStream(resource)
            ?? throw new LanceIndexException($"Removing stop words for language '{name}' is not supported; supported: English, Danish, Dutch, Finnish, French, German, Hungarian, Italian, Norwegian, Portuguese, Russian, Spanish, Swedish.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            var bar = line.IndexOf('|', StringComparison.Ordinal);
            foreach (var word in (bar >= 0 ? line[..bar] : line).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                words.Add(word);
            }
        }

        // tantivy takes the lists from the Snowball site, which dropped a few words from the copies Lucene ships.
        if (name == "French")
        {
            words.ExceptWith(["as", "aura", "auras", "avions", "est", "fût", "sommes", "son", "été", "étés"]);
        }
        else if (name == "Swedish")
        {
            words.Remove("sitta");
            words.Add("sitt");
        }

        return words;
    });

    /// <summary>The analyzer with one stemmer kept from text to text (an index build's worker); not for use by several threads at once.</summary>
    internal sealed class Session
    {
        private readonly TextAnalyzer _analyzer;
        private readonly SnowballProgram? _stemmer;

        public Session(TextAnalyzer analyzer, SnowballProgram? stemmer)
        {
            _analyzer = analyzer;
            _stemmer = stemmer;
        }

        /// <summary>Replaces the content of <paramref name="result"/> with the tokens of <paramref name="text"/> and their positions.</summary>
        public void AnalyzeInto(string text, List<(string Token, int Position)> result)
        {
            result.Clear();
            result.AddRange(_analyzer.Analyze(text, _stemmer));
        }

        /// <summary>What one base token becomes: the indexed token, or null when it is dropped (too long, or a stop word).</summary>
        public string? Normalize(string raw) => _analyzer.Normalize(raw, _stemmer);
    }
}
