using Lance.Orm;

namespace Lance.Interop.Tests.FullText;

/// <summary>A row of the full-text corpus as LanceDB stores it (JavaScript numbers become float64 columns).</summary>
public sealed partial record FtsRow : ILanceModel
{
    public double Id { get; init; }

    public string? Text { get; init; }

    public double Category { get; init; }

    /// <summary>The BM25 score of a full-text search (not a column).</summary>
    [Score] public float? Score { get; init; }
}
