using System.Buffers.Binary;
using Apache.Arrow;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// One partition of an inverted index as Lance writes it: the token dictionary
/// (<c>part_N_tokens.lance</c>: an fst of token → token id, or the legacy <c>_token</c>/<c>_token_id</c>
/// columns), the documents (<c>part_N_docs.lance</c>: <c>_rowid</c> and <c>_num_tokens</c> per document,
/// documents numbered by position) and one posting list per token (<c>part_N_invert.lance</c>: the
/// compressed blocks in <c>_posting</c>, <c>_max_score</c>, <c>_length</c>, and per document the compressed
/// positions in <c>_position</c> when the index keeps them).
/// </summary>
internal sealed class InvertedPartition
{
    private readonly FstMap? _fst;
    private readonly Dictionary<string, uint>? _tokens;
    private readonly ListArray _postings;
    private readonly UInt32Array _lengths;
    private readonly ListArray? _positions;

    /// <summary>Creates a partition from its three decoded files.</summary>
    public InvertedPartition(ulong id, FstMap? fst, Dictionary<string, uint>? tokens, ulong[] rowIds, uint[] numTokens, ListArray postings, UInt32Array lengths, ListArray? positions, bool fixed32Tail)
    {
        Id = id;
        _fst = fst;
        _tokens = tokens;
        RowIds = rowIds;
        NumTokens = numTokens;
        _postings = postings;
        _lengths = lengths;
        _positions = positions;
        Fixed32Tail = fixed32Tail;
        TotalTokens = numTokens.Sum(n => (long)n);
    }

    /// <summary>The partition id (its files' number).</summary>
    public ulong Id { get; }

    /// <summary>Per document, its row id (a row address unless the dataset has stable row ids).</summary>
    public ulong[] RowIds { get; }

    /// <summary>Per document, its number of tokens.</summary>
    public uint[] NumTokens { get; }

    /// <summary>The tokens of all documents together.</summary>
    public long TotalTokens { get; }

    /// <summary>Whether a posting list's last, partial block stores plain 32-bit values (Lance's <c>fixed32_v1</c>) rather than varint deltas.</summary>
    public bool Fixed32Tail { get; }

    /// <summary>Whether the partition keeps token positions.</summary>
    public bool HasPositions => _positions is not null;

    /// <summary>The number of documents.</summary>
    public int DocumentCount => RowIds.Length;

    /// <summary>The id of <paramref name="token"/>, when the partition has it.</summary>
    public bool TryGetToken(string token, out uint id)
    {
        if (_fst is not null)
        {
            var found = _fst.TryGetValue(token, out var value);
            id = (uint)value;
            return found;
        }

        return _tokens!.TryGetValue(token, out id);
    }

    /// <summary>Every token of the partition with its id.</summary>
    public IEnumerable<(string Token, uint Id)> Tokens()
        => _fst is not null ? _fst.Entries().Select(e => (e.Key, (uint)e.Value)) : _tokens!.Select(kv => (kv.Key, kv.Value));

    /// <summary>The number of documents holding token <paramref name="id"/>.</summary>
    public int PostingLength(uint id) => (int)_lengths.GetValue((int)id)!.Value;

    /// <summary>
    /// The documents (ascending) holding token <paramref name="id"/> and how often, decoded once and kept for later
    /// searches (the partition lives as long as its dataset's index cache). The arrays are shared: never change them.
    /// </summary>
    public (uint[] Docs, uint[] Frequencies) Posting(uint id) => _decoded.GetOrAdd(id, Decode);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<uint, (uint[] Docs, uint[] Frequencies)> _decoded = new();

    private (uint[] Docs, uint[] Frequencies) Decode(uint id)
    {
        var length = PostingLength(id);
        var docs = new uint[length];
        var freqs = new uint[length];
        var blocks = (LargeBinaryArray)_postings.Values;
        var first = _postings.ValueOffsets[(int)id];
        var count = _postings.GetValueLength((int)id);
        Span<uint> buffer = stackalloc uint[BitPacker4x.BlockLength];
        var n = 0;
        for (var b = 0; b < count && n < length; b++)
        {
            var block = blocks.GetBytes(first + b);
            var at = 4; // the block's max score
            var remaining = length - n;
            if (remaining >= BitPacker4x.BlockLength)
            {
                var initial = BinaryPrimitives.ReadUInt32LittleEndian(block[at..]);
                at += 4;
                int bits = block[at++];
                BitPacker4x.UnpackSorted(block[at..], bits, initial, buffer);
                buffer.CopyTo(docs.AsSpan(n));
                at += BitPacker4x.PackedBytes(bits);
                bits = block[at++];
                BitPacker4x.Unpack(block[at..], bits, buffer);
                buffer.CopyTo(freqs.AsSpan(n));
                n += BitPacker4x.BlockLength;
            }
            else if (Fixed32Tail)
            {
                for (var i = 0; i < remaining; i++)
                {
                    docs[n + i] = BinaryPrimitives.ReadUInt32LittleEndian(block[(at + (4 * i))..]);
                    freqs[n + i] = BinaryPrimitives.ReadUInt32LittleEndian(block[(at + (4 * (remaining + i)))..]);
                }

                n = length;
            }
            else
            {
                uint previous = 0;
                for (var i = 0; i < remaining; i++)
                {
                    previous = i == 0 ? Varint(block, ref at) : previous + Varint(block, ref at);
                    docs[n + i] = previous;
                }

                for (var i = 0; i < remaining; i++)
                {
                    freqs[n + i] = Varint(block, ref at);
                }

                n = length;
            }
        }

        return (docs, freqs);
    }

    /// <summary>The positions of token <paramref name="id"/> in the <paramref name="k"/>-th document of its posting list.</summary>
    /// <exception cref="LanceIndexException">The partition keeps no positions.</exception>
    public uint[] Positions(uint id, int k)
    {
        if (_positions is null)
        {
            throw new LanceIndexException("The full-text index was built without positions (with_position = false); phrase queries need them: rebuild it with positions.");
        }

        var perDoc = (ListArray)_positions.Values;
        var doc = _positions.ValueOffsets[(int)id] + k;
        var chunks = (LargeBinaryArray)perDoc.Values;
        var first = perDoc.ValueOffsets[doc];
        var count = perDoc.GetValueLength(doc);
        var total = (int)BinaryPrimitives.ReadUInt32LittleEndian(chunks.GetBytes(first));
        var result = new uint[total];
        Span<uint> buffer = stackalloc uint[BitPacker4x.BlockLength];
        var n = 0;
        for (var c = 1; c < count && n < total; c++)
        {
            var chunk = chunks.GetBytes(first + c);
            if (total - n >= BitPacker4x.BlockLength)
            {
                var initial = BinaryPrimitives.ReadUInt32LittleEndian(chunk);
                int bits = chunk[4];
                BitPacker4x.UnpackSorted(chunk[5..], bits, initial, buffer);
                buffer.CopyTo(result.AsSpan(n));
                n += BitPacker4x.BlockLength;
            }
            else
            {
                for (var i = 0; n < total; i++)
                {
                    result[n++] = BinaryPrimitives.ReadUInt32LittleEndian(chunk[(4 * i)..]);
                }
            }
        }

        return result;
    }

    private static uint Varint(ReadOnlySpan<byte> bytes, ref int at)
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = bytes[at++];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new LanceIndexException("A posting list of the full-text index holds an invalid varint.");
    }
}
