using Lance.Orm;
using Lance.Orm.Embeddings;

namespace QuickStart;

/// <summary>One short text of the sample corpus. The generator completes this record at compile time.</summary>
public partial record Doc : ILanceModel
{
    public long Id { get; init; }

    [Source]
    public string Text { get; init; } = "";

    [Vector(typeof(MiniLm))]
    public float[]? Vector { get; init; }

    public double Score { get; init; }

    public bool Published { get; init; }

    /// <summary>How relevant a hybrid (or reranked) search found this row; not a column.</summary>
    [Relevance]
    public float Relevance { get; init; }
}
