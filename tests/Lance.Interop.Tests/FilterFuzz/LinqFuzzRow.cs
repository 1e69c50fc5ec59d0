using Lance.Orm;

namespace Lance.Interop.Tests.FilterFuzz;

/// <summary>A colour for the enum columns (one stored as its name, one as its number).</summary>
public enum FuzzColor
{
    /// <summary>Red.</summary>
    Red,

    /// <summary>Green.</summary>
    Green,

    /// <summary>Blue.</summary>
    Blue,
}

/// <summary>A model with a member of every type the LINQ translator takes constants of.</summary>
public partial record LinqFuzzRow : ILanceModel
{
    public long Id { get; init; }

    public int I { get; init; }

    public int? NI { get; init; }

    public short S { get; init; }

    public byte U8 { get; init; }

    public uint U32 { get; init; }

    public ulong U64 { get; init; }

    public double D { get; init; }

    public float F { get; init; }

    public double? ND { get; init; }

    [Column(Precision = 18, Scale = 4)] public decimal M { get; init; }

    public bool B { get; init; }

    public string Name { get; init; } = "";

    public string? Note { get; init; }

    public Guid Uid { get; init; }

    public DateTime When { get; init; }

    public DateTimeOffset At { get; init; }

    public DateOnly Day { get; init; }

    public TimeOnly Clock { get; init; }

    public FuzzColor Color { get; init; }

    [Column(AsInteger = true)] public FuzzColor Shade { get; init; }

    public List<int> Tags { get; init; } = [];
}
