using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// One index-build worker's tokenizer: turns documents (UTF-8, as Arrow holds them) into token ids of the worker's own
/// vocabulary (tokens numbered in the order this worker met them). What each raw word becomes is cached by its UTF-8 bytes
/// (text follows a Zipf law: most words repeat), so a repeated word costs one lookup in a <see cref="WordTable"/>: no
/// string, no lower-casing, stemming or folding. The simple and whitespace
/// tokenizers split the bytes directly; the others go through <see cref="TextAnalyzer"/> on the decoded text. Not for use by
/// several threads at once.
/// </summary>
internal sealed class DocumentTokenizer
{
    private const int MaxCachedWords = 1 << 20;

    // Which ASCII bytes continue a token: letters and digits (simple), anything but ASCII whitespace (whitespace).
    private static readonly bool[] SimpleAscii = AsciiTable(c => char.IsAsciiLetterOrDigit((char)c));
    private static readonly bool[] WhitespaceAscii = AsciiTable(c => c is not (' ' or '\t' or '\n' or '\f' or '\r'));

    private readonly TextAnalyzer.Session _session;
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly WordTable _words;
    private readonly List<(string Token, int Position)> _scratch = [];
    private readonly bool[]? _ascii;

    /// <summary>Creates a worker's tokenizer for <paramref name="analyzer"/>, its word cache sized for about <paramref name="expectedWords"/> distinct words.</summary>
    public DocumentTokenizer(TextAnalyzer analyzer, int expectedWords = 0)
    {
        _session = analyzer.NewSession();
        _words = new WordTable(Math.Min(expectedWords, MaxCachedWords));
        _ascii = analyzer.Options.BaseTokenizer switch
        {
            "simple" => SimpleAscii,
            "whitespace" => WhitespaceAscii,
            _ => null,
        };
    }

    /// <summary>The worker's tokens by id.</summary>
    public List<string> Tokens { get; } = [];

    /// <summary>Per token id, where the worker met the token first: the run and the index of the occurrence in it.</summary>
    public List<(InvertedPartitionBuilder Run, int At)> FirstSeen { get; } = [];

    /// <summary>Appends the document <paramref name="utf8"/> (its row id <paramref name="rowId"/>) to <paramref name="run"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<byte> utf8, ulong rowId, InvertedPartitionBuilder run)
    {
        int kept = _ascii is { } ascii ? Split(utf8, ascii, run) : Analyze(utf8, run);
        run.EndDocument(rowId, kept);
    }

    // The simple and whitespace tokenizers over the bytes: a token is a run of bytes the table keeps (ASCII) or of code
    // points the tokenizer keeps; every base token takes a position, dropped or not.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Split(ReadOnlySpan<byte> text, bool[] ascii, InvertedPartitionBuilder run)
    {
        var simple = ReferenceEquals(ascii, SimpleAscii);
        int position = 0;
        int kept = 0;
        int i = 0;
        while (true)
        {
            // Past the separators to the next token's first character.
            int start = -1;
            while (i < text.Length)
            {
                byte b = text[i];
                int used = 1;
                bool inToken = b < 0x80 ? ascii[b] : InToken(text[i..], simple, out used);
                if (inToken)
                {
                    start = i;
                    i += used;
                    break;
                }

                i += used;
            }

            if (start < 0)
            {
                return kept;
            }

            // To the token's end: the first character it does not keep (consumed with the token), or the end of the text.
            while (i < text.Length)
            {
                byte b = text[i];
                int used = 1;
                bool inToken = b < 0x80 ? ascii[b] : InToken(text[i..], simple, out used);
                if (!inToken)
                {
                    kept += Emit(text[start..i], position++, run);
                    i += used;
                    start = -1;
                    break;
                }

                i += used;
            }

            if (start >= 0)
            {
                return kept + Emit(text[start..], position, run);
            }
        }
    }

    // Whether the code point starting text (not ASCII) continues a token, and its length in bytes.
    private static bool InToken(ReadOnlySpan<byte> text, bool simple, out int used)
    {
        Rune.DecodeFromUtf8(text, out var rune, out used);
        return !simple || TextAnalyzer.IsAlphanumeric(rune);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Emit(ReadOnlySpan<byte> raw, int position, InvertedPartitionBuilder run)
    {
        if (!_words.TryGetValue(raw, out var id))
        {
            var token = _session.Normalize(Encoding.UTF8.GetString(raw));
            id = token is null ? -1 : IdOf(token, run);
            if (_words.Count < MaxCachedWords)
            {
                _words.Add(raw, id);
            }
        }

        if (id < 0)
        {
            return 0;
        }

        run.Add(id, position);
        return 1;
    }

    private int Analyze(ReadOnlySpan<byte> utf8, InvertedPartitionBuilder run)
    {
        _session.AnalyzeInto(Encoding.UTF8.GetString(utf8), _scratch);
        foreach (var (token, position) in _scratch)
        {
            run.Add(IdOf(token, run), position);
        }

        return _scratch.Count;
    }

    // The id of a token about to occur in run at its next occurrence; a new token notes that place.
    private int IdOf(string token, InvertedPartitionBuilder run)
    {
        ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(_ids, token, out var exists);
        if (!exists)
        {
            id = Tokens.Count;
            Tokens.Add(token);
            FirstSeen.Add((run, run.OccurrenceCount));
        }

        return id;
    }

    private static bool[] AsciiTable(Func<int, bool> keep)
    {
        var table = new bool[128];
        for (var c = 0; c < table.Length; c++)
        {
            table[c] = keep(c);
        }

        return table;
    }
}
