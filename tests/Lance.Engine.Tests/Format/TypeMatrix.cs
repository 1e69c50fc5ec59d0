using System.Numerics;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Tests.Format;

/// <summary>
/// One table with a column of every type the engine stores, nullable and not, with nulls, empty
/// and null lists, empty strings, all-null columns and a 1 MB string: the type matrix that our
/// reader and LanceDB must both read back value by value.
/// </summary>
public static class TypeMatrix
{
    private static readonly StructType PointType = new([new Field("a", Int32Type.Default, true), new Field("b", StringType.Default, true)]);
    private static readonly StructType InnerType = new([new Field("y", StringType.Default, true), new Field("z", DoubleType.Default, false)]);
    private static readonly StructType OuterType = new([new Field("x", Int32Type.Default, true), new Field("inner", InnerType, true)]);

    /// <summary>Every column: name, type, nullability, and the value of row <c>i</c>.</summary>
    public static IReadOnlyList<(string Name, IArrowType Type, bool Nullable, Func<int, object?> Value)> Columns { get; } =
    [
        ("id", Int64Type.Default, false, i => (long)i),
        ("i8", Int8Type.Default, true, i => Nth(i, 5) ? null : (sbyte)((i % 256) - 128)),
        ("i16", Int16Type.Default, true, i => Nth(i, 6) ? null : (short)((i * 37) - 30000)),
        ("i32", Int32Type.Default, true, i => Nth(i, 7) ? null : (i * 1_000_003) - 1_500_000_000),
        ("i64", Int64Type.Default, true, i => Nth(i, 8) ? null : (i % 2 == 0 ? long.MinValue + i : long.MaxValue - i)),
        ("u8", UInt8Type.Default, true, i => Nth(i, 9) ? null : (byte)(255 - (i % 256))),
        ("u16", UInt16Type.Default, true, i => Nth(i, 5) ? null : (ushort)(65535 - i)),
        ("u32", UInt32Type.Default, true, i => Nth(i, 6) ? null : uint.MaxValue - (uint)i),
        ("u64", UInt64Type.Default, false, i => ulong.MaxValue - (ulong)i),
        ("f16", HalfFloatType.Default, true, i => Nth(i, 7) ? null : (Half)(i * 0.5f - 100)),
        ("f32", FloatType.Default, true, i => Nth(i, 8) ? null : i == 1 ? float.NaN : i == 2 ? float.NegativeInfinity : i / 7f),
        ("f64", DoubleType.Default, true, i => Nth(i, 9) ? null : i * Math.PI),
        ("flag", BooleanType.Default, true, i => Nth(i, 5) ? null : i % 3 == 0),
        ("text", StringType.Default, true, i => Nth(i, 6) ? null : i % 11 == 0 ? "" : $"row {i} ünïcödé ✓ {new string('x', i % 50)}"),
        ("text_nn", StringType.Default, false, i => i % 13 == 0 ? "" : $"t{i}"),
        ("large_text", LargeStringType.Default, true, i => Nth(i, 7) ? null : $"large {i}"),
        ("big_text", StringType.Default, true, i => i == 3 ? new string('é', 512 * 1024) : Nth(i, 4) ? null : i % 10 == 0 ? "" : $"b{i}"),
        ("bin", BinaryType.Default, true, i => Nth(i, 8) ? null : Enumerable.Range(0, i % 9).Select(k => (byte)(k * 31 + i)).ToArray()),
        ("large_bin", LargeBinaryType.Default, true, i => Nth(i, 9) ? null : new[] { (byte)i, (byte)0, (byte)255 }),
        ("fsb", new FixedSizeBinaryType(4), true, i => Nth(i, 5) ? null : BitConverter.GetBytes((uint)i * 2654435761u)),
        ("day", Date32Type.Default, true, i => Nth(i, 6) ? null : DateOnly.FromDayNumber(700_000 + (i * 13))),
        ("ts", new TimestampType(TimeUnit.Microsecond, (string?)null), true, i => Nth(i, 7) ? null : 1_700_000_000_000_000L + (i * 1_234_567L) - 5_000_000_000_000_000L * (i % 2)),
        ("ts_utc", new TimestampType(TimeUnit.Microsecond, "UTC"), true, i => Nth(i, 8) ? null : 1_600_000_000_123_456L + i),
        ("clock", new Time64Type(TimeUnit.Microsecond), true, i => Nth(i, 6) ? null : (i * 1_000_003L) % 86_400_000_000L),
        ("dec", new Decimal128Type(20, 4), true, i => Nth(i, 9) ? null : (i * 1234.5678m) - 99_999.9999m),
        ("ints", new ListType(new Field("item", Int32Type.Default, true)), true, i => Nth(i, 5) ? null : List(i % 4, k => k == 1 && i % 3 == 0 ? null : i + k)),
        ("ints_nn", new ListType(new Field("item", Int64Type.Default, false)), false, i => List(i % 3, k => (long)(i * k))),
        ("words", new LargeListType(new Field("item", StringType.Default, true)), true, i => Nth(i, 6) ? null : List(i % 5, k => k == 2 ? null : k == 3 ? "" : $"w{i}.{k}")),
        ("points", new ListType(new Field("item", PointType, true)), true, i => Nth(i, 7) ? null : List(i % 3, k => k == 1 && i % 2 == 0 ? null : new object?[] { i % 4 == 0 ? null : i + k, $"p{k}" })),
        ("outer", OuterType, true, i => Nth(i, 6) ? null : new object?[] { i % 5 == 0 ? null : i, i % 4 == 0 ? null : new object?[] { i % 3 == 0 ? null : $"y{i}", i * 0.25 } }),
        ("vec", new FixedSizeListType(new Field("item", FloatType.Default, true), 8), true, i => Nth(i, 10) ? null : Vector(8, k => (float)(i + k) / 3)),
        ("vec16", new FixedSizeListType(new Field("item", HalfFloatType.Default, true), 4), true, i => Nth(i, 9) ? null : Vector(4, k => (Half)(i % 100 + k))),
        ("vec8", new FixedSizeListType(new Field("item", UInt8Type.Default, true), 16), false, i => Vector(16, k => (byte)(i + k))),
        ("wide", new FixedSizeListType(new Field("item", FloatType.Default, true), 64), true, i => Nth(i, 8) ? null : Vector(64, k => (float)Math.Sin(i + k))),
        ("wide_nn", new FixedSizeListType(new Field("item", FloatType.Default, true), 64), false, i => Vector(64, k => (float)(i * k))),
        ("tag", new DictionaryType(Int32Type.Default, StringType.Default, false), true, i => Nth(i, 7) ? null : $"tag {i % 5}"),
        ("tag_nn", new DictionaryType(Int32Type.Default, StringType.Default, false), false, i => i % 3 == 0 ? "" : "ab"),
        ("nothing", Int32Type.Default, true, _ => null),
        ("no_text", StringType.Default, true, _ => null),
        // Every time unit LanceDB stores (raw ticks of the unit), with and without a zone; date64; decimal256.
        ("ts_s", new TimestampType(TimeUnit.Second, (string?)null), true, i => Nth(i, 7) ? null : (i * 86_413L) - 100_000_000L),
        ("ts_ms_utc", new TimestampType(TimeUnit.Millisecond, "UTC"), true, i => Nth(i, 8) ? null : 1_600_000_000_123L + (i * 999L) - (i % 3 == 0 ? 3_000_000_000_000L : 0)),
        ("ts_ns", new TimestampType(TimeUnit.Nanosecond, (string?)null), true, i => Nth(i, 6) ? null : 1_700_000_000_123_456_789L + (i * 1_000_000_007L) - (i % 2 == 0 ? 1_800_000_000_000_000_000L : 0)),
        ("ts_ns_ny", new TimestampType(TimeUnit.Nanosecond, "America/New_York"), true, i => Nth(i, 9) ? null : 1_650_000_000_000_000_000L + (i * 123_456_789L)),
        ("day64", Date64Type.Default, true, i => Nth(i, 5) ? null : ((i % 40_000) - 10_000) * 86_400_000L),
        ("clock_s", new Time32Type(TimeUnit.Second), true, i => Nth(i, 7) ? null : i * 37 % 86_400),
        ("clock_ms", new Time32Type(TimeUnit.Millisecond), false, i => i * 1237 % 86_400_000),
        ("clock_ns", new Time64Type(TimeUnit.Nanosecond), true, i => Nth(i, 9) ? null : i * 1_000_000_007L % 86_400_000_000_000L),
        ("lag_s", DurationType.Second, true, i => Nth(i, 6) ? null : (i * 1_000_003L) - 1_500_000L),
        ("lag_ms", DurationType.Millisecond, true, i => Nth(i, 7) ? null : (i * 1_000_003L) - 1_500_000L),
        ("lag_us", DurationType.Microsecond, true, i => Nth(i, 8) ? null : long.MinValue + i),
        ("lag_ns", DurationType.Nanosecond, false, i => long.MaxValue - i),
        ("dec256", new Decimal256Type(50, 6), true, i => Nth(i, 7) ? null : (BigInteger.Pow(10, 44) * (i - 600)) + (i * 12_345)),
        // Dictionaries with other key widths, and over large strings and binaries.
        ("tag8", new DictionaryType(Int8Type.Default, StringType.Default, false), true, i => Nth(i, 6) ? null : $"t{i % 100}"),
        ("tag_u16", new DictionaryType(UInt16Type.Default, StringType.Default, false), true, i => Nth(i, 8) ? null : $"u{i % 300}"),
        ("tag64", new DictionaryType(Int64Type.Default, LargeStringType.Default, false), true, i => Nth(i, 5) ? null : $"large {i % 7}"),
        ("tag_u64_bin", new DictionaryType(UInt64Type.Default, BinaryType.Default, false), true, i => Nth(i, 7) ? null : new[] { (byte)(i % 9), (byte)0xFF }),
        ("tag_u8_lbin", new DictionaryType(UInt8Type.Default, LargeBinaryType.Default, false), false, i => new[] { (byte)(i % 4), (byte)1 }),
    ];

    /// <summary>The table's Arrow schema.</summary>
    public static Schema Schema { get; } = new(Columns.Select(c => new Field(c.Name, c.Type, c.Nullable)), null);

    /// <summary>A batch of <paramref name="rows"/> rows starting at row <paramref name="first"/>.</summary>
    public static RecordBatch Batch(int first, int rows) => new(
        Schema, Columns.Select(c => ArrowValues.Build(c.Type, Enumerable.Range(first, rows).Select(c.Value).ToList())), rows);

    /// <summary>
    /// The values of every dictionary column of <paramref name="batch"/> by field id of
    /// <paramref name="schema"/>: what a legacy (0.1) manifest holds for a legacy file of the batch.
    /// </summary>
    internal static Dictionary<int, IReadOnlyList<byte[]>> DictionaryValues(RecordBatch batch, Lance.Engine.Format.LanceSchema schema) =>
        batch.Schema.FieldsList.Where(f => f.DataType is DictionaryType).ToDictionary(
            f => schema.FindField(f.Name)!.Id,
            f => (IReadOnlyList<byte[]>)[.. ((DictionaryArray)batch.Column(f.Name)).Dictionary switch
            {
                BinaryArray values => Enumerable.Range(0, values.Length).Select(i => values.GetBytes(i).ToArray()),
                LargeBinaryArray values => Enumerable.Range(0, values.Length).Select(i => values.GetBytes(i).ToArray()),
                var other => throw new NotSupportedException(other.Data.DataType.Name),
            }]);

    private static bool Nth(int i, int n) => i % n == n - 1;

    private static object?[] List(int count, Func<int, object?> item) => Enumerable.Range(0, count).Select(item).ToArray();

    private static T[] Vector<T>(int dimension, Func<int, T> item) => Enumerable.Range(0, dimension).Select(item).ToArray();
}
