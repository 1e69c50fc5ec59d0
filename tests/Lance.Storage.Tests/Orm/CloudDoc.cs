using Lance.Orm;

namespace Lance.Storage.Tests.Orm;

/// <summary>The rows the peer script <c>object-store.mjs</c> writes: vector[j] = ((id·31 + j·7) mod 97) / 97.</summary>
public partial record CloudDoc : ILanceModel
{
    public long Id { get; init; }
    public string? Text { get; init; }
    [Vector(8)] public float[] Vector { get; init; } = [];

    public static CloudDoc Make(long id) => new()
    {
        Id = id,
        Text = $"row {id}",
        Vector = [.. Enumerable.Range(0, 8).Select(j => (float)(((id * 31) + (j * 7)) % 97) / 97f)],
    };
}
