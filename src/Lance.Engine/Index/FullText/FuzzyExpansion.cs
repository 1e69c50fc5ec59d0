using System.Text;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// The terms a fuzzy match query (fuzziness above 0) searches, as LanceDB expands them: the query text is split by
/// tantivy's simple tokenizer alone (runs of letters and digits; no lower-casing, stemming, folding or stop words, so
/// <c>"Zürich"</c> does not meet the indexed <c>"zurich"</c>), then each token, in query order, becomes the index's
/// tokens within <see cref="MatchQuery.Fuzziness"/> edits (insertions, deletions, substitutions of characters) that
/// start with its first <see cref="MatchQuery.PrefixLength"/> UTF-8 bytes, in byte order, until
/// <see cref="MatchQuery.MaxExpansions"/> terms are taken for the whole query (a term reached from two query tokens
/// counts twice toward that budget and is searched once).
/// </summary>
internal static class FuzzyExpansion
{
    /// <summary>The distinct terms <paramref name="query"/> searches over <paramref name="vocabulary"/> (sorted ordinally).</summary>
    /// <exception cref="ArgumentException">The prefix length ends inside a character of a query token (LanceDB fails on such a query too).</exception>
    public static List<string> Expand(IReadOnlyList<string> vocabulary, MatchQuery query)
    {
        var taken = 0;
        var terms = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in SimpleTokens(query.Text))
        {
            var remaining = query.MaxExpansions - taken;
            if (remaining <= 0)
            {
                break;
            }

            var prefix = Prefix(token, query.PrefixLength, query);
            foreach (var candidate in vocabulary)
            {
                if (remaining == 0)
                {
                    break;
                }

                if (candidate.StartsWith(prefix, StringComparison.Ordinal) && Levenshtein.Within(token, candidate, query.Fuzziness))
                {
                    remaining--;
                    taken++;
                    if (seen.Add(candidate))
                    {
                        terms.Add(candidate);
                    }
                }
            }
        }

        return terms;
    }

    /// <summary>The runs of letters and digits of <paramref name="text"/>, as they are (tantivy's <c>SimpleTokenizer</c>).</summary>
    public static IEnumerable<string> SimpleTokens(string text)
    {
        var start = -1;
        var i = 0;
        while (i < text.Length)
        {
            Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used);
            if (TextAnalyzer.IsAlphanumeric(rune))
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

    private static string Prefix(string token, int prefixLength, MatchQuery query)
    {
        if (prefixLength <= 0)
        {
            return "";
        }

        var bytes = Encoding.UTF8.GetBytes(token);
        if (prefixLength >= bytes.Length)
        {
            return token;
        }

        // A UTF-8 continuation byte (10xxxxxx) right after the cut means the cut is inside a character.
        if ((bytes[prefixLength] & 0xC0) == 0x80)
        {
            throw new ArgumentException(
                $"The fuzzy query '{query.Text}' on column '{query.Column}' keeps the first {prefixLength} bytes of token '{token}' unchanged, which ends inside a character; choose another prefix length.",
                nameof(query));
        }

        return Encoding.UTF8.GetString(bytes, 0, prefixLength);
    }
}
