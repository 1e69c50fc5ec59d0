using Lance.Orm;

namespace AotSmoke;

public enum Kind { Dog, Cat }
public partial record Pet : ILanceModel
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public DateTimeOffset? When { get; init; }
    public Kind Kind { get; init; }
    public List<string> Tags { get; init; } = [];
    [Vector(3)] public float[] Vector { get; init; } = [];
}
public partial record Stored : ILanceModel
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    [Vector(3)] public float[] Vector { get; init; } = [];
}
