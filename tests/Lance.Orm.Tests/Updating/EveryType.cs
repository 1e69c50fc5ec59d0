namespace Lance.Orm.Tests.Updating;

public enum Shade { Red, Green, Blue = 5, Cyan = Blue }

public enum Size : byte { Small = 1, Large = 2 }

public partial record Label : ILanceModel
{
    public string Name { get; init; } = "";
    public int Weight { get; init; }
}

public partial record struct Spot : ILanceModel
{
    public double X { get; init; }
    public double Y { get; init; }
}

/// <summary>A member of every type the generator maps (tests/Lance.Orm.Generators.Tests/AllTypesSources.cs), nullable and not.</summary>
public partial record EveryType : ILanceModel
{
    public long Id { get; init; }
    public int I32 { get; init; }
    public short I16 { get; init; }
    public sbyte I8 { get; init; }
    public ulong U64 { get; init; }
    public uint U32 { get; init; }
    public ushort U16 { get; init; }
    public byte U8 { get; init; }
    public Half F16 { get; init; }
    public float F32 { get; init; }
    public double F64 { get; init; }
    public bool Flag { get; init; }
    public string Text { get; init; } = "";
    public byte[] Blob { get; init; } = [];
    public decimal Money { get; init; }
    [Column(Precision = 10, Scale = 2)] public decimal Price { get; init; }
    public Guid Key { get; init; }
    public DateTime At { get; init; }
    public DateTimeOffset When { get; init; }
    public DateOnly Day { get; init; }
    public TimeOnly Time { get; init; }
    public TimeSpan Span { get; init; }
    public Shade Shade { get; init; }
    [Column(AsInteger = true)] public Size Size { get; init; }
    public long? NI64 { get; init; }
    public ushort? NU16 { get; init; }
    public Half? NF16 { get; init; }
    public bool? NFlag { get; init; }
    public string? NText { get; init; }
    public byte[]? NBlob { get; init; }
    public decimal? NMoney { get; init; }
    public Guid? NKey { get; init; }
    public DateTime? NAt { get; init; }
    public DateTimeOffset? NWhen { get; init; }
    public DateOnly? NDay { get; init; }
    public TimeOnly? NTime { get; init; }
    public TimeSpan? NSpan { get; init; }
    public Shade? NShade { get; init; }
    [Column(AsInteger = true)] public Size? NSize { get; init; }
    public List<long> Longs { get; init; } = [];
    public double[]? Doubles { get; init; }
    public List<string?> Names { get; init; } = [];
    public List<Label> Labels { get; init; } = [];
    public Label[]? MoreLabels { get; init; }
    public Label Main { get; init; } = new();
    public Label? Extra { get; init; }
    public Spot Where { get; init; }
    public Spot? Maybe { get; init; }
    [Vector(4)] public float[]? Vector { get; init; }
    [Vector(3)] public Half[]? Vector16 { get; init; }
    [Vector(8)] public byte[]? Vector8 { get; init; }
    [Vector(4)] public ReadOnlyMemory<float> Memory { get; init; }

    /// <summary>Row <paramref name="i"/> of a sample: every member set, nullable ones null on odd rows.</summary>
    public static EveryType Sample(int i)
    {
        var odd = i % 2 == 1;
        return new EveryType
        {
            Id = i,
            I32 = -i * 1000,
            I16 = (short)(i * 7),
            I8 = (sbyte)-i,
            U64 = ulong.MaxValue - (ulong)i,
            U32 = uint.MaxValue - (uint)i,
            U16 = (ushort)(60000 + i),
            U8 = (byte)(200 + i),
            F16 = (Half)(i / 4f),
            F32 = i * 1.5f,
            F64 = -i * 0.125,
            Flag = odd,
            Text = $"text {i} ✓",
            Blob = [(byte)i, 0, 255],
            Money = 123456789.123456789m + i,
            Price = 99.99m * i,
            Key = new Guid($"550e8400-e29b-41d4-a716-4466554400{i:D2}"),
            At = new DateTime(2024, 2, 29, 13, 14, 15, DateTimeKind.Unspecified).AddTicks(i * 10),
            When = new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.FromHours(2)).AddMinutes(i),
            Day = new DateOnly(1969, 12, 31).AddDays(i),
            Time = new TimeOnly(23, 59, 59).Add(TimeSpan.FromTicks(-i * 10)),
            Span = TimeSpan.FromDays(-i).Add(TimeSpan.FromTicks(i * 10)),
            Shade = (Shade)(i % 2 == 0 ? 0 : 5),
            Size = odd ? Size.Large : Size.Small,
            NI64 = odd ? null : long.MinValue + i,
            NU16 = odd ? null : (ushort)i,
            NF16 = odd ? null : (Half)(-i),
            NFlag = odd ? null : true,
            NText = odd ? null : $"n{i}",
            NBlob = odd ? null : [1, 2, (byte)i],
            NMoney = odd ? null : -0.5m * i,
            NKey = odd ? null : Guid.Empty,
            NAt = odd ? null : DateTime.UnixEpoch.AddDays(-i),
            NWhen = odd ? null : DateTimeOffset.UnixEpoch.AddHours(i),
            NDay = odd ? null : DateOnly.MinValue.AddDays(i),
            NTime = odd ? null : TimeOnly.MinValue.AddMinutes(i),
            NSpan = odd ? null : TimeSpan.FromMinutes(i * 90),
            NShade = odd ? null : Shade.Green,
            NSize = odd ? null : Size.Small,
            Longs = [.. Enumerable.Range(0, i % 3).Select(k => (long)k * i)],
            Doubles = odd ? null : [i, -i],
            Names = ["a", null, $"n{i}"],
            Labels = [new Label { Name = $"l{i}", Weight = i }],
            MoreLabels = odd ? null : [],
            Main = new Label { Name = $"main {i}", Weight = -i },
            Extra = odd ? null : new Label { Name = "extra", Weight = 1 },
            Where = new Spot { X = i, Y = -i },
            Maybe = odd ? null : new Spot { X = 0.5, Y = 1.5 },
            Vector = odd ? null : [i, 1, 2, 3],
            Vector16 = odd ? null : [(Half)1, (Half)i, (Half)0.5],
            Vector8 = odd ? null : [0, 1, 2, 3, 4, 5, 6, (byte)i],
            Memory = new float[] { -1, -2, -3, i },
        };
    }
}

/// <summary>The values of <see cref="EveryType"/> in the form an untyped table takes them.</summary>
public static class EveryTypeValues
{
    /// <summary>The untyped form of every column of <paramref name="t"/> but the id: plain .NET values, lists as sequences, structs as dictionaries.</summary>
    public static Dictionary<string, object?> Untyped(EveryType t)
    {
        static Dictionary<string, object?> LabelOf(Label l) => new() { ["name"] = l.Name, ["weight"] = l.Weight };
        static Dictionary<string, object?> SpotOf(Spot s) => new() { ["x"] = s.X, ["y"] = s.Y };
        return new()
        {
            ["i32"] = t.I32, ["i16"] = t.I16, ["i8"] = t.I8, ["u64"] = t.U64, ["u32"] = t.U32, ["u16"] = t.U16, ["u8"] = t.U8, ["f16"] = t.F16,
            ["f32"] = t.F32, ["f64"] = t.F64, ["flag"] = t.Flag, ["text"] = t.Text, ["blob"] = t.Blob, ["money"] = t.Money, ["price"] = t.Price,
            ["key"] = t.Key, ["at"] = t.At, ["when"] = t.When, ["day"] = t.Day, ["time"] = t.Time, ["span"] = t.Span, ["shade"] = t.Shade, ["size"] = t.Size,
            ["ni64"] = t.NI64, ["nu16"] = t.NU16, ["nf16"] = t.NF16, ["n_flag"] = t.NFlag, ["n_text"] = t.NText, ["n_blob"] = t.NBlob,
            ["n_money"] = t.NMoney, ["n_key"] = t.NKey, ["n_at"] = t.NAt, ["n_when"] = t.NWhen, ["n_day"] = t.NDay, ["n_time"] = t.NTime, ["n_span"] = t.NSpan,
            ["n_shade"] = t.NShade, ["n_size"] = t.NSize, ["longs"] = t.Longs, ["doubles"] = t.Doubles, ["names"] = t.Names,
            ["labels"] = t.Labels.Select(LabelOf).ToList(), ["more_labels"] = t.MoreLabels?.Select(LabelOf).ToList(), ["main"] = LabelOf(t.Main),
            ["extra"] = t.Extra is null ? null : LabelOf(t.Extra), ["where"] = SpotOf(t.Where), ["maybe"] = t.Maybe is { } m ? SpotOf(m) : null,
            ["vector"] = t.Vector, ["vector16"] = t.Vector16, ["vector8"] = t.Vector8, ["memory"] = t.Memory,
        };
    }
}
