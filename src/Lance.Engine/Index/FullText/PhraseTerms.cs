namespace Lance.Engine.Index.FullText;

/// <summary>What every phrase search needs first: the index must keep positions, the phrase's tokens and places, and their ids in a partition.</summary>
internal static class PhraseTerms
{
    /// <exception cref="LanceIndexException">The column's index keeps no positions.</exception>
    private static void RequirePositions(ColumnSearch column)
    {
        // LanceDB refuses a phrase query on an index without positions before looking at its terms, even when no row holds them.
        var index = column.Index;
        if (!index.Analyzer.Options.WithPosition || index.Partitions.Any(p => !p.HasPositions))
        {
            throw new LanceIndexException(
                $"The full-text index '{column.Metadata.Name}' was built without positions (with_position = false); phrase queries need them: rebuild it with positions.");
        }
    }

    // A phrase's tokens and their positions as the index's analyzer makes them, and each token's idf over the whole index.
    public static (List<string> Tokens, List<int> Places, Dictionary<string, float> Idf) Analyze(ColumnSearch column, PhraseQuery query)
    {
        var index = column.Index;
        RequirePositions(column);
        var analyzed = index.Analyzer.Analyze(query.Text);
        var tokens = analyzed.Select(t => t.Token).ToList();
        var idf = Bm25.IndexIdf(index, tokens.Distinct(StringComparer.Ordinal));
        return (tokens, analyzed.Select(t => t.Position).ToList(), idf);
    }

    // The partition's id of every phrase token, in order; null when one of them is not in the partition.
    public static List<uint>? TokenIds(InvertedPartition partition, List<string> tokens)
    {
        var ids = new List<uint>(tokens.Count);
        foreach (var token in tokens)
        {
            if (!partition.TryGetToken(token, out var id))
            {
                return null;
            }

            ids.Add(id);
        }

        return ids;
    }
}
