using Lance.Engine.Index.FullText;

namespace Lance.Interop.Tests.FullText;

/// <summary>
/// Seeded full-text queries of every kind LanceDB has, over a table with two indexed text columns (<c>text</c> with positions,
/// <c>title</c> without): match (operator, fuzziness, prefix length, boost), phrase (slop), boolean (must / should / must-not),
/// multi-match (boosts, operator) and boost queries, each with or without a prefilter, a limit and an offset.
/// </summary>
public static class GeneratedQueries
{
    /// <summary>The kinds, in the order <see cref="Generate"/> cycles through them.</summary>
    public static readonly string[] Kinds = ["match", "match-and", "fuzzy", "phrase", "boolean", "multi", "boost"];

    /// <summary>Rows with <c>{id, text, title, category}</c>: the corpus text and a short title drawn from the same words.</summary>
    public static List<Dictionary<string, object?>> Rows(int count, int seed)
    {
        var rows = FtsCorpus.Rows(count, seed);
        var random = new Random(seed + 1000);
        foreach (var row in rows)
        {
            row["title"] = random.Next(15) == 0 ? null : FtsCorpus.Query(random, 4);
        }

        return rows;
    }

    /// <summary>
    /// <paramref name="count"/> requests cycling through <see cref="Kinds"/>, with phrases drawn from <paramref name="rows"/> and
    /// keywords from <paramref name="words"/> (a query text of 1 to the given number of words; <see cref="FtsCorpus.Query"/> by default).
    /// </summary>
    public static List<FullTextSearchRequest> Generate(int count, int seed, List<Dictionary<string, object?>> rows, Func<Random, int, string>? words = null)
    {
        var random = new Random(seed);
        var vocabulary = words ?? FtsCorpus.Query;
        var texts = rows.Select(r => r["text"] as string).OfType<string>().Where(t => t.Length > 20).ToList();
        var requests = new List<FullTextSearchRequest>(count);
        for (var i = 0; i < count; i++)
        {
            FullTextQuery query = Kinds[i % Kinds.Length] switch
            {
                "match" => Match(random, vocabulary),
                "match-and" => Match(random, vocabulary) with { Operator = FullTextOperator.And },
                "fuzzy" => Fuzzy(random, vocabulary),
                "phrase" => Phrase(random, texts),
                "boolean" => Boolean(random, vocabulary, texts),
                "multi" => Multi(random, vocabulary),
                _ => new BoostQuery(Match(random, vocabulary), Match(random, vocabulary, maxWords: 1)) { NegativeBoost = (float)Math.Round(random.NextDouble(), 2) },
            };
            var roll = random.Next(10);
            requests.Add(new FullTextSearchRequest(query)
            {
                Limit = roll < 6 ? 10 : 1 + random.Next(20),
                Offset = roll is 7 or 8 ? random.Next(1, 4) : 0,
                Filter = random.Next(4) switch { 0 => "category = 3", 1 => "id >= 100 AND id < 300", _ => null },
            });
        }

        return requests;
    }

    private static MatchQuery Match(Random random, Func<Random, int, string> words, int maxWords = 3)
        => new(words(random, maxWords), "text") { Boost = random.Next(4) == 0 ? 0.5f + random.Next(4) : 1f };

    private static MatchQuery Fuzzy(Random random, Func<Random, int, string> vocabulary)
    {
        // Misspell one word of the query so that fuzziness matters.
        var words = vocabulary(random, 2).Split(' ');
        var w = random.Next(words.Length);
        if (words[w].Length > 3)
        {
            var chars = words[w].ToCharArray();
            var at = 1 + random.Next(chars.Length - 1);
            chars[at] = (char)('a' + random.Next(26));
            words[w] = new string(chars);
        }

        return new MatchQuery(string.Join(' ', words), "text")
        {
            Fuzziness = 1 + random.Next(2),
            PrefixLength = random.Next(3),
            MaxExpansions = random.Next(3) == 0 ? 3 : 50,
            Operator = random.Next(4) == 0 ? FullTextOperator.And : FullTextOperator.Or,
        };
    }

    private static PhraseQuery Phrase(Random random, List<string> texts)
    {
        var words = texts[random.Next(texts.Count)].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var start = random.Next(Math.Max(1, words.Length - 2));
        var length = 2 + random.Next(2);
        var picked = words.Skip(start).Take(length).ToList();
        if (random.Next(3) == 0 && picked.Count > 2)
        {
            // Leave a word out so that only a query with slop finds the row.
            picked.RemoveAt(1);
            return new PhraseQuery(string.Join(' ', picked), "text") { Slop = 1 + random.Next(2) };
        }

        return new PhraseQuery(string.Join(' ', picked), "text") { Slop = random.Next(4) == 0 ? 1 : 0 };
    }

    private static BooleanQuery Boolean(Random random, Func<Random, int, string> words, List<string> texts)
    {
        var clauses = new List<BooleanClause>();
        var shape = random.Next(4);
        if (shape != 1)
        {
            clauses.Add(new BooleanClause(Occur.Must, Match(random, words, 2)));
        }

        if (shape != 0)
        {
            clauses.Add(new BooleanClause(Occur.Should, Match(random, words, 2)));
            clauses.Add(new BooleanClause(Occur.Should, random.Next(3) == 0 ? Phrase(random, texts) : Match(random, words, 1)));
        }

        if (random.Next(2) == 0)
        {
            clauses.Add(new BooleanClause(Occur.MustNot, Match(random, words, 1)));
        }

        return new BooleanQuery(clauses);
    }

    private static MultiMatchQuery Multi(Random random, Func<Random, int, string> words) => new(words(random, 3), ["text", "title"])
    {
        Boosts = random.Next(2) == 0 ? null : [1f, (float)(0.5 + random.Next(4))],
        Operator = random.Next(3) == 0 ? FullTextOperator.And : FullTextOperator.Or,
    };
}
