namespace Lance.Engine.Index.FullText;

/// <summary>
/// The rows outside an index, tokenized, with the statistics their scores use: the index's documents
/// and tokens plus theirs, and per token the index's document count plus its occurrences here (Lance
/// counts every occurrence in an unindexed row).
/// </summary>
internal sealed class FlatDocuments
{
    private readonly Dictionary<string, int> _occurrences = new(StringComparer.Ordinal);

    public FlatDocuments(FullTextIndex index, List<FlatDocument> documents)
    {
        Documents = documents;
        DocumentCount = index.DocumentCount + documents.Count;
        var tokens = index.Partitions.Sum(p => p.TotalTokens) + documents.Sum(d => (long)d.Length);
        AverageLength = DocumentCount == 0 ? 0f : (float)((double)tokens / DocumentCount);
        foreach (var document in documents)
        {
            foreach (var (token, count) in document.Counts)
            {
                _occurrences[token] = _occurrences.GetValueOrDefault(token) + count;
            }
        }
    }

    /// <summary>The rows.</summary>
    public List<FlatDocument> Documents { get; }

    /// <summary>The index's documents and these.</summary>
    public long DocumentCount { get; }

    /// <summary>The mean token count over the index's documents and these.</summary>
    public float AverageLength { get; }

    /// <summary>How often <paramref name="token"/> occurs in these rows.</summary>
    public int Occurrences(string token) => _occurrences.GetValueOrDefault(token);
}
