namespace Lance.Orm.Tests.Friction;

public partial record Product : ILanceModel
{
    [Key] public long Id { get; init; }
    [Column("sku")] public string StockKeepingUnit { get; init; } = "";
    public string Title { get; init; } = "";
    public double? Price { get; init; }
    public int Rank { get; init; }
    [Vector(4)] public float[] Embedding { get; init; } = [];
    [Vector(2)] public float[] Thumbnail { get; init; } = [];
    public Origin Made { get; init; } = new();
    [Ignore] public string Display => $"{Id}:{Title}";

    public static List<Product> Sample(int count) => Enumerable.Range(0, count).Select(i => new Product
    {
        Id = i,
        StockKeepingUnit = $"S-{i:D3}",
        Title = $"product {i}",
        Price = i % 4 == 0 ? null : (i * 7) % 10,
        Rank = i % 3,
        Embedding = [i, 0, 0, 1],
        Thumbnail = [0, i],
        Made = new Origin { Country = i % 2 == 0 ? "fr" : "de" },
    }).ToList();
}

public partial record Origin : ILanceModel
{
    public string Country { get; init; } = "";
}

public partial record Stock : ILanceModel
{
    [Key] public string Region { get; init; } = "";
    [Key] public string Sku { get; init; } = "";
    public int Count { get; init; }
}

public partial record GuidKeyed : ILanceModel
{
    [System.ComponentModel.DataAnnotations.Key] public Guid Id { get; init; }
    public string Name { get; init; } = "";
}

public partial record Unkeyed : ILanceModel
{
    public long Id { get; init; }
}
