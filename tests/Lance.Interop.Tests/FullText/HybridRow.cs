using Lance.Orm;

namespace Lance.Interop.Tests.FullText;

/// <summary>A document of the hybrid-search tests: its vector embedded from its text by <see cref="TrigramEmbedding"/>.</summary>
public sealed partial record HybridRow : ILanceModel
{
    public long Id { get; init; }

    [Source] public string Text { get; init; } = "";

    [Vector(typeof(TrigramEmbedding))] public float[]? Vector { get; init; }

    public long Category { get; init; }

    [Relevance] public float Relevance { get; init; } = -1;
}
