namespace Lance.Orm.Tests.Querying;

public partial record Item : ILanceModel
{
    public long Id { get; init; }
    public int? Rank { get; init; }
    public double Score { get; init; }
    public double? Price { get; init; }
    public float Weight { get; init; }
    public bool Active { get; init; }
    public string Name { get; init; } = "";
    public string? Note { get; init; }
    [Column("cat")] public string Category { get; init; } = "";
    [Vector(4)] public float[] Vector { get; init; } = [];

    public static List<Item> Sample(int count = 300) => Enumerable.Range(0, count).Select(i => new Item
    {
        Id = i,
        Rank = i % 4 == 0 ? null : i % 50,
        Score = i * 0.25,
        Price = i % 7 == 0 ? null : (i % 30) - 10.5,
        Weight = i / 8f,
        Active = i % 3 == 0,
        Name = i % 11 == 0 ? "" : $"{(i % 2 == 0 ? "Alpha" : "beta")}_{i}",
        Note = i % 5 == 0 ? null : $"note {i % 9}",
        Category = (i % 3) switch { 0 => "red", 1 => "green", _ => "blue" },
        Vector = [MathF.Sin(i), MathF.Cos(i), i % 10 / 10f, 1],
    }).ToList();
}

public partial record Named : ILanceModel
{
    public long Id { get; init; }
    public string ImageUri { get; init; } = "";
    public int HTMLSize { get; init; }
    [Column("Custom Name")] public string Renamed { get; init; } = "";
}

public partial record Scored : ILanceModel
{
    public long Id { get; init; }
    [Vector(2)] public float[] Vector { get; init; } = [];
    [Distance] public float Distance { get; init; } = -1;
    [Distance] public double Unused { get; init; }
}

public partial record ScoredDouble : ILanceModel
{
    public long Id { get; init; }
    [Vector(2)] public float[] Vector { get; init; } = [];
    [Distance] public double? Score { get; init; }
}

public partial record MultiHit : ILanceModel
{
    public long Id { get; init; }
    [Vector(2)] public float[] Vector { get; init; } = [];
    [Distance] public float Distance { get; init; }
    [QueryIndex] public int Query { get; init; } = -1;
}

public partial record MultiHitNullable : ILanceModel
{
    public long Id { get; init; }
    [Vector(2)] public float[] Vector { get; init; } = [];
    [QueryIndex] public int? Query { get; init; }
}
