using System.Runtime.InteropServices;
using System.Text;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// Collects the documents of a run of rows for one partition of an inverted index: per document its row id, token count
/// and token occurrences (a token id of the run's <see cref="DocumentTokenizer"/> and the position), in the order they are
/// added. <see cref="Finish"/> joins the runs in order (documents are numbered as Lance's builder numbers them, in the
/// order they are added; a null text is no document, an empty one a document without tokens), numbers the tokens in the
/// order they first appear (as Lance's builder does) and lays every token's posting list (documents ascending, frequencies
/// and, when kept, positions) out in flat arrays, with two passes over the occurrences.
/// </summary>
internal sealed class InvertedPartitionBuilder
{
    private readonly List<ulong> _rowIds = [];
    private readonly List<uint> _numTokens = [];
    private readonly List<int> _ends = [];
    private int[] _occurrences = new int[1024];
    private int[] _positions;
    private int _count;

    /// <summary>Creates an empty run whose token ids are those of <paramref name="tokenizer"/>.</summary>
    public InvertedPartitionBuilder(DocumentTokenizer tokenizer, bool withPositions)
    {
        Tokenizer = tokenizer;
        WithPositions = withPositions;
        _positions = withPositions ? new int[1024] : [];
    }

    /// <summary>The tokenizer whose vocabulary the run's token ids refer to.</summary>
    public DocumentTokenizer Tokenizer { get; }

    /// <summary>Whether positions are kept.</summary>
    public bool WithPositions { get; }

    /// <summary>The documents added.</summary>
    public int DocumentCount => _rowIds.Count;

    /// <summary>Adds an occurrence of token <paramref name="id"/> at <paramref name="position"/> to the current document.</summary>
    public void Add(int id, int position)
    {
        if (_count == _occurrences.Length)
        {
            Array.Resize(ref _occurrences, _count * 2);
            if (WithPositions)
            {
                Array.Resize(ref _positions, _count * 2);
            }
        }

        _occurrences[_count] = id;
        if (WithPositions)
        {
            _positions[_count] = position;
        }

        _count++;
    }

    /// <summary>Ends the current document: the row id Lance records and its number of (indexed) tokens.</summary>
    public void EndDocument(ulong rowId, int tokens)
    {
        _rowIds.Add(rowId);
        _numTokens.Add((uint)tokens);
        _ends.Add(_count);
    }

    /// <summary>
    /// The partition's content from <paramref name="runs"/> in order, with token ids assigned in the order the tokens first
    /// appear (as Lance's builder assigns them), ready to encode.
    /// </summary>
    public static InvertedPartitionData Finish(IReadOnlyList<InvertedPartitionBuilder> runs, bool withPositions, CancellationToken cancellationToken)
    {
        // Each tokenizer's ids mapped to partition ids as the occurrences come (first appearance), rewritten in place; and
        // per token how many documents hold it and how often it occurs.
        var maps = new Dictionary<DocumentTokenizer, int[]>();
        foreach (var run in runs)
        {
            if (!maps.ContainsKey(run.Tokenizer))
            {
                maps[run.Tokenizer] = Filled(run.Tokenizer.Tokens.Count, -1);
            }
        }

        var bound = maps.Values.Sum(m => m.Length);
        var global = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>();
        var entryStarts = new int[bound + 1];
        var positionStarts = withPositions ? new long[bound + 1] : null;
        var lastDoc = Filled(bound, -1);
        var documents = runs.Sum(r => r._rowIds.Count);
        var rowIds = new ulong[documents];
        var numTokens = new uint[documents];
        var document = 0;
        foreach (var run in runs)
        {
            var map = maps[run.Tokenizer];
            var tokens = run.Tokenizer.Tokens;
            var occurrences = run._occurrences.AsSpan(0, run._count);
            var ends = CollectionsMarshal.AsSpan(run._ends);
            CollectionsMarshal.AsSpan(run._rowIds).CopyTo(rowIds.AsSpan(document));
            CollectionsMarshal.AsSpan(run._numTokens).CopyTo(numTokens.AsSpan(document));
            var at = 0;
            for (var d = 0; d < ends.Length; d++, document++)
            {
                for (; at < ends[d]; at++)
                {
                    var t = map[occurrences[at]];
                    if (t < 0)
                    {
                        ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(global, tokens[occurrences[at]], out var exists);
                        if (!exists)
                        {
                            id = names.Count;
                            names.Add(tokens[occurrences[at]]);
                        }

                        t = map[occurrences[at]] = id;
                    }

                    occurrences[at] = t;
                    if (lastDoc[t] != document)
                    {
                        lastDoc[t] = document;
                        entryStarts[t + 1]++;
                    }

                    if (positionStarts is not null)
                    {
                        positionStarts[t + 1]++;
                    }
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        var tokenCount = names.Count;
        for (var t = 0; t < tokenCount; t++)
        {
            entryStarts[t + 1] += entryStarts[t];
            if (positionStarts is not null)
            {
                positionStarts[t + 1] += positionStarts[t];
            }
        }

        // The token dictionary is built on another thread meanwhile.
        var dictionary = Task.Run(() => Dictionary(names), cancellationToken);

        // Pass 2: fill every token's documents, frequencies and positions, documents in order; on two threads, each over
        // every occurrence but for half the tokens (about half the positions).
        var entries = entryStarts[tokenCount];
        var docs = new uint[entries];
        var frequencies = new uint[entries];
        var entryPositionStarts = withPositions ? new long[entries] : null;
        var positions = withPositions ? new uint[positionStarts![tokenCount]] : null;
        var entryCursor = entryStarts.AsSpan(0, tokenCount).ToArray();
        var positionCursor = positionStarts?.AsSpan(0, tokenCount).ToArray();
        Array.Fill(lastDoc, -1);
        var half = 0;
        if (positionStarts is not null)
        {
            while (half < tokenCount && positionStarts[half + 1] * 2 < positionStarts[tokenCount])
            {
                half++;
            }
        }
        else
        {
            while (half < tokenCount && entryStarts[half + 1] * 2L < entries)
            {
                half++;
            }
        }

        Parallel.For(0, 2, new ParallelOptions { CancellationToken = cancellationToken }, part =>
        {
            var (low, high) = part == 0 ? (0, half) : (half, tokenCount);
            var doc = 0;
            foreach (var run in runs)
            {
                var occurrences = run._occurrences.AsSpan(0, run._count);
                var runPositions = run._positions;
                var ends = CollectionsMarshal.AsSpan(run._ends);
                var at = 0;
                for (var d = 0; d < ends.Length; d++, doc++)
                {
                    for (; at < ends[d]; at++)
                    {
                        var t = occurrences[at];
                        if (t < low || t >= high)
                        {
                            continue;
                        }

                        if (lastDoc[t] != doc)
                        {
                            lastDoc[t] = doc;
                            var e = entryCursor[t]++;
                            docs[e] = (uint)doc;
                            if (entryPositionStarts is not null)
                            {
                                entryPositionStarts[e] = positionCursor![t];
                            }
                        }

                        frequencies[entryCursor[t] - 1]++;
                        if (positions is not null)
                        {
                            positions[positionCursor![t]++] = (uint)runPositions[at];
                        }
                    }
                }
            }
        });

        var (fst, totalLength) = dictionary.GetAwaiter().GetResult();
        return new InvertedPartitionData(
            fst, (uint)tokenCount, totalLength, rowIds, numTokens,
            new FlatPostings(entryStarts.AsSpan(0, tokenCount + 1).ToArray(), docs, frequencies, entryPositionStarts, positions));
    }

    // The fst of each token (in byte order, as an fst needs) to its id, and the tokens' total bytes.
    private static (byte[] Fst, long TotalLength) Dictionary(List<string> names)
    {
        var sorted = new (byte[] Bytes, int Id)[names.Count];
        long totalLength = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            sorted[i] = (Encoding.UTF8.GetBytes(names[i]), i);
            totalLength += sorted[i].Bytes.Length;
        }

        Array.Sort(sorted, (a, b) => a.Bytes.AsSpan().SequenceCompareTo(b.Bytes));
        var fst = new FstBuilder();
        foreach (var (bytes, id) in sorted)
        {
            fst.Add(bytes, (ulong)id);
        }

        return (fst.Finish(), totalLength);
    }

    private static int[] Filled(int length, int value)
    {
        var array = new int[length];
        Array.Fill(array, value);
        return array;
    }
}

/// <summary>
/// Every token's posting list in flat arrays: token <c>t</c>'s entries are <c>EntryStarts[t]..EntryStarts[t + 1]</c>
/// of <see cref="Docs"/> and <see cref="Frequencies"/>; entry <c>e</c>'s positions (when kept) are
/// <c>Positions[PositionStarts[e] .. PositionStarts[e] + Frequencies[e]]</c>.
/// </summary>
internal sealed record FlatPostings(int[] EntryStarts, uint[] Docs, uint[] Frequencies, long[]? PositionStarts, uint[]? Positions)
{
    /// <summary>The number of tokens.</summary>
    public int TokenCount => EntryStarts.Length - 1;
}
