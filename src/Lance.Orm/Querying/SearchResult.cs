namespace Lance.Orm;

/// <summary>A row found by a vector search, with its distance to the query.</summary>
/// <typeparam name="T">The row's model type.</typeparam>
/// <param name="Row">The row.</param>
/// <param name="Distance">The distance to the query under the search's metric (smaller is nearer).</param>
public sealed record SearchResult<T>(T Row, float Distance);
