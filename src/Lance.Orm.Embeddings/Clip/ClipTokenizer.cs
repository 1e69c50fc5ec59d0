using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Lance.Orm.Embeddings;

/// <summary>
/// CLIP's byte-level BPE tokenizer (the one OpenAI's CLIP and OpenCLIP use): text is cleaned
/// (HTML entities, whitespace) and lower-cased, split by CLIP's pattern, each piece's UTF-8 bytes
/// mapped to printable characters, the last one marked with <c>&lt;/w&gt;</c>, and merged by rank.
/// Reads <c>merges.txt</c> and, when present, <c>vocab.json</c>; without a vocabulary file the ids are
/// laid out as CLIP lays them out (256 bytes, 256 end-of-word bytes, one per merge, then the two
/// special tokens).
/// </summary>
public sealed partial class ClipTokenizer
{
    /// <summary>CLIP's context length: every sequence is padded or truncated to 77 ids.</summary>
    public const int DefaultContextLength = 77;

    private const string StartOfText = "<|startoftext|>";
    private const string EndOfText = "<|endoftext|>";
    private const string EndOfWord = "</w>";

    private static readonly (string[] ByByte, string[] InVocabularyOrder) Alphabet = BuildAlphabet();
    private static readonly string[] ByteToUnicode = Alphabet.ByByte;

    private readonly Dictionary<string, int> _encoder;
    private readonly Dictionary<(string, string), int> _ranks;
    private readonly Dictionary<string, string[]> _cache = new(StringComparer.Ordinal);
    private readonly Lock _cacheGate = new();

    private ClipTokenizer(Dictionary<string, int> encoder, Dictionary<(string, string), int> ranks, int contextLength)
    {
        _encoder = encoder;
        _ranks = ranks;
        ContextLength = contextLength;
        StartId = encoder.TryGetValue(StartOfText, out var sot) ? sot : throw new EmbeddingException($"The CLIP vocabulary has no '{StartOfText}' token.");
        EndId = encoder.TryGetValue(EndOfText, out var eot) ? eot : throw new EmbeddingException($"The CLIP vocabulary has no '{EndOfText}' token.");
    }

    /// <summary>The id of <c>&lt;|startoftext|&gt;</c>.</summary>
    public int StartId { get; }

    /// <summary>The id of <c>&lt;|endoftext|&gt;</c>.</summary>
    public int EndId { get; }

    /// <summary>The length every sequence is padded or truncated to.</summary>
    public int ContextLength { get; }

    /// <summary>The number of tokens in the vocabulary.</summary>
    public int VocabularySize => _encoder.Count;

    /// <summary>Loads the tokenizer from a <c>merges.txt</c> and an optional <c>vocab.json</c>.</summary>
    /// <exception cref="EmbeddingException">A file is missing or malformed.</exception>
    public static ClipTokenizer FromFiles(string mergesPath, string? vocabPath = null, int contextLength = DefaultContextLength)
    {
        ArgumentNullException.ThrowIfNull(mergesPath);
        try
        {
            using var merges = File.OpenRead(mergesPath);
            using var vocab = vocabPath is not null && File.Exists(vocabPath) ? File.OpenRead(vocabPath) : null;
            return FromStreams(merges, vocab, contextLength);
        }
        catch (IOException ex)
        {
            throw new EmbeddingException($"Cannot read the CLIP tokenizer files ('{mergesPath}'): {ex.Message}", ex);
        }
    }

    /// <summary>Loads the tokenizer from the merges and an optional vocabulary (JSON object token → id).</summary>
    /// <exception cref="EmbeddingException">A stream is malformed.</exception>
    public static ClipTokenizer FromStreams(Stream merges, Stream? vocab = null, int contextLength = DefaultContextLength)
    {
        ArgumentNullException.ThrowIfNull(merges);
        ArgumentOutOfRangeException.ThrowIfLessThan(contextLength, 3);
        var pairs = new List<(string, string)>();
        using (var reader = new StreamReader(merges, Encoding.UTF8))
        {
            string? line;
            var lineNumber = 0;
            while ((line = reader.ReadLine()) is not null)
            {
                lineNumber++;
                if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("#version", StringComparison.Ordinal)))
                {
                    continue;
                }

                var space = line.IndexOf(' ', StringComparison.Ordinal);
                if (space <= 0 || space == line.Length - 1 || line.IndexOf(' ', space + 1) >= 0)
                {
                    throw new EmbeddingException($"Line {lineNumber} of the CLIP merges file is not two tokens separated by a space: '{line}'.");
                }

                pairs.Add((line[..space], line[(space + 1)..]));
            }
        }

        var ranks = new Dictionary<(string, string), int>(pairs.Count);
        for (var i = 0; i < pairs.Count; i++)
        {
            ranks.TryAdd(pairs[i], i);
        }

        Dictionary<string, int> encoder;
        if (vocab is not null)
        {
            try
            {
                using var document = JsonDocument.Parse(vocab);
                encoder = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    encoder[property.Name] = property.Value.GetInt32();
                }
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
            {
                throw new EmbeddingException($"The CLIP vocabulary is not a JSON object of token ids: {ex.Message}", ex);
            }
        }
        else
        {
            // CLIP's own layout: the byte alphabet, the same with end-of-word, each merge, the specials.
            var tokens = new List<string>(Alphabet.InVocabularyOrder);
            tokens.AddRange(Alphabet.InVocabularyOrder.Select(b => b + EndOfWord));
            tokens.AddRange(pairs.Select(p => p.Item1 + p.Item2));
            tokens.Add(StartOfText);
            tokens.Add(EndOfText);
            encoder = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
            for (var i = 0; i < tokens.Count; i++)
            {
                encoder.TryAdd(tokens[i], i);
            }
        }

        return new ClipTokenizer(encoder, ranks, contextLength);
    }

    /// <summary>The BPE ids of <paramref name="text"/>, without the start and end tokens.</summary>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        foreach (Match match in Pattern().Matches(Clean(text)))
        {
            var piece = match.Value;
            if (piece is StartOfText or EndOfText)
            {
                ids.Add(_encoder[piece]);
                continue;
            }

            var mapped = new StringBuilder();
            foreach (var b in Encoding.UTF8.GetBytes(piece))
            {
                mapped.Append(ByteToUnicode[b]);
            }

            foreach (var token in Bpe(mapped.ToString()))
            {
                if (!_encoder.TryGetValue(token, out var id))
                {
                    throw new EmbeddingException($"The CLIP vocabulary has no token '{token}' (from '{piece}'); the vocabulary and merges files do not match.");
                }

                ids.Add(id);
            }
        }

        return ids;
    }

    /// <summary>
    /// The model input for <paramref name="text"/>: start token, BPE ids, end token, padded with 0 to
    /// <see cref="ContextLength"/>; longer texts are truncated and still end with the end token, as OpenCLIP does.
    /// </summary>
    public long[] EncodeForModel(string text)
    {
        var ids = Encode(text);
        var result = new long[ContextLength];
        result[0] = StartId;
        var count = Math.Min(ids.Count, ContextLength - 2);
        for (var i = 0; i < count; i++)
        {
            result[i + 1] = ids[i];
        }

        result[count + 1] = EndId;
        return result;
    }

    // CLIP cleans text with ftfy, unescapes HTML twice, collapses whitespace and lower-cases.
    // ftfy's mojibake repair is not reproduced; it leaves well-formed text unchanged.
    private static string Clean(string text)
    {
        var unescaped = WebUtility.HtmlDecode(WebUtility.HtmlDecode(text));
        return Whitespace().Replace(unescaped, " ").Trim().ToLowerInvariant();
    }

    private string[] Bpe(string token)
    {
        lock (_cacheGate)
        {
            if (_cache.TryGetValue(token, out var cached))
            {
                return cached;
            }
        }

        var word = new List<string>();
        for (var i = 0; i < token.Length; i += char.IsSurrogatePair(token, i) ? 2 : 1)
        {
            word.Add(token.Substring(i, char.IsSurrogatePair(token, i) ? 2 : 1));
        }

        word[^1] += EndOfWord;
        while (word.Count > 1)
        {
            var best = -1;
            var bestRank = int.MaxValue;
            for (var i = 0; i < word.Count - 1; i++)
            {
                if (_ranks.TryGetValue((word[i], word[i + 1]), out var rank) && rank < bestRank)
                {
                    bestRank = rank;
                    best = i;
                }
            }

            if (best < 0)
            {
                break;
            }

            // Merge every occurrence of the best pair, left to right, as CLIP's bpe() does.
            var (first, second) = (word[best], word[best + 1]);
            var merged = new List<string>(word.Count);
            for (var i = 0; i < word.Count;)
            {
                if (i < word.Count - 1 && word[i] == first && word[i + 1] == second)
                {
                    merged.Add(first + second);
                    i += 2;
                }
                else
                {
                    merged.Add(word[i]);
                    i++;
                }
            }

            word = merged;
        }

        var result = word.ToArray();
        lock (_cacheGate)
        {
            if (_cache.Count < 100_000)
            {
                _cache[token] = result;
            }
        }

        return result;
    }

    // GPT-2/CLIP's reversible byte -> printable character table: printable Latin-1 bytes map to
    // themselves, the others to U+0100 onwards. The vocabulary lists them printable ones first.
    private static (string[] ByByte, string[] InVocabularyOrder) BuildAlphabet()
    {
        var bytes = new List<int>();
        for (int b = '!'; b <= '~'; b++) bytes.Add(b);
        for (int b = '¡'; b <= '¬'; b++) bytes.Add(b);
        for (int b = '®'; b <= 'ÿ'; b++) bytes.Add(b);
        var chars = new List<int>(bytes);
        var n = 0;
        for (var b = 0; b < 256; b++)
        {
            if (!bytes.Contains(b))
            {
                bytes.Add(b);
                chars.Add(256 + n++);
            }
        }

        var byByte = new string[256];
        var ordered = new string[256];
        for (var i = 0; i < 256; i++)
        {
            ordered[i] = ((char)chars[i]).ToString();
            byByte[bytes[i]] = ordered[i];
        }

        return (byByte, ordered);
    }

    [GeneratedRegex(@"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
