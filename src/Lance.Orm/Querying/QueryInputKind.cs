namespace Lance.Orm;

/// <summary>What a <see cref="QueryInput"/> holds.</summary>
public enum QueryInputKind
{
    /// <summary>Text, embedded by the column's embedding function when the query runs.</summary>
    Text,

    /// <summary>A query vector, searched with as is.</summary>
    Vector,

    /// <summary>An image, embedded by the column's image embedding function when the query runs.</summary>
    Image,

    /// <summary>Several query vectors searched in one call (LanceDB's multi-vector query): each row comes back with its <c>query_index</c>.</summary>
    Vectors,
}
