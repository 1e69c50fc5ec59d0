namespace Lance.Engine.Index.FullText;

/// <summary>One row a full-text search found: its row address (fragment id in the high 32 bits, offset in the low) and BM25 score.</summary>
/// <param name="RowAddress">The row's address in the current version.</param>
/// <param name="Score">The BM25 score (higher is better).</param>
public readonly record struct FullTextHit(long RowAddress, float Score);
