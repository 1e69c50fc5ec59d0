using Lance.Engine;

namespace Lance.Orm;

/// <summary>What a search is given: text to embed, or a vector.</summary>
internal readonly record struct QueryInput(string? Text, ReadOnlyMemory<float> Vector)
{
    public static QueryInput FromText(string text) => new(text, default);

    public static QueryInput FromVector(ReadOnlyMemory<float> vector) => new(null, vector);
}

/// <summary>The state a query builder accumulates.</summary>
internal sealed class QuerySpec
{
    public QuerySpec(QueryInput input) => Input = input;

    public QueryInput Input { get; }

    public int Limit { get; set; } = 10;

    public string? Column { get; set; }

    public DistanceMetric Metric { get; set; } = DistanceMetric.L2;

    public IReadOnlyList<string>? Columns { get; set; }

    public bool WithRowId { get; set; }
}
