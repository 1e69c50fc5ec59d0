using System.Runtime.InteropServices;
using System.Text;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// Collects the documents of a run of rows for one partition of an inverted index: per document its row id,
/// token count and token occurrences (a chunk-local token number and the position), in the order they are
/// added. <see cref="Finish"/> joins the runs in order (documents are numbered as Lance's builder numbers them,
/// in the order they are added; a null text is no document, an empty one a document without tokens) and lays
/// every token's posting list (documents ascending, frequencies and, when kept, positions) out in flat arrays,
/// with two passes over the occurrences instead of one growing list per token.
/// </summary>
internal sealed class InvertedPartitionBuilder
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _tokens = [];
    private readonly List<ulong> _rowIds = [];
    private readonly List<uint> _numTokens = [];
    private readonly List<int> _ends = [];
    private readonly List<int> _occurrences = [];
    private readonly List<int> _positions = [];

    /// <summary>Creates an empty run.</summary>
    public InvertedPartitionBuilder(bool withPositions) => WithPositions = withPositions;

    /// <summary>Whether positions are kept.</summary>
    public bool WithPositions { get; }

    /// <summary>The documents added.</summary>
    public int DocumentCount => _rowIds.Count;

    /// <summary>Adds a document: the row id Lance records and its analysed tokens with their positions.</summary>
    public void Add(ulong rowId, IReadOnlyList<(string Token, int Position)> tokens)
    {
        _rowIds.Add(rowId);
        _numTokens.Add((uint)tokens.Count);
        for (var i = 0; i < tokens.Count; i++)
        {
            var (token, position) = tokens[i];
            ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(_ids, token, out var exists);
            if (!exists)
            {
                id = _tokens.Count;
                _tokens.Add(token);
            }

            _occurrences.Add(id);
            if (WithPositions)
            {
                _positions.Add(position);
            }
        }

        _ends.Add(_occurrences.Count);
    }

    /// <summary>
    /// The partition's content from <paramref name="runs"/> in order, with token ids assigned in the tokens' UTF-8 byte
    /// order (the order of the token dictionary), ready to encode.
    /// </summary>
    public static InvertedPartitionData Finish(IReadOnlyList<InvertedPartitionBuilder> runs, bool withPositions, CancellationToken cancellationToken)
    {
        // The vocabulary of all runs, each run's token numbers mapped to it.
        var global = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>();
        var maps = new int[runs.Count][];
        for (var r = 0; r < runs.Count; r++)
        {
            var map = maps[r] = new int[runs[r]._tokens.Count];
            for (var i = 0; i < map.Length; i++)
            {
                ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(global, runs[r]._tokens[i], out var exists);
                if (!exists)
                {
                    id = names.Count;
                    names.Add(runs[r]._tokens[i]);
                }

                map[i] = id;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var sorted = names.Select((name, id) => (Bytes: Encoding.UTF8.GetBytes(name), Id: id)).ToArray();
        Array.Sort(sorted, (a, b) => a.Bytes.AsSpan().SequenceCompareTo(b.Bytes));
        var rank = new int[sorted.Length];
        var fst = new FstBuilder();
        long totalLength = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            fst.Add(sorted[i].Bytes, (ulong)i);
            rank[sorted[i].Id] = i;
            totalLength += sorted[i].Bytes.Length;
        }

        foreach (var map in maps)
        {
            for (var i = 0; i < map.Length; i++)
            {
                map[i] = rank[map[i]];
            }
        }

        // Pass 1: per token, how many documents hold it and how often it occurs.
        var tokenCount = sorted.Length;
        var entryStarts = new int[tokenCount + 1];
        var positionStarts = withPositions ? new long[tokenCount + 1] : null;
        var lastDoc = new int[tokenCount];
        Array.Fill(lastDoc, -1);
        var documents = runs.Sum(r => r._rowIds.Count);
        var rowIds = new ulong[documents];
        var numTokens = new uint[documents];
        var doc = 0;
        for (var r = 0; r < runs.Count; r++)
        {
            var run = runs[r];
            var map = maps[r];
            var occurrences = CollectionsMarshal.AsSpan(run._occurrences);
            var ends = CollectionsMarshal.AsSpan(run._ends);
            CollectionsMarshal.AsSpan(run._rowIds).CopyTo(rowIds.AsSpan(doc));
            CollectionsMarshal.AsSpan(run._numTokens).CopyTo(numTokens.AsSpan(doc));
            var at = 0;
            for (var d = 0; d < ends.Length; d++, doc++)
            {
                for (; at < ends[d]; at++)
                {
                    var t = map[occurrences[at]];
                    if (lastDoc[t] != doc)
                    {
                        lastDoc[t] = doc;
                        entryStarts[t + 1]++;
                    }

                    if (positionStarts is not null)
                    {
                        positionStarts[t + 1]++;
                    }
                }
            }
        }

        for (var t = 0; t < tokenCount; t++)
        {
            entryStarts[t + 1] += entryStarts[t];
            if (positionStarts is not null)
            {
                positionStarts[t + 1] += positionStarts[t];
            }
        }

        cancellationToken.ThrowIfCancellationRequested();

        // Pass 2: fill every token's documents, frequencies and positions, documents in order.
        var entries = entryStarts[tokenCount];
        var docs = new uint[entries];
        var frequencies = new uint[entries];
        var entryPositionStarts = withPositions ? new long[entries] : null;
        var positions = withPositions ? new uint[positionStarts![tokenCount]] : null;
        var entryCursor = (int[])entryStarts.Clone();
        var positionCursor = positionStarts is null ? null : (long[])positionStarts.Clone();
        Array.Fill(lastDoc, -1);
        doc = 0;
        for (var r = 0; r < runs.Count; r++)
        {
            var run = runs[r];
            var map = maps[r];
            var occurrences = CollectionsMarshal.AsSpan(run._occurrences);
            var runPositions = CollectionsMarshal.AsSpan(run._positions);
            var ends = CollectionsMarshal.AsSpan(run._ends);
            var at = 0;
            for (var d = 0; d < ends.Length; d++, doc++)
            {
                for (; at < ends[d]; at++)
                {
                    var t = map[occurrences[at]];
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

        return new InvertedPartitionData(
            fst.Finish(), (uint)tokenCount, totalLength, rowIds, numTokens, new FlatPostings(entryStarts, docs, frequencies, entryPositionStarts, positions));
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
