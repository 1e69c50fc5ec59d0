using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Tests.Filtering;

/// <summary>
/// Six rows with every kind of column the filter reads, nulls included:
/// <code>
/// id | i    | s     | f    | b     | d          | ts                  | meta.author | meta.year | u8
///  1 | 7    | abc   | 1.5  | true  | 2024-01-01 | 2024-01-01 10:00:00 | ann         | 2020      | 1
///  2 | -7   | a_c   | 2.5  | false | 2024-02-29 | 2024-01-01 00:00:00 | bob         | 2021      | 2
///  3 | null | A%C   | null | null  | null       | null                | (meta null)             | 3
///  4 | 3    | it's  | -0.5 | true  | 2023-12-31 | 2023-12-31 23:59:59 | null        | 2022      | 250
///  5 | 10   | null  | 10   | false | 2024-03-01 | 2024-06-15 12:30:00 | ann         | null      | 0
///  6 | 0    | Ünï ✓ | 0    | true  | 1969-12-31 | 1969-12-31 23:00:00 | cy          | 2024      | 9
/// </code>
/// </summary>
public static class FilterTestData
{
    public static readonly StructType MetaType = new([
        new Field("author", StringType.Default, true),
        new Field("year", Int32Type.Default, true),
    ]);

    public static Schema Schema { get; } = new(
        [
            new Field("id", Int64Type.Default, false),
            new Field("i", Int32Type.Default, true),
            new Field("s", StringType.Default, true),
            new Field("f", DoubleType.Default, true),
            new Field("b", BooleanType.Default, true),
            new Field("d", Date32Type.Default, true),
            new Field("ts", new TimestampType(TimeUnit.Microsecond, "UTC"), true),
            new Field("meta", MetaType, true),
            new Field("u8", UInt8Type.Default, false),
            new Field("w", FloatType.Default, false),
        ],
        null);

    public static RecordBatch Batch()
    {
        var ids = new Int64Array.Builder().AppendRange([1, 2, 3, 4, 5, 6]).Build();
        var ints = new Int32Array.Builder().Append(7).Append(-7).AppendNull().Append(3).Append(10).Append(0).Build();
        var strings = new StringArray.Builder().Append("abc").Append("a_c").Append("A%C").Append("it's").AppendNull().Append("Ünï ✓").Build();
        var floats = new DoubleArray.Builder().Append(1.5).Append(2.5).AppendNull().Append(-0.5).Append(10).Append(0).Build();
        var bools = new BooleanArray.Builder().Append(true).Append(false).AppendNull().Append(true).Append(false).Append(true).Build();
        var dates = new Date32Array.Builder()
            .Append(new DateTime(2024, 1, 1)).Append(new DateTime(2024, 2, 29)).AppendNull()
            .Append(new DateTime(2023, 12, 31)).Append(new DateTime(2024, 3, 1)).Append(new DateTime(1969, 12, 31)).Build();
        var tsType = new TimestampType(TimeUnit.Microsecond, "UTC");
        var times = new TimestampArray.Builder(tsType)
            .Append(new DateTimeOffset(2024, 1, 1, 10, 0, 0, TimeSpan.Zero)).Append(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)).AppendNull()
            .Append(new DateTimeOffset(2023, 12, 31, 23, 59, 59, TimeSpan.Zero)).Append(new DateTimeOffset(2024, 6, 15, 12, 30, 0, TimeSpan.Zero))
            .Append(new DateTimeOffset(1969, 12, 31, 23, 0, 0, TimeSpan.Zero)).Build();
        var authors = new StringArray.Builder().Append("ann").Append("bob").AppendNull().AppendNull().Append("ann").Append("cy").Build();
        var years = new Int32Array.Builder().Append(2020).Append(2021).AppendNull().Append(2022).AppendNull().Append(2024).Build();
        var metaValidity = new ArrowBuffer.BitmapBuilder().Append(true).Append(true).Append(false).Append(true).Append(true).Append(true).Build();
        var meta = new StructArray(MetaType, 6, [authors, years], metaValidity, nullCount: 1);
        var u8 = new UInt8Array.Builder().AppendRange([1, 2, 3, 250, 0, 9]).Build();
        var w = new FloatArray.Builder().AppendRange([0.1f, 0.2f, 0.3f, 1.5f, -2f, 100f]).Build();
        return new RecordBatch(Schema, [ids, ints, strings, floats, bools, dates, times, meta, u8, w], 6);
    }
}
