namespace Lance.Orm.Generators.Tests;

/// <summary>
/// Models covering every supported member type, with CsCheck generators and a round-trip check
/// compiled beside them (the checks run inside the compiled assembly, where the types exist).
/// </summary>
internal static class AllTypesSources
{
    public const string Models = TestSources.Usings + """
        using Apache.Arrow;
        using CsCheck;

        namespace Types;

        public enum Color { Red, Green, Blue = 5, Cyan = Blue }
        public enum Level : byte { Low = 1, High = 2 }

        public partial record Tag : ILanceModel
        {
            public string Name { get; init; } = "";
            public int Weight { get; init; }
        }

        public partial record struct Point : ILanceModel
        {
            public double X { get; init; }
            public double Y { get; init; }
        }

        public partial record Scalars : ILanceModel
        {
            public long I64 { get; init; }
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
            public Color Color { get; init; }
            [Column(AsInteger = true)] public Level Level { get; init; }
            public TimeSpan Span { get; init; }
        }

        public partial record Nullables : ILanceModel
        {
            public long? I64 { get; init; }
            public ushort? U16 { get; init; }
            public Half? F16 { get; init; }
            public double? F64 { get; init; }
            public bool? Flag { get; init; }
            public string? Text { get; init; }
            public byte[]? Blob { get; init; }
            public decimal? Money { get; init; }
            public Guid? Key { get; init; }
            public DateTime? At { get; init; }
            public DateTimeOffset? When { get; init; }
            public DateOnly? Day { get; init; }
            public TimeOnly? Time { get; init; }
            public Color? Color { get; init; }
            [Column(AsInteger = true)] public Level? Level { get; init; }
            public TimeSpan? Span { get; init; }
        }

        public partial record Collections : ILanceModel
        {
            public List<long> Longs { get; init; } = [];
            public double[]? Doubles { get; init; }
            public List<string?> Names { get; init; } = [];
            public string[]? Words { get; init; }
            public List<Tag> Tags { get; init; } = [];
            public Tag[]? MoreTags { get; init; }
            public float[] Floats { get; init; } = [];
        }

        public partial class Nested : ILanceModel
        {
            public long Id { get; set; }
            public Tag Main { get; set; } = new();
            public Tag? Extra { get; set; }
            public Point Where { get; set; }
            public Point? Maybe { get; set; }
        }

        public partial record Vectors : ILanceModel
        {
            [Vector(4)] public float[] F32 { get; init; } = [];
            [Vector(4)] public float[]? NF32 { get; init; }
            [Vector(4)] public ReadOnlyMemory<float> Memory { get; init; }
            [Vector(4)] public ReadOnlyMemory<float>? NMemory { get; init; }
            [Vector(3)] public Half[] F16 { get; init; } = [];
            [Vector(8)] public byte[]? U8 { get; init; }
        }

        public static class Checks
        {
            static readonly Gen<string> Text = Gen.String[Gen.Char['\u0000', '\uD7FF'], 0, 12];
            static readonly Gen<byte[]> Bytes = Arr(Gen.Byte)[0, 10];
            static readonly Gen<Half> Halves = Gen.Int[-2048, 2048].Select(i => (Half)(i / 8f));
            static readonly Gen<decimal> Money = Gen.Select(Gen.Long, Gen.Int[0, 18], (m, s) => new decimal(m) / Pow10(s));
            static readonly Gen<decimal> Price = Gen.Long[-9_999_999_999, 9_999_999_999].Select(m => m / 100m);
            static readonly Gen<Guid> Guids = Arr(Gen.Byte)[16].Select(b => new Guid(b));
            static readonly Gen<DateTime> Times = Gen.Long[DateTime.MinValue.Ticks / 10, DateTime.MaxValue.Ticks / 10].Select(t => new DateTime(t * 10));
            static readonly Gen<DateTimeOffset> Offsets = Gen.Select(Gen.Long[DateTime.MinValue.Ticks / 10 + 1_000_000_000, DateTime.MaxValue.Ticks / 10 - 1_000_000_000], Gen.Int[-14 * 60, 14 * 60],
                (t, m) => new DateTimeOffset(t * 10, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(m)));
            static readonly Gen<DateOnly> Days = Gen.Int[DateOnly.MinValue.DayNumber, DateOnly.MaxValue.DayNumber].Select(DateOnly.FromDayNumber);
            static readonly Gen<TimeOnly> Clock = Gen.Long[0, TimeOnly.MaxValue.Ticks / 10].Select(t => new TimeOnly(t * 10));
            static readonly Gen<TimeSpan> Spans = Gen.Long[TimeSpan.MinValue.Ticks / 10, TimeSpan.MaxValue.Ticks / 10].Select(t => new TimeSpan(t * 10));
            static readonly Gen<Color> Colors = Gen.OneOf(Color.Red, Color.Green, Color.Blue);
            static readonly Gen<Level> Levels = Gen.OneOf(Level.Low, Level.High, (Level)77);
            static readonly Gen<Tag> Tags = Gen.Select(Text, Gen.Int, (n, w) => new Tag { Name = n, Weight = w });

            static GenArray<T> Arr<T>(Gen<T> gen) => new(gen);
            static GenList<T> Lst<T>(Gen<T> gen) => new(gen);
            static decimal Pow10(int s) { var p = 1m; for (var i = 0; i < s; i++) p *= 10; return p; }

            static List<T> RoundTrip<T>(T[] rows) where T : ILanceModel<T>
            {
                var batch = T.ToRecordBatch(rows);
                if (batch.Length != rows.Length) throw new InvalidOperationException("length");
                var read = new List<T>();
                T.ReadRecordBatch(batch, read);
                return read;
            }

            static void Same<T>(string what, T expected, T actual)
            {
                if (!EqualityComparer<T>.Default.Equals(expected, actual)) throw new InvalidOperationException($"{what}: expected {expected}, read {actual}");
            }

            static void SameSeq<T>(string what, IEnumerable<T>? expected, IEnumerable<T>? actual)
            {
                if (expected is null ? actual is not null : actual is null || !expected.SequenceEqual(actual))
                    throw new InvalidOperationException($"{what}: expected [{(expected is null ? "null" : string.Join(",", expected))}], read [{(actual is null ? "null" : string.Join(",", actual))}]");
            }

            public static void Scalars() =>
                Arr(Gen.Select(
                    Gen.Select(Gen.Long, Gen.Int, Gen.Short, Gen.SByte, Gen.ULong, Gen.UInt, Gen.UShort, Gen.Byte),
                    Gen.Select(Halves, Gen.Float, Gen.Double, Gen.Bool, Text, Bytes, Money, Price),
                    Gen.Select(Guids, Times, Offsets, Days, Clock, Colors, Levels, Spans),
                    (a, b, c) => new Scalars
                    {
                        I64 = a.Item1, I32 = a.Item2, I16 = a.Item3, I8 = a.Item4, U64 = a.Item5, U32 = a.Item6, U16 = a.Item7, U8 = a.Item8,
                        F16 = b.Item1, F32 = b.Item2, F64 = b.Item3, Flag = b.Item4, Text = b.Item5, Blob = b.Item6, Money = b.Item7, Price = b.Item8,
                        Key = c.Item1, At = c.Item2, When = c.Item3, Day = c.Item4, Time = c.Item5, Color = c.Item6, Level = c.Item7, Span = c.Item8,
                    }))[0, 12]
                .Sample(rows =>
                {
                    var read = RoundTrip(rows);
                    for (var i = 0; i < rows.Length; i++)
                    {
                        SameSeq("Blob", rows[i].Blob, read[i].Blob);
                        Same("row", rows[i] with { Blob = [] }, read[i] with { Blob = [] });
                    }
                }, iter: 40);

            public static void Nullables() =>
                Arr(Gen.Select(
                    Gen.Select(Gen.Long.Nullable(), Gen.UShort.Nullable(), Halves.Nullable(), Gen.Double.Nullable(), Gen.Bool.Nullable(), Text.Null(), Bytes.Null(), Money.Nullable()),
                    Gen.Select(Guids.Nullable(), Times.Nullable(), Offsets.Nullable(), Days.Nullable(), Clock.Nullable(), Colors.Nullable(), Levels.Nullable(), Spans.Nullable()),
                    (a, b) => new Nullables
                    {
                        I64 = a.Item1, U16 = a.Item2, F16 = a.Item3, F64 = a.Item4, Flag = a.Item5, Text = a.Item6, Blob = a.Item7, Money = a.Item8,
                        Key = b.Item1, At = b.Item2, When = b.Item3, Day = b.Item4, Time = b.Item5, Color = b.Item6, Level = b.Item7, Span = b.Item8,
                    }))[0, 12]
                .Sample(rows =>
                {
                    var read = RoundTrip(rows);
                    for (var i = 0; i < rows.Length; i++)
                    {
                        SameSeq("Blob", rows[i].Blob, read[i].Blob);
                        Same("row", rows[i] with { Blob = null }, read[i] with { Blob = null });
                    }
                }, iter: 40);

            public static void Collections() =>
                Arr(Gen.Select(Lst(Gen.Long)[0, 5], Arr(Gen.Double)[0, 5].Null(), Lst(Text.Null())[0, 4], Arr(Text)[0, 4].Null(), Lst(Tags)[0, 3], Arr(Tags)[0, 3].Null(), Arr(Gen.Float)[0, 5],
                    (l, d, n, w, t, m, f) => new Collections { Longs = l, Doubles = d, Names = n, Words = w, Tags = t, MoreTags = m, Floats = f }))[0, 10]
                .Sample(rows =>
                {
                    var read = RoundTrip(rows);
                    for (var i = 0; i < rows.Length; i++)
                    {
                        SameSeq("Longs", rows[i].Longs, read[i].Longs);
                        SameSeq("Doubles", rows[i].Doubles, read[i].Doubles);
                        SameSeq("Names", rows[i].Names, read[i].Names);
                        SameSeq("Words", rows[i].Words, read[i].Words);
                        SameSeq("Tags", rows[i].Tags, read[i].Tags);
                        SameSeq("MoreTags", rows[i].MoreTags, read[i].MoreTags);
                        SameSeq("Floats", rows[i].Floats, read[i].Floats);
                    }
                }, iter: 40);

            public static void Nested() =>
                Arr(Gen.Select(Gen.Long, Tags, Tags.Null(), Gen.Double, Gen.Double, Gen.Select(Gen.Double, Gen.Double).Nullable(),
                    (id, main, extra, x, y, maybe) => new Nested { Id = id, Main = main, Extra = extra, Where = new Point { X = x, Y = y },
                        Maybe = maybe is { } p ? new Point { X = p.Item1, Y = p.Item2 } : null }))[0, 10]
                .Sample(rows =>
                {
                    var read = RoundTrip(rows);
                    for (var i = 0; i < rows.Length; i++)
                    {
                        Same("Id", rows[i].Id, read[i].Id);
                        Same("Main", rows[i].Main, read[i].Main);
                        Same("Extra", rows[i].Extra, read[i].Extra);
                        Same("Where", rows[i].Where, read[i].Where);
                        Same("Maybe", rows[i].Maybe, read[i].Maybe);
                    }
                }, iter: 40);

            public static void Vectors()
            {
                var f4 = Arr(Gen.Float)[4];
                Arr(Gen.Select(f4.Null(), f4.Null(), f4, f4.Null(), Arr(Halves)[3], Arr(Gen.Byte)[8].Null(),
                    (a, b, c, d, e, f) => new Vectors { F32 = a ?? [], NF32 = b, Memory = c, NMemory = d is null ? null : d, F16 = e, U8 = f }))[0, 10]
                .Sample(rows =>
                {
                    var read = RoundTrip(rows);
                    for (var i = 0; i < rows.Length; i++)
                    {
                        SameSeq("F32", rows[i].F32, read[i].F32);
                        SameSeq("NF32", rows[i].NF32, read[i].NF32);
                        SameSeq("Memory", rows[i].Memory.ToArray(), read[i].Memory.ToArray());
                        SameSeq("NMemory", rows[i].NMemory?.ToArray(), read[i].NMemory?.ToArray());
                        SameSeq("F16", rows[i].F16, read[i].F16);
                        SameSeq("U8", rows[i].U8, read[i].U8);
                    }
                }, iter: 40);
            }
        }
        """;
}
