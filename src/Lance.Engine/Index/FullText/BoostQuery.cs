namespace Lance.Engine.Index.FullText;

/// <summary>Rows matching <see cref="Positive"/>, their score lowered by <see cref="NegativeBoost"/> times their score for <see cref="Negative"/> (LanceDB's <c>BoostQuery</c>).</summary>
/// <param name="Positive">The query rows must match.</param>
/// <param name="Negative">The query that lowers scores.</param>
public sealed record BoostQuery(FullTextQuery Positive, FullTextQuery Negative) : FullTextQuery
{
    /// <summary>The weight of the negative query's score (LanceDB's default: 0.5).</summary>
    public float NegativeBoost { get; init; } = 0.5f;

    internal override IEnumerable<string?> ReferencedColumns() => Positive.ReferencedColumns().Concat(Negative.ReferencedColumns());
}
