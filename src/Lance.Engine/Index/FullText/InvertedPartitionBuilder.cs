using System.Runtime.CompilerServices;
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
internal sealed unsafe class InvertedPartitionBuilder
{
    private readonly List<ulong> _rowIds;
    private readonly List<uint> _numTokens;
    private readonly List<int> _ends;
    private readonly RunArena _arena;
    private int* _occurrences; // in _arena: the run lives no longer than its arena
    private int* _positions;
    private int _capacity;
    private int _count;

    /// <summary>
    /// Creates an empty run whose token ids are those of <paramref name="tokenizer"/>, with room for about
    /// <paramref name="documents"/> documents and <paramref name="occurrences"/> token occurrences (it grows past them), its
    /// occurrences kept in <paramref name="arena"/> (which must outlive it, until <see cref="Finish"/> has joined it).
    /// </summary>
    public InvertedPartitionBuilder(DocumentTokenizer tokenizer, bool withPositions, RunArena arena, int documents = 0, int occurrences = 0)
    {
        Tokenizer = tokenizer;
        WithPositions = withPositions;
        _rowIds = new List<ulong>(documents);
        _numTokens = new List<uint>(documents);
        _ends = new List<int>(documents);
        // Only the occurrences added are read: the arrays need not be zeroed.
        _arena = arena;
        _capacity = Math.Max(1024, occurrences);
        _occurrences = arena.Take(_capacity);
        _positions = withPositions ? arena.Take(_capacity) : null;
    }

    /// <summary>The tokenizer whose vocabulary the run's token ids refer to.</summary>
    public DocumentTokenizer Tokenizer { get; }

    /// <summary>Whether positions are kept.</summary>
    public bool WithPositions { get; }

    /// <summary>The documents added.</summary>
    public int DocumentCount => _rowIds.Count;

    /// <summary>The occurrences added.</summary>
    public int OccurrenceCount => _count;

    /// <summary>Adds an occurrence of token <paramref name="id"/> at <paramref name="position"/> to the current document.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(int id, int position)
    {
        if (_count == _capacity)
        {
            Grow();
        }

        _occurrences[_count] = id;
        if (WithPositions)
        {
            _positions[_count] = position;
        }

        _count++;
    }

    private void Grow()
    {
        var size = (int)Math.Min(Array.MaxLength, _count * 3L / 2);
        var occurrences = _arena.Take(size);
        Occurrences.CopyTo(new Span<int>(occurrences, size));
        _occurrences = occurrences;
        if (WithPositions)
        {
            var positions = _arena.Take(size);
            new ReadOnlySpan<int>(_positions, _count).CopyTo(new Span<int>(positions, size));
            _positions = positions;
        }

        _capacity = size;
    }

    // The token ids added, in order (of the run's tokenizer; the join maps them to the partition's in place), and their
    // positions (empty without positions).
    private Span<int> Occurrences => new(_occurrences, _count);

    private ReadOnlySpan<int> Positions => WithPositions ? new(_positions, _count) : default;

    /// <summary>Ends the current document: the row id Lance records and its number of (indexed) tokens.</summary>
    public void EndDocument(ulong rowId, int tokens)
    {
        _rowIds.Add(rowId);
        _numTokens.Add((uint)tokens);
        _ends.Add(_count);
    }

    /// <summary>
    /// The partition's content from <paramref name="runs"/> in order, with token ids assigned in the order the tokens first
    /// appear (as Lance's builder assigns them), ready to encode. The runs are split into contiguous groups, one per core,
    /// and both passes over the occurrences (counting, then filling the posting lists) run on the groups in parallel: each
    /// group writes its documents after those of the groups before it, so every list stays in document order.
    /// </summary>
    public static InvertedPartitionData Finish(IReadOnlyList<InvertedPartitionBuilder> runs, bool withPositions, CancellationToken cancellationToken)
    {
        var (maps, names) = Number(runs);
        var tokenCount = names.Count;

        // The token dictionary is built on another thread meanwhile.
        var dictionary = Task.Run(() => Dictionary(names), cancellationToken);

        // Groups of runs with about as many occurrences each; the first document of each run.
        var firstDocument = new int[runs.Count + 1];
        long occurrenceTotal = 0;
        for (var r = 0; r < runs.Count; r++)
        {
            firstDocument[r + 1] = firstDocument[r] + runs[r]._rowIds.Count;
            occurrenceTotal += runs[r]._count;
        }

        var groupCount = Math.Max(1, Math.Min(Environment.ProcessorCount, runs.Count));
        var groupStarts = new int[groupCount + 1];
        long seen = 0;
        for (int r = 0, g = 1; r < runs.Count && g < groupCount; r++)
        {
            seen += runs[r]._count;
            while (g < groupCount && seen * groupCount >= occurrenceTotal * g)
            {
                groupStarts[g++] = r + 1;
            }
        }

        groupStarts[groupCount] = runs.Count;
        for (var g = 1; g < groupCount; g++)
        {
            groupStarts[g] = Math.Max(groupStarts[g], groupStarts[g - 1]);
        }

        var documents = firstDocument[runs.Count];
        var rowIds = new ulong[documents];
        var numTokens = new uint[documents];

        // Pass 1, per group: the occurrences rewritten to partition ids; per token, the documents holding it and its
        // occurrences (both counted per group).
        var entryCounts = new int[groupCount][];
        var positionCounts = new int[groupCount][];
        var lastDocs = new int[groupCount][];
        ParallelLoops.For(0, groupCount, new ParallelOptions { CancellationToken = cancellationToken }, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (g) =>
        {
            var entryCount = entryCounts[g] = new int[tokenCount];
            var positionCount = positionCounts[g] = new int[tokenCount];
            var lastDoc = lastDocs[g] = Filled(tokenCount, -1);
            for (var r = groupStarts[g]; r < groupStarts[g + 1]; r++)
            {
                var run = runs[r];
                var map = maps[run.Tokenizer];
                var occurrences = run.Occurrences;
                var ends = CollectionsMarshal.AsSpan(run._ends);
                CollectionsMarshal.AsSpan(run._rowIds).CopyTo(rowIds.AsSpan(firstDocument[r]));
                CollectionsMarshal.AsSpan(run._numTokens).CopyTo(numTokens.AsSpan(firstDocument[r]));
                var document = firstDocument[r];
                var at = 0;
                for (var d = 0; d < ends.Length; d++, document++)
                {
                    for (; at < ends[d]; at++)
                    {
                        var t = map[occurrences[at]];
                        occurrences[at] = t;
                        if (lastDoc[t] != document)
                        {
                            lastDoc[t] = document;
                            entryCount[t]++;
                        }

                        positionCount[t]++;
                    }
                }

                cancellationToken.ThrowIfCancellationRequested();
            }
        });

        // Where each token's list starts, and where each group writes its part of it (the entry counts become those cursors).
        var entryStarts = new int[tokenCount + 1];
        var positionStarts = withPositions ? new long[tokenCount + 1] : null;
        var entry = 0;
        long position = 0;
        for (var t = 0; t < tokenCount; t++)
        {
            entryStarts[t] = entry;
            if (positionStarts is not null)
            {
                positionStarts[t] = position;
            }

            for (var g = 0; g < groupCount; g++)
            {
                var n = entryCounts[g][t];
                entryCounts[g][t] = entry;
                entry = checked(entry + n);
                position += positionCounts[g][t];
            }
        }

        entryStarts[tokenCount] = entry;
        if (positionStarts is not null)
        {
            positionStarts[tokenCount] = position;
        }

        // Pass 2, per group: every token's documents, frequencies and positions, documents in order.
        // Every document, frequency and position is written below: the buffers need not be zeroed. They are the build's
        // largest (tens to hundreds of MB), written once and read once: huge pages where the system has them.
        var postings = new FlatPostings(
            entryStarts,
            new HugePageBuffer<uint>(entry),
            new HugePageBuffer<uint>(entry),
            positionStarts,
            withPositions ? new HugePageBuffer<uint>(checked((int)position)) : null);
        try
        {
            Fill(runs, postings, groupStarts, firstDocument, entryCounts, lastDocs, positionCounts, cancellationToken);
            var (fst, totalLength) = dictionary.GetAwaiter().GetResult();
            return new InvertedPartitionData(fst, (uint)tokenCount, totalLength, rowIds, numTokens, postings);
        }
        catch
        {
            postings.Dispose();
            throw;
        }
    }

    // Pass 2 of Finish, per group of runs.
    private static void Fill(
        IReadOnlyList<InvertedPartitionBuilder> runs,
        FlatPostings postings,
        int[] groupStarts,
        int[] firstDocument,
        int[][] entryCounts,
        int[][] lastDocs,
        int[][] positionCounts,
        CancellationToken cancellationToken)
    {
        var groupCount = groupStarts.Length - 1;
        var tokenCount = postings.TokenCount;
        var positionStarts = postings.PositionStarts;
        ParallelLoops.For(0, groupCount, new ParallelOptions { CancellationToken = cancellationToken }, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (g) =>
        {
            var docs = postings.Docs.Span;
            var frequencies = postings.Frequencies.Span;
            var positions = postings.Positions is null ? default : postings.Positions.Span;
            var entryCursor = entryCounts[g];
            var lastDoc = lastDocs[g];
            Array.Fill(lastDoc, -1);

            // Positions are addressed with 64-bit cursors (a partition may hold more than 2^31 of them).
            long[]? positionCursor = null;
            if (postings.Positions is not null)
            {
                positionCursor = new long[tokenCount];
                for (var t = 0; t < tokenCount; t++)
                {
                    var p = positionStarts![t];
                    for (var h = 0; h < g; h++)
                    {
                        p += positionCounts[h][t];
                    }

                    positionCursor[t] = p;
                }
            }

            for (var r = groupStarts[g]; r < groupStarts[g + 1]; r++)
            {
                var run = runs[r];
                var occurrences = run.Occurrences;
                var runPositions = run.Positions;
                var ends = CollectionsMarshal.AsSpan(run._ends);
                var document = firstDocument[r];
                var at = 0;
                for (var d = 0; d < ends.Length; d++, document++)
                {
                    for (; at < ends[d]; at++)
                    {
                        var t = occurrences[at];
                        if (lastDoc[t] != document)
                        {
                            lastDoc[t] = document;
                            var e = entryCursor[t]++;
                            docs[e] = (uint)document;
                            frequencies[e] = 1;
                        }
                        else
                        {
                            frequencies[entryCursor[t] - 1]++;
                        }

                        if (positionCursor is not null)
                        {
                            positions[(int)positionCursor[t]++] = (uint)runPositions[at];
                        }
                    }
                }

                cancellationToken.ThrowIfCancellationRequested();
            }
        });
    }

    // Partition ids for every tokenizer's tokens, in the order the tokens first appear in the runs (run by run, occurrence by
    // occurrence), and the tokens by partition id. Each tokenizer noted where it met each of its tokens first; a token met by
    // several tokenizers takes its earliest place.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (Dictionary<DocumentTokenizer, int[]> Maps, List<string> Names) Number(IReadOnlyList<InvertedPartitionBuilder> runs)
    {
        var order = new Dictionary<InvertedPartitionBuilder, int>(ReferenceEqualityComparer.Instance);
        var tokenizers = new List<DocumentTokenizer>();
        var maps = new Dictionary<DocumentTokenizer, int[]>();
        for (var r = 0; r < runs.Count; r++)
        {
            order[runs[r]] = r;
            if (!maps.ContainsKey(runs[r].Tokenizer))
            {
                maps[runs[r].Tokenizer] = Filled(runs[r].Tokenizer.Tokens.Count, -1);
                tokenizers.Add(runs[r].Tokenizer);
            }
        }

        var keys = new List<long>();
        var items = new List<long>();
        for (var k = 0; k < tokenizers.Count; k++)
        {
            var firstSeen = tokenizers[k].FirstSeen;
            for (var id = 0; id < firstSeen.Count; id++)
            {
                if (order.TryGetValue(firstSeen[id].Run, out var r))
                {
                    keys.Add(((long)r << 32) | (uint)firstSeen[id].At);
                    items.Add(((long)k << 32) | (uint)id);
                }
            }
        }

        var sortedKeys = keys.ToArray();
        var sortedItems = items.ToArray();
        Array.Sort(sortedKeys, sortedItems);
        var names = new List<string>();
        var global = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in sortedItems)
        {
            var tokenizer = tokenizers[(int)(item >> 32)];
            var local = (int)(uint)item;
            var token = tokenizer.Tokens[local];
            ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(global, token, out var exists);
            if (!exists)
            {
                id = names.Count;
                names.Add(token);
            }

            maps[tokenizer][local] = id;
        }

        return (maps, names);
    }

    // The fst of each token (in byte order, as an fst needs) to its id, and the tokens' total bytes.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
/// of <see cref="Docs"/> and <see cref="Frequencies"/>; its positions (when kept) are
/// <c>Positions[PositionStarts[t] .. PositionStarts[t + 1]]</c>, entry after entry, <c>Frequencies[e]</c> of them for entry
/// <c>e</c>. Owns the three buffers: <see cref="Dispose"/> frees them.
/// </summary>
internal sealed record FlatPostings(
    int[] EntryStarts, HugePageBuffer<uint> Docs, HugePageBuffer<uint> Frequencies, long[]? PositionStarts, HugePageBuffer<uint>? Positions)
    : IDisposable
{
    /// <summary>The number of tokens.</summary>
    public int TokenCount => EntryStarts.Length - 1;

    /// <summary>Frees the buffers.</summary>
    public void Dispose()
    {
        Docs.Dispose();
        Frequencies.Dispose();
        Positions?.Dispose();
    }
}
