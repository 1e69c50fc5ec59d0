namespace Lance.Engine.Index.FullText;

/// <summary>A row outside the index, tokenized for a search: its address, token count, and each token's frequency and positions.</summary>
internal sealed class FlatDocument
{
    private readonly Dictionary<string, List<uint>> _positions = new(StringComparer.Ordinal);

    public FlatDocument(long address, List<(string Token, int Position)> tokens)
    {
        Address = address;
        Length = tokens.Count;
        foreach (var (token, position) in tokens)
        {
            if (!_positions.TryGetValue(token, out var list))
            {
                _positions[token] = list = [];
            }

            list.Add((uint)position);
        }
    }

    /// <summary>The row's address.</summary>
    public long Address { get; }

    /// <summary>The number of tokens.</summary>
    public int Length { get; }

    /// <summary>The distinct tokens with their occurrence counts.</summary>
    public IEnumerable<KeyValuePair<string, int>> Counts => _positions.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.Count));

    /// <summary>How often <paramref name="token"/> occurs.</summary>
    public int Count(string token) => _positions.TryGetValue(token, out var list) ? list.Count : 0;

    /// <summary>The positions of <paramref name="token"/>, ascending.</summary>
    public uint[] Positions(string token) => _positions.TryGetValue(token, out var list) ? [.. list] : [];
}
