namespace Lance.Engine.Index.FullText;

/// <summary>
/// BM25 as LanceDB 0.31 scores it: idf = ln((N − n + ½)/(n + ½) + 1) and a document's weight for a term
/// (k1 + 1)·f / (f + k1·(1 − b + b·len/avgdl)), with k1 = 1.2 and b = 0.75.
/// </summary>
internal static class Bm25
{
    private const float K1 = 1.2f;
    private const float B = 0.75f;

    /// <summary>The idf of a term <paramref name="n"/> of <paramref name="documents"/> documents hold.</summary>
    public static float Idf(double n, double documents) => (float)Math.Log(((documents - n + 0.5) / (n + 0.5)) + 1.0);

    // Each (distinct) token's idf over every partition of the index.
    public static Dictionary<string, float> IndexIdf(FullTextIndex index, IEnumerable<string> tokens) => tokens.ToDictionary(
        t => t, t => Idf(index.Partitions.Sum(p => p.TryGetToken(t, out var id) ? p.PostingLength(id) : 0), index.DocumentCount), StringComparer.Ordinal);

    /// <summary>A document's weight for a term it holds <paramref name="freq"/> times, given its length and the average length.</summary>
    public static float DocWeight(float freq, float length, float average) => (K1 + 1f) * freq / (freq + (K1 * (1f - B + (B * length / average))));

    /// <summary>
    /// The score of a document outside the index (a row added after the build) over the query's
    /// <paramref name="tokens"/>, each term's idf counted over the index and the rows outside it, and how
    /// many of the tokens the document holds.
    /// </summary>
    public static (float Score, int Terms) Unindexed(FullTextIndex index, FlatDocuments flat, FlatDocument doc, IReadOnlyList<string> tokens)
    {
        var score = 0f;
        var terms = 0;
        foreach (var token in tokens)
        {
            var freq = doc.Count(token);
            if (freq == 0)
            {
                continue;
            }

            terms++;
            var n = index.Partitions.Sum(p => p.TryGetToken(token, out var id) ? p.PostingLength(id) : 0) + flat.Occurrences(token);
            score += Idf(n, flat.DocumentCount) * DocWeight(freq, doc.Length, flat.AverageLength);
        }

        return (score, terms);
    }
}
