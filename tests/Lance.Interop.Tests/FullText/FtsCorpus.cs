namespace Lance.Interop.Tests.FullText;

/// <summary>A seeded corpus of short documents for full-text tests: English words in inflected forms (so stemming matters), stop words, capitals, accents and punctuation.</summary>
public static class FtsCorpus
{
    /// <summary>The vocabulary queries draw from.</summary>
    public static readonly string[] Words =
    [
        "golden", "retriever", "retrievers", "dog", "dogs", "running", "runs", "ran", "jumped", "jumping", "quick", "brown", "fox",
        "lazy", "house", "houses", "river", "bank", "banks", "light", "sunset", "sea", "friendly", "friends", "café", "résumé", "naïve",
        "déjà", "library", "libraries", "search", "searching", "searched", "index", "indexes", "indexing", "vector", "vectors", "table",
        "tables", "green", "garden", "gardens", "gardening", "walk", "walking", "walked", "children", "child", "played", "playing", "Paris",
        "London", "Zürich", "über", "straße", "the", "a", "of", "and", "is", "was", "this", "over", "under", "with", "being", "have",
    ];

    private static readonly string[] Separators = [" ", " ", " ", ", ", ". ", " - ", "; ", "! "];

    /// <summary>Row <c>i</c> of a corpus of <paramref name="count"/> documents drawn with <paramref name="seed"/>: <c>{id, text, category}</c>, some texts null or empty.</summary>
    public static List<Dictionary<string, object?>> Rows(int count, int seed, int firstId = 0)
    {
        var random = new Random(seed);
        var rows = new List<Dictionary<string, object?>>(count);
        for (var i = 0; i < count; i++)
        {
            string? text;
            var roll = random.Next(40);
            if (roll == 0)
            {
                text = null;
            }
            else if (roll == 1)
            {
                text = "";
            }
            else
            {
                var length = 2 + random.Next(14);
                var parts = new List<string>();
                for (var w = 0; w < length; w++)
                {
                    // Zipf-like: low word indexes are far more frequent.
                    var word = Words[(int)(Words.Length * Math.Pow(random.NextDouble(), 2.2))];
                    parts.Add(random.Next(8) == 0 ? word.ToUpperInvariant() : word);
                    parts.Add(Separators[random.Next(Separators.Length)]);
                }

                text = string.Concat(parts).Trim();
            }

            rows.Add(new Dictionary<string, object?> { ["id"] = firstId + i, ["text"] = text, ["category"] = (firstId + i) % 5 });
        }

        return rows;
    }

    /// <summary>A query text of 1 to <paramref name="maxWords"/> vocabulary words.</summary>
    public static string Query(Random random, int maxWords = 3)
        => string.Join(" ", Enumerable.Range(0, 1 + random.Next(maxWords)).Select(_ => Words[random.Next(Words.Length)]));
}
