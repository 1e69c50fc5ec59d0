namespace Lance.Orm;

/// <summary>A row found by a vector search, with its distance to the query and, when asked for with <c>WithRowId()</c>, its row id.</summary>
/// <typeparam name="T">The row's model type.</typeparam>
/// <param name="Row">The row.</param>
/// <param name="Distance">The distance to the query under the search's metric (smaller is nearer).</param>
/// <param name="RowId">The row id (fragment id in the high 32 bits, row offset in the low), or null when not requested.</param>
public sealed record SearchResult<T>(T Row, float Distance, ulong? RowId = null)
{
    /// <summary>In a search with several query vectors, the position of the vector this row was found for (LanceDB's <c>query_index</c>); null otherwise.</summary>
    public int? QueryIndex { get; init; }
}
