namespace Lance.Interop.Tests.FullText;

/// <summary>
/// A seeded multilingual corpus for tokenizer checks: inflected words of several languages (so each stemmer has work),
/// their stop words, capitals, accents and ligatures, apostrophes and hyphens, digits, Greek, Cyrillic and CJK text,
/// emoji and over-long tokens.
/// </summary>
public static class FtsLanguages
{
    /// <summary>Words per tantivy language name.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Words = new Dictionary<string, string[]>
    {
        ["English"] = ["running", "runners", "happily", "generalization", "the", "and", "of", "children's", "Organizations", "flies", "dying", "agreed"],
        ["French"] = ["les", "maisons", "continuellement", "nationalité", "été", "garçons", "l'homme", "aujourd'hui", "et", "dans", "Français", "œuvres", "est", "son", "été", "sommes"],
        ["German"] = ["Häuser", "die", "und", "Straße", "aufeinanderfolgenden", "Mädchen", "gelaufen", "Bücher", "Übermäßig", "mit", "Größe", "ist"],
        ["Spanish"] = ["canciones", "corriendo", "niños", "el", "de", "nación", "rápidamente", "Mañana", "árboles", "los", "está", "pingüino"],
        ["Italian"] = ["città", "bellissime", "andavano", "il", "della", "perché", "gioventù", "è", "Cantando", "libri", "degli", "caffè"],
        ["Portuguese"] = ["ações", "cidadãos", "não", "com", "informação", "Coração", "pães", "estão", "os", "falando", "irmãs", "às"],
        ["Dutch"] = ["huizen", "lopende", "het", "een", "gebruikelijke", "kinderen", "zeeën", "ijsje", "van", "beëindigd", "vriendelijk", "is"],
        ["Swedish"] = ["flickorna", "springande", "och", "att", "hälsosam", "Göteborg", "öarna", "är", "björnarna", "som", "väldigt", "på", "sitt", "sitta"],
        ["Russian"] = ["книги", "бегущий", "и", "в", "Москва", "говорили", "красивыми", "не", "ёжик", "что", "работающих", "СССР"],
        ["Finnish"] = ["taloissa", "juoksemassa", "ja", "ei", "kirjastoon", "Helsingissä", "ystävällisesti", "on", "järviä", "että", "kävelimme", "öisin"],
        ["Turkish"] = ["kitaplar", "koşuyorlar", "ve", "bir", "İstanbul", "ağaçlarda", "gözlükçü", "bu", "çocuklar", "değil", "ıslak", "Şehir"],
        ["Hungarian"] = ["házakban", "futottak", "és", "a", "Budapesten", "szépségek", "gyönyörű", "nem", "őszi", "az", "ügyvédek", "kávé"],
    };

    /// <summary>Tokens no language owns: numbers, mixed scripts, symbols, emoji, a 45-byte word, words with marks.</summary>
    public static readonly string[] Others =
    [
        "42", "3.14", "e-mail", "C++", "x86_64", "ΣΟΦΙΑ", "ὀδυσσεύς", "日本語テキスト", "北京", "😀", "naïve", "Æsir", "ﬁnance", "Ǆemal",
        "supercalifragilisticexpialidociousnessesness", "ABC-123", "co-operate", "fiancée", "résumé", "Zürich", "ĲSSEL", "µm", "Ⅻ", "١٢٣",
    ];

    private static readonly string[] Separators = [" ", " ", " ", ", ", ". ", " - ", "; ", "! ", "\t", " (", ") ", "/", "'", "\n"];

    /// <summary><paramref name="count"/> rows <c>{id, text, category}</c>, each mostly in one language (row i's is <c>languages[i % n]</c>), some null or empty.</summary>
    public static List<Dictionary<string, object?>> Rows(int count, int seed, IReadOnlyList<string>? languages = null)
    {
        languages ??= [.. Words.Keys];
        var random = new Random(seed);
        var rows = new List<Dictionary<string, object?>>(count);
        for (var i = 0; i < count; i++)
        {
            var roll = random.Next(50);
            string? text = roll == 0 ? null : roll == 1 ? "" : null;
            if (roll > 1)
            {
                var words = Words[languages[i % languages.Count]];
                var parts = new List<string>();
                for (var w = 0; w < 2 + random.Next(12); w++)
                {
                    var word = random.Next(7) == 0 ? Others[random.Next(Others.Length)] : words[(int)(words.Length * Math.Pow(random.NextDouble(), 1.8))];
                    parts.Add(random.Next(6) == 0 ? word.ToUpperInvariant() : word);
                    parts.Add(Separators[random.Next(Separators.Length)]);
                }

                text = string.Concat(parts).Trim();
            }

            rows.Add(new Dictionary<string, object?> { ["id"] = i, ["text"] = text, ["category"] = i % 5 });
        }

        return rows;
    }

    /// <summary>A query of 1 to 3 words of <paramref name="language"/> (and now and then another token), as a user might type it.</summary>
    public static string Query(Random random, string language)
    {
        var words = Words[language];
        return string.Join(" ", Enumerable.Range(0, 1 + random.Next(3)).Select(_ => random.Next(8) == 0 ? Others[random.Next(Others.Length)] : words[random.Next(words.Length)]));
    }
}
