using System.Text;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// Collects the documents of one partition of an inverted index: per document its row id and token
/// count, per token its posting list (documents ascending, frequencies and, when kept, positions), as
/// Lance's builder does (documents are numbered in the order they are added; a null text is no
/// document, an empty one a document without tokens).
/// </summary>
internal sealed class InvertedPartitionBuilder
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<Posting> _postings = [];
    private readonly List<ulong> _rowIds = [];
    private readonly List<uint> _numTokens = [];

    /// <summary>Creates an empty partition.</summary>
    public InvertedPartitionBuilder(bool withPositions) => WithPositions = withPositions;

    /// <summary>Whether positions are kept.</summary>
    public bool WithPositions { get; }

    /// <summary>The documents added.</summary>
    public int DocumentCount => _rowIds.Count;

    /// <summary>The distinct tokens added.</summary>
    public int TokenCount => _postings.Count;

    /// <summary>Adds a document: the row id Lance records and its analysed tokens with their positions.</summary>
    public void Add(ulong rowId, IReadOnlyList<(string Token, int Position)> tokens)
    {
        var doc = (uint)_rowIds.Count;
        _rowIds.Add(rowId);
        _numTokens.Add((uint)tokens.Count);
        foreach (var (token, position) in tokens)
        {
            if (!_ids.TryGetValue(token, out var id))
            {
                id = _postings.Count;
                _ids.Add(token, id);
                _postings.Add(new Posting(WithPositions));
            }

            _postings[id].Add(doc, (uint)position);
        }
    }

    /// <summary>Adds the documents of <paramref name="other"/> after these (their numbers shift by this partition's count).</summary>
    public void Append(InvertedPartitionBuilder other)
    {
        var shift = (uint)_rowIds.Count;
        _rowIds.AddRange(other._rowIds);
        _numTokens.AddRange(other._numTokens);
        foreach (var (token, otherId) in other._ids)
        {
            if (!_ids.TryGetValue(token, out var id))
            {
                id = _postings.Count;
                _ids.Add(token, id);
                _postings.Add(new Posting(WithPositions));
            }

            _postings[id].Append(other._postings[otherId], shift);
        }
    }

    /// <summary>
    /// The partition's content with token ids assigned in the tokens' UTF-8 byte order (the order of the
    /// token dictionary), ready to encode.
    /// </summary>
    public InvertedPartitionData Finish()
    {
        var tokens = _ids.Select(kv => (Bytes: Encoding.UTF8.GetBytes(kv.Key), Id: kv.Value)).ToArray();
        Array.Sort(tokens, (a, b) => a.Bytes.AsSpan().SequenceCompareTo(b.Bytes));
        var fst = new FstBuilder();
        var postings = new Posting[tokens.Length];
        long totalLength = 0;
        for (var i = 0; i < tokens.Length; i++)
        {
            fst.Add(tokens[i].Bytes, (ulong)i);
            postings[i] = _postings[tokens[i].Id];
            totalLength += tokens[i].Bytes.Length;
        }

        return new InvertedPartitionData(fst.Finish(), (uint)tokens.Length, totalLength, [.. _rowIds], [.. _numTokens], postings, WithPositions);
    }

    /// <summary>One token's posting list under construction.</summary>
    internal sealed class Posting(bool withPositions)
    {
        /// <summary>The documents holding the token, ascending.</summary>
        public List<uint> Docs { get; } = [];

        /// <summary>Per document, how often the token occurs.</summary>
        public List<uint> Frequencies { get; } = [];

        /// <summary>The positions of all documents one after another (null without positions).</summary>
        public List<uint>? Positions { get; } = withPositions ? [] : null;

        /// <summary>Per document, where its positions start in <see cref="Positions"/>.</summary>
        public List<int>? PositionStarts { get; } = withPositions ? [] : null;

        public void Add(uint doc, uint position)
        {
            if (Docs.Count == 0 || Docs[^1] != doc)
            {
                Docs.Add(doc);
                Frequencies.Add(0);
                PositionStarts?.Add(Positions!.Count);
            }

            Frequencies[^1]++;
            Positions?.Add(position);
        }

        public void Append(Posting other, uint shift)
        {
            var positionShift = Positions?.Count ?? 0;
            foreach (var doc in other.Docs)
            {
                Docs.Add(doc + shift);
            }

            Frequencies.AddRange(other.Frequencies);
            if (Positions is not null)
            {
                foreach (var start in other.PositionStarts!)
                {
                    PositionStarts!.Add(start + positionShift);
                }

                Positions.AddRange(other.Positions!);
            }
        }

        /// <summary>The positions of the <paramref name="k"/>-th document of the list.</summary>
        public ReadOnlySpan<uint> PositionsOf(int k)
        {
            var start = PositionStarts![k];
            var end = k + 1 < PositionStarts.Count ? PositionStarts[k + 1] : Positions!.Count;
            return System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Positions).Slice(start, end - start);
        }
    }
}
