namespace Lance.Orm.Tests.Reranking;

public partial record Passage : ILanceModel
{
    public long Id { get; init; }
    public string Text { get; init; } = "";
    [Vector(2)] public float[] Vector { get; init; } = [];
    [Distance] public float? Distance { get; init; }
    [Relevance] public float Relevance { get; init; } = -1;
}

public partial record PassageDoubleRelevance : ILanceModel
{
    public long Id { get; init; }
    [Vector(2)] public float[] Vector { get; init; } = [];
    [Relevance] public double? Relevance { get; init; }
}
