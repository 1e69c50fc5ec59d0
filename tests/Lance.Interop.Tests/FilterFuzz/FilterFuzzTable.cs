using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Interop.Tests.FilterFuzz;

/// <summary>
/// A table with a column of every type filters compare (every integer width signed and unsigned,
/// float32/64, decimal128, bool, strings, binary, a string dictionary, date, timestamp, time, lists),
/// filled from a seed with the values that tell semantics apart: nulls, NaN, ±0.0, ±∞, each type's
/// extremes, empty strings and lists, null list items.
/// </summary>
public static class FilterFuzzTable
{
    /// <summary>The decimal column's type.</summary>
    public static readonly Decimal128Type DecimalType = new(10, 2);

    /// <summary>The columns, by name, with their Arrow types.</summary>
    public static readonly Schema Schema = new(
        [
            new Field("id", Int64Type.Default, false),
            new Field("i8", Int8Type.Default, true),
            new Field("i16", Int16Type.Default, true),
            new Field("i32", Int32Type.Default, true),
            new Field("i64", Int64Type.Default, true),
            new Field("u8", UInt8Type.Default, true),
            new Field("u16", UInt16Type.Default, true),
            new Field("u32", UInt32Type.Default, true),
            new Field("u64", UInt64Type.Default, true),
            new Field("f32", FloatType.Default, true),
            new Field("f64", DoubleType.Default, true),
            new Field("dec", DecimalType, true),
            new Field("b", BooleanType.Default, true),
            new Field("s", StringType.Default, true),
            new Field("bin", BinaryType.Default, true),
            new Field("tag", new DictionaryType(Int32Type.Default, StringType.Default, false), true),
            new Field("d", Date32Type.Default, true),
            new Field("ts", new TimestampType(TimeUnit.Microsecond, (string?)null), true),
            new Field("tm", new Time64Type(TimeUnit.Microsecond), true),
            new Field("li", new ListType(new Field("item", Int32Type.Default, true)), true),
            new Field("lstr", new ListType(new Field("item", StringType.Default, true)), true),
            new Field("lf", new ListType(new Field("item", DoubleType.Default, true)), true),
        ],
        null);

    /// <summary>The strings the string, dictionary and list columns draw from.</summary>
    public static readonly string[] Words = ["", "a", "apple", "Apple", "b_c", "50%", "naïve", "日本", "zz", "it's", "red", "green", "blue"];

    /// <summary>The values of the dictionary column.</summary>
    public static readonly string[] Tags = ["red", "green", "blue", ""];

    /// <summary>Rows from <paramref name="seed"/>: about one value in seven is null, one in three an extreme.</summary>
    public static RecordBatch Batch(int seed, int rows)
    {
        var random = new Random(seed);
        bool Null() => random.Next(7) == 0;
        bool Edge() => random.Next(3) == 0;
        var id = new Int64Array.Builder();
        var i8 = new Int8Array.Builder();
        var i16 = new Int16Array.Builder();
        var i32 = new Int32Array.Builder();
        var i64 = new Int64Array.Builder();
        var u8 = new UInt8Array.Builder();
        var u16 = new UInt16Array.Builder();
        var u32 = new UInt32Array.Builder();
        var u64 = new UInt64Array.Builder();
        var f32 = new FloatArray.Builder();
        var f64 = new DoubleArray.Builder();
        var dec = new Decimal128Array.Builder(DecimalType);
        var b = new BooleanArray.Builder();
        var s = new StringArray.Builder();
        var bin = new BinaryArray.Builder();
        var tagKeys = new Int32Array.Builder();
        var d = new Date32Array.Builder();
        var ts = new TimestampArray.Builder(new TimestampType(TimeUnit.Microsecond, (string?)null));
        var tm = new Time64Array.Builder(TimeUnit.Microsecond);
        var li = new ListArray.Builder(Int32Type.Default);
        var lstr = new ListArray.Builder(StringType.Default);
        var lf = new ListArray.Builder(DoubleType.Default);
        for (var r = 0; r < rows; r++)
        {
            id.Append(r);
            if (Null()) i8.AppendNull(); else i8.Append((sbyte)Pick(random, sbyte.MinValue, sbyte.MaxValue, Edge()));
            if (Null()) i16.AppendNull(); else i16.Append((short)Pick(random, short.MinValue, short.MaxValue, Edge()));
            if (Null()) i32.AppendNull(); else i32.Append((int)Pick(random, int.MinValue, int.MaxValue, Edge()));
            if (Null()) i64.AppendNull(); else i64.Append(Pick(random, long.MinValue, long.MaxValue, Edge()));
            if (Null()) u8.AppendNull(); else u8.Append((byte)Pick(random, 0, byte.MaxValue, Edge()));
            if (Null()) u16.AppendNull(); else u16.Append((ushort)Pick(random, 0, ushort.MaxValue, Edge()));
            if (Null()) u32.AppendNull(); else u32.Append((uint)Pick(random, 0, uint.MaxValue, Edge()));
            if (Null()) u64.AppendNull(); else u64.Append(Edge() ? Choose(random, [0UL, 1UL, ulong.MaxValue, ulong.MaxValue - 1, 1UL << 63, (1UL << 63) - 1]) : (ulong)random.Next(-100, 100) + (random.Next(2) == 0 ? 0 : 1UL << 63));
            if (Null()) f32.AppendNull(); else f32.Append((float)Real(random, Edge(), float.MaxValue));
            if (Null()) f64.AppendNull(); else f64.Append(Real(random, Edge(), double.MaxValue));
            if (Null()) dec.AppendNull(); else dec.Append(Edge() ? Choose(random, [99_999_999.99m, -99_999_999.99m, 0m, 0.01m, -0.01m, 1.5m]) : random.Next(-2000, 2000) / 4m);
            if (Null()) b.AppendNull(); else b.Append(random.Next(2) == 0);
            if (Null()) s.AppendNull(); else s.Append(Choose(random, Words));
            if (Null()) bin.AppendNull(); else bin.Append(Enumerable.Range(0, random.Next(4)).Select(_ => (byte)Choose(random, [0, 1, 127, 128, 255])).ToArray());
            if (Null()) tagKeys.AppendNull(); else tagKeys.Append(random.Next(Tags.Length));
            if (Null()) d.AppendNull(); else d.Append(DateTime.UnixEpoch.AddDays(Edge() ? Choose(random, [-719162, 0, -1, 2932896]) : random.Next(-400, 400) + 19000));
            if (Null()) ts.AppendNull(); else ts.Append(DateTimeOffset.UnixEpoch.AddTicks((Edge() ? Choose(random, [0L, -1L, 1L]) : random.NextInt64(-10_000_000_000_000L, 10_000_000_000_000L)) * 10));
            if (Null()) tm.AppendNull(); else tm.Append(Edge() ? Choose(random, [0L, 86_399_999_999L, 1L, 43_200_000_000L]) : random.NextInt64(0, 86_400_000_000L));
            AppendList(random, li, () => ((Int32Array.Builder)li.ValueBuilder).Append((int)Pick(random, int.MinValue, int.MaxValue, random.Next(4) == 0)), () => ((Int32Array.Builder)li.ValueBuilder).AppendNull());
            AppendList(random, lstr, () => ((StringArray.Builder)lstr.ValueBuilder).Append(Choose(random, Words)), () => ((StringArray.Builder)lstr.ValueBuilder).AppendNull());
            AppendList(random, lf, () => ((DoubleArray.Builder)lf.ValueBuilder).Append(Real(random, random.Next(3) == 0, double.MaxValue)), () => ((DoubleArray.Builder)lf.ValueBuilder).AppendNull());
        }

        var tagDictionary = new StringArray.Builder().AppendRange(Tags).Build();
        var tags = new DictionaryArray((DictionaryType)Schema.GetFieldByName("tag").DataType, tagKeys.Build(), tagDictionary);
        return new RecordBatch(Schema,
            [id.Build(), i8.Build(), i16.Build(), i32.Build(), i64.Build(), u8.Build(), u16.Build(), u32.Build(), u64.Build(), f32.Build(), f64.Build(),
             dec.Build(), b.Build(), s.Build(), bin.Build(), tags, d.Build(), ts.Build(), tm.Build(), li.Build(), lstr.Build(), lf.Build()],
            rows);
    }

    private static T Choose<T>(Random random, T[] values) => values[random.Next(values.Length)];

    // An extreme of the range (or next to one, or zero), else a small number.
    private static long Pick(Random random, long min, long max, bool edge) => edge
        ? Choose(random, [min, max, min + 1, max - 1, 0, Math.Max(min, -1), 1])
        : Math.Clamp(random.Next(-300, 300), min, max);

    private static double Real(Random random, bool edge, double max) => edge
        ? Choose(random, [double.NaN, -double.NaN, 0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, max, -max, double.Epsilon, 1e300, 0.1, -1.5])
        : random.Next(-40, 40) * 0.5;

    private static void AppendList(Random random, ListArray.Builder builder, Action item, Action nullItem)
    {
        if (random.Next(7) == 0)
        {
            builder.AppendNull();
            return;
        }

        builder.Append();
        var count = random.Next(4);
        for (var i = 0; i < count; i++)
        {
            if (random.Next(6) == 0) nullItem(); else item();
        }
    }
}
