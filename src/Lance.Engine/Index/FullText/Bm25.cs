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
}
