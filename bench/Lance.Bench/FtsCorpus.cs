using System.Text;

namespace Lance.Bench;

/// <summary>
/// A deterministic corpus of short multilingual documents for the full-text benchmark: five languages
/// (English, French, German, Spanish, Italian), each with a vocabulary of its common words followed by
/// generated words built from the language's syllables (accents included, so folding matters), drawn by a
/// Zipf law (s = 1) over the word ranks; documents of 5 to 30 words in one language, capitalised, with some
/// punctuation. The same seed gives the same documents and queries on every machine.
/// </summary>
public sealed class FtsCorpus
{
    private const int WordsPerLanguage = 40_000;

    private static readonly (string Name, string[] Common, string[] Syllables)[] Languages =
    [
        ("en", ["the", "of", "and", "to", "in", "is", "it", "that", "for", "on", "with", "as", "was", "by", "at", "from", "this", "have", "not", "are",
            "time", "people", "water", "house", "world", "light", "river", "garden", "golden", "retriever", "running", "market", "train", "city", "night", "music"],
            ["ing", "er", "th", "an", "st", "ow", "ea", "pl", "ight", "ed", "ly", "con", "ter", "ble", "mo", "ra", "ve", "sh", "ou", "ck"]),
        ("fr", ["le", "de", "la", "et", "les", "des", "un", "une", "est", "pour", "dans", "qui", "sur", "pas", "plus", "avec", "été", "très", "où", "fenêtre",
            "maison", "château", "rivière", "forêt", "été", "hôpital", "garçon", "français", "première", "déjà", "après", "élève", "cœur", "noël", "théâtre", "crème"],
            ["é", "è", "eau", "ou", "on", "ai", "qu", "ch", "ette", "ment", "ier", "ç", "ê", "oi", "gn", "re", "la", "te", "ne", "ssi"]),
        ("de", ["der", "die", "und", "in", "den", "von", "zu", "das", "mit", "sich", "des", "auf", "für", "ist", "im", "nicht", "ein", "eine", "über", "straße",
            "größe", "müller", "bäckerei", "schön", "grün", "mädchen", "häuser", "fußball", "brücke", "gemütlich", "kühlschrank", "wald", "stadt", "zeitung", "hund", "katze"],
            ["sch", "ei", "ü", "ö", "ä", "ung", "ch", "en", "ig", "lich", "keit", "st", "ber", "ge", "tz", "ß", "au", "ie", "kr", "wa"]),
        ("es", ["el", "la", "de", "que", "y", "en", "los", "se", "del", "las", "un", "por", "con", "no", "una", "su", "para", "es", "al", "lo",
            "niño", "año", "señor", "mañana", "corazón", "canción", "música", "árbol", "jardín", "ciudad", "montaña", "español", "pequeño", "camión", "pingüino", "búsqueda"],
            ["ñ", "ción", "ar", "os", "ía", "ue", "ll", "rr", "ez", "ado", "ente", "mi", "ra", "to", "ca", "qu", "ó", "á", "í", "bo"]),
        ("it", ["di", "e", "il", "la", "che", "in", "un", "per", "non", "una", "del", "con", "sono", "le", "si", "ma", "come", "della", "più", "città",
            "perché", "caffè", "università", "giorno", "tempo", "strada", "bambino", "famiglia", "ragazza", "finestra", "cucina", "piazza", "gelato", "notte", "mare", "sole"],
            ["zz", "gli", "cc", "ione", "etto", "ino", "ra", "sci", "ve", "ò", "ù", "à", "co", "ta", "mo", "pp", "lla", "ri", "ne", "ga"]),
    ];

    private readonly string[][] _vocabulary;
    private readonly double[] _cdf;

    /// <summary>Creates the corpus of <paramref name="documents"/> documents from <paramref name="seed"/>.</summary>
    public FtsCorpus(int documents, ulong seed = 20261204)
    {
        DocumentCount = documents;
        Seed = seed;
        _vocabulary = new string[Languages.Length][];
        var random = new SplitMix(seed);
        for (var l = 0; l < Languages.Length; l++)
        {
            var (_, common, syllables) = Languages[l];
            var words = new List<string>(WordsPerLanguage);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var w in common)
            {
                if (seen.Add(w))
                {
                    words.Add(w);
                }
            }

            var text = new StringBuilder();
            while (words.Count < WordsPerLanguage)
            {
                text.Clear();
                var parts = 2 + random.Next(3);
                for (var p = 0; p < parts; p++)
                {
                    text.Append(syllables[random.Next(syllables.Length)]);
                    if (random.Next(3) == 0)
                    {
                        text.Append("aeiou"[random.Next(5)]);
                    }
                }

                var word = text.ToString();
                if (seen.Add(word))
                {
                    words.Add(word);
                }
            }

            _vocabulary[l] = [.. words];
        }

        _cdf = new double[WordsPerLanguage];
        double total = 0;
        for (var r = 0; r < WordsPerLanguage; r++)
        {
            total += 1.0 / (r + 1);
            _cdf[r] = total;
        }

        for (var r = 0; r < WordsPerLanguage; r++)
        {
            _cdf[r] /= total;
        }
    }

    /// <summary>The number of documents.</summary>
    public int DocumentCount { get; }

    /// <summary>The seed.</summary>
    public ulong Seed { get; }

    /// <summary>The number of distinct words the generator draws from.</summary>
    public int Vocabulary => _vocabulary.Sum(v => v.Length);

    /// <summary>The language codes.</summary>
    public static IReadOnlyList<string> LanguageCodes => Languages.Select(l => l.Name).ToList();

    /// <summary>The documents in id order (id = position), generated on the fly.</summary>
    public IEnumerable<string> Documents()
    {
        var random = new SplitMix(Seed ^ 0x9E3779B97F4A7C15UL);
        var text = new StringBuilder(256);
        for (var d = 0; d < DocumentCount; d++)
        {
            text.Clear();
            var language = random.Next(Languages.Length);
            var length = 5 + random.Next(26);
            for (var i = 0; i < length; i++)
            {
                var word = Word(language, random);
                if (i == 0)
                {
                    text.Append(char.ToUpperInvariant(word[0])).Append(word, 1, word.Length - 1);
                }
                else
                {
                    text.Append(random.Next(12) == 0 ? ", " : " ").Append(word);
                }
            }

            text.Append(random.Next(8) == 0 ? '?' : '.');
            yield return text.ToString();
        }
    }

    /// <summary>
    /// <paramref name="count"/> queries of each kind, from their own seed: single words and sets of 2–3 words of one
    /// language drawn by the same Zipf law past its 30 most common words (mostly stop words), and phrases of 2–3
    /// consecutive words taken from documents of the corpus (so they match).
    /// </summary>
    public (List<string> Single, List<string> Multi, List<string> Phrase) Queries(int count)
    {
        var random = new SplitMix(Seed ^ 0xD1B54A32D192ED03UL);
        string Pick(int language)
        {
            while (true)
            {
                var rank = Rank(random);
                if (rank >= 30)
                {
                    return _vocabulary[language][rank];
                }
            }
        }

        var single = new List<string>();
        var multi = new List<string>();
        for (var q = 0; q < count; q++)
        {
            single.Add(Pick(random.Next(Languages.Length)));
            var language = random.Next(Languages.Length);
            multi.Add(string.Join(' ', Enumerable.Range(0, 2 + random.Next(2)).Select(_ => Pick(language))));
        }

        // Phrases: from the documents at evenly spread ids, a run of 2–3 words not starting with a stop word.
        var wanted = Enumerable.Range(0, count).Select(i => (long)i * DocumentCount / count).ToHashSet();
        var phrase = new List<string>();
        var id = 0L;
        foreach (var doc in Documents())
        {
            if (wanted.Contains(id++))
            {
                var words = doc.TrimEnd('.', '?').Replace(",", string.Empty, StringComparison.Ordinal).ToLowerInvariant().Split(' ');
                var n = 2 + random.Next(2);
                var start = random.Next(Math.Max(1, words.Length - n));
                phrase.Add(string.Join(' ', words.Skip(start).Take(n)));
            }

            if (phrase.Count == count)
            {
                break;
            }
        }

        return (single, multi, phrase);
    }

    private string Word(int language, SplitMix random) => _vocabulary[language][Rank(random)];

    private int Rank(SplitMix random)
    {
        var u = random.NextDouble();
        var r = Array.BinarySearch(_cdf, u);
        return Math.Min(r < 0 ? ~r : r, WordsPerLanguage - 1);
    }

    /// <summary>SplitMix64: small, fast and the same everywhere.</summary>
    private sealed class SplitMix(ulong seed)
    {
        private ulong _state = seed;

        public ulong NextULong()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public int Next(int max) => (int)(NextULong() % (ulong)max);

        public double NextDouble() => (NextULong() >> 11) / (double)(1UL << 53);
    }
}
