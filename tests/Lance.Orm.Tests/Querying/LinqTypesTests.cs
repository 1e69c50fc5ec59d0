using System.Linq.Expressions;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Tests.Querying;

/// <summary>
/// LINQ over dates, timestamps, enums and nested records, checked against LINQ-to-objects on an
/// in-memory batch (the model generator does not map these types yet, so the rows are built by hand
/// in the shape it will write: DateOnly → date32, DateTime → timestamp[us, UTC], nested record → struct,
/// enum → its name as utf8 or its number).
/// </summary>
public sealed class LinqTypesTests
{
    public enum Level { Low, Mid, High }

    public sealed record Author(string? Name, int Year);

    public sealed record Event(long Id, DateOnly Day, DateTime At, Level Level, Level Rank, Author? Meta);

    private static readonly List<Event> Events =
    [
        new(1, new DateOnly(2024, 1, 1), new DateTime(2024, 1, 1, 10, 0, 0, DateTimeKind.Utc), Level.Low, Level.High, new Author("ann", 2020)),
        new(2, new DateOnly(2024, 2, 29), new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), Level.Mid, Level.Low, new Author("bob", 2021)),
        new(3, new DateOnly(2023, 12, 31), new DateTime(2023, 12, 31, 23, 59, 59, DateTimeKind.Utc), Level.High, Level.Mid, new Author(null, 2022)),
        new(4, new DateOnly(1969, 12, 31), new DateTime(1969, 12, 31, 23, 0, 0, DateTimeKind.Utc), Level.Low, Level.Low, new Author("cy", 2024)),
    ];

    private static RecordBatch Batch()
    {
        var authorType = new StructType([new Field("name", StringType.Default, true), new Field("year", Int32Type.Default, false)]);
        var ts = new TimestampType(TimeUnit.Microsecond, "UTC");
        var schema = new Schema(
            [
                new Field("id", Int64Type.Default, false),
                new Field("day", Date32Type.Default, false),
                new Field("at", ts, false),
                new Field("level", StringType.Default, false),
                new Field("rank", Int32Type.Default, false),
                new Field("meta", authorType, true),
            ],
            null);
        var names = new StringArray.Builder();
        foreach (var e in Events)
        {
            if (e.Meta!.Name is null) names.AppendNull(); else names.Append(e.Meta.Name);
        }

        var meta = new StructArray(authorType, Events.Count,
            [names.Build(), new Int32Array.Builder().AppendRange(Events.Select(e => e.Meta!.Year)).Build()], ArrowBuffer.Empty, nullCount: 0);
        var days = new Date32Array.Builder();
        foreach (var e in Events)
        {
            days.Append(e.Day.ToDateTime(TimeOnly.MinValue));
        }

        var times = new TimestampArray.Builder(ts);
        foreach (var e in Events)
        {
            times.Append(new DateTimeOffset(e.At));
        }

        return new RecordBatch(schema,
            [
                new Int64Array.Builder().AppendRange(Events.Select(e => e.Id)).Build(),
                days.Build(),
                times.Build(),
                new StringArray.Builder().AppendRange(Events.Select(e => e.Level.ToString())).Build(),
                new Int32Array.Builder().AppendRange(Events.Select(e => (int)e.Rank)).Build(),
                meta,
            ],
            Events.Count);
    }

    private static readonly DateTime Noon = new(2024, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    public static readonly Dictionary<string, Expression<Func<Event, bool>>> Filters = new()
    {
        ["date after"] = x => x.Day > new DateOnly(2024, 1, 1),
        ["date equal"] = x => x.Day == new DateOnly(2023, 12, 31),
        ["timestamp before captured"] = x => x.At < Noon,
        ["timestamp range"] = x => x.At >= new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc) && x.At <= Noon,
        ["timestamp offset"] = x => x.At > new DateTimeOffset(2023, 12, 31, 23, 30, 0, TimeSpan.Zero).UtcDateTime,
        ["enum stored as name"] = x => x.Level == Level.Low,
        ["enum name not equal"] = x => x.Level != Level.Mid,
        ["enum stored as number"] = x => x.Rank == Level.Low,
        ["enum number ordering"] = x => x.Rank > Level.Low,
        ["nested member"] = x => x.Meta!.Name == "ann",
        ["nested member not equal keeps nulls"] = x => x.Meta!.Name != "ann",
        ["nested number"] = x => x.Meta!.Year >= 2021,
        ["nested string call"] = x => x.Meta!.Name != null && x.Meta.Name.StartsWith("bo"),
        ["timestamp year"] = x => x.At.Year == 2024,
        ["timestamp month and day"] = x => x.At.Month == 12 && x.At.Day == 31,
        ["timestamp clock"] = x => x.At.Hour == 23 && x.At.Minute >= 0 && x.At.Second == 59 && x.At.Millisecond == 0,
        ["timestamp day of year"] = x => x.At.DayOfYear > 300,
        ["date parts"] = x => x.Day.Year == 2024 && x.Day.Month == 2 && x.Day.Day == 29,
        ["date day of year"] = x => x.Day.DayOfYear == 365,
    };

    public static TheoryData<string> FilterNames() => [.. Filters.Keys];

    [Theory]
    [MemberData(nameof(FilterNames))]
    public void Filter_returns_what_linq_to_objects_returns(string name)
    {
        var filter = Filters[name];
        var expected = Events.Select(filter.Compile()).ToArray();

        var actual = LinqFilterTranslator.Evaluate(filter, Batch(), "events");

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void A_member_of_a_timestamp_without_a_date_part_is_refused_naming_it_not_read_as_a_struct_field()
    {
        var schema = Batch().Schema;

        var ticks = Assert.Throws<NotSupportedException>(() => LinqFilterTranslator.ToSql<Event>(x => x.At.Ticks == 0, schema));
        var number = Assert.Throws<NotSupportedException>(() => LinqFilterTranslator.ToSql<Event>(x => x.Day.DayNumber == 2, schema));

        Assert.Contains("x.At.Ticks", ticks.Message, StringComparison.Ordinal);
        Assert.Contains("x.Day.DayNumber", number.Message, StringComparison.Ordinal);
        Assert.Equal("(date_part('year', at) = 2024)", LinqFilterTranslator.ToSql<Event>(x => x.At.Year == 2024, schema));
    }

    public sealed record Tagged(long Id, List<string?> Tags, int[] Scores);

    [Fact]
    public void Any_and_Length_on_a_list_column_become_array_functions_and_other_element_predicates_are_refused_naming_them()
    {
        var schema = new Schema(
            [
                new Field("id", Int64Type.Default, false),
                new Field("tags", new ListType(new Field("item", StringType.Default, true)), false),
                new Field("scores", new ListType(new Field("item", Int32Type.Default, false)), true),
            ],
            null);
        string[] wanted = ["b", "c", "b"];

        Assert.Equal("array_has(tags, 'a')", LinqFilterTranslator.ToSql<Tagged>(x => x.Tags.Any(t => t == "a"), schema));
        Assert.Equal("(array_has(tags, 'b') OR array_has(tags, 'c'))", LinqFilterTranslator.ToSql<Tagged>(x => x.Tags.Any(t => wanted.Contains(t)), schema));
        Assert.Equal("FALSE", LinqFilterTranslator.ToSql<Tagged>(x => x.Tags.Any(t => System.Array.Empty<string>().Contains(t)), schema));
        Assert.Equal("(array_length(tags) > 0)", LinqFilterTranslator.ToSql<Tagged>(x => x.Tags.Any(), schema));
        Assert.Equal("(array_has(scores, 3) IS TRUE)", LinqFilterTranslator.ToSql<Tagged>(x => x.Scores.Any(s => s.Equals(3)), schema));
        Assert.Contains("(array_length(scores) = 2)", LinqFilterTranslator.ToSql<Tagged>(x => x.Scores.Length == 2, schema), StringComparison.Ordinal);
        Assert.Contains("array_element(tags, 1) = 'a'", LinqFilterTranslator.ToSql<Tagged>(x => x.Tags[0] == "a", schema), StringComparison.Ordinal);
        Assert.Contains("array_element(scores, 3) > 1", LinqFilterTranslator.ToSql<Tagged>(x => x.Scores[2] > 1, schema), StringComparison.Ordinal);
        Assert.Contains("array_element(scores, (id + 1))", LinqFilterTranslator.ToSql<Tagged>(x => x.Scores.ElementAt((int)x.Id) > 1, schema), StringComparison.Ordinal);

        var startsWith = Assert.Throws<NotSupportedException>(() => LinqFilterTranslator.ToSql<Tagged>(x => x.Tags.Any(t => t!.StartsWith("ab")), schema));
        var isNull = Assert.Throws<NotSupportedException>(() => LinqFilterTranslator.ToSql<Tagged>(x => x.Tags.Any(t => t == null), schema));
        var rowDependent = Assert.Throws<NotSupportedException>(() => LinqFilterTranslator.ToSql<Tagged>(x => x.Scores.Any(s => s == x.Id), schema));
        Assert.Contains("t.StartsWith(\"ab\")", startsWith.Message, StringComparison.Ordinal);
        Assert.Contains("null", isNull.Message, StringComparison.Ordinal);
        Assert.Contains("x.Scores.Any", rowDependent.Message, StringComparison.Ordinal);
    }

    public sealed record Measured(long Id, double Value, int Count);

    [Fact]
    public void Math_methods_become_sql_functions_and_those_whose_meaning_differs_are_refused_with_the_reason()
    {
        var schema = new Schema([new Field("id", Int64Type.Default, false), new Field("value", DoubleType.Default, false), new Field("count", Int32Type.Default, false)], null);

        Assert.Equal("(sqrt(value) > 2.0)", LinqFilterTranslator.ToSql<Measured>(x => Math.Sqrt(x.Value) > 2, schema));
        Assert.Equal("(round(value, 1) = 1.5)", LinqFilterTranslator.ToSql<Measured>(x => Math.Round(x.Value, 1, MidpointRounding.AwayFromZero) == 1.5, schema));
        Assert.Equal("(power(value, 2.0) < ln(count))", LinqFilterTranslator.ToSql<Measured>(x => Math.Pow(x.Value, 2) < Math.Log(x.Count), schema));
        Assert.Equal("(least(id, 3) = greatest(count, 1))", LinqFilterTranslator.ToSql<Measured>(x => Math.Min(x.Id, 3) == Math.Max(x.Count, 1), schema));

        var bankers = Assert.Throws<NotSupportedException>(() => LinqFilterTranslator.ToSql<Measured>(x => Math.Round(x.Value) == 2, schema));
        var min = Assert.Throws<NotSupportedException>(() => LinqFilterTranslator.ToSql<Measured>(x => Math.Min(x.Value, 1.0) == 1, schema));
        Assert.Contains("MidpointRounding.AwayFromZero", bankers.Message, StringComparison.Ordinal);
        Assert.Contains("NaN", min.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Casts_keep_their_csharp_meaning_or_are_refused()
    {
        var schema = new Schema([new Field("id", Int64Type.Default, false), new Field("value", DoubleType.Default, false), new Field("count", Int32Type.Default, false)], null);
        var fraction = 3.7;

        // A narrowing cast of a captured value truncates as C# does (Convert.ChangeType would round 3.7 to 4).
        Assert.Equal("(count = 3)", LinqFilterTranslator.ToSql<Measured>(x => x.Count == (int)fraction, schema));

        // Arithmetic C# does in a wider type runs in that type.
        Assert.Equal("((arrow_cast(id, 'Float64') / arrow_cast(count, 'Float64')) > 1.5)",
            LinqFilterTranslator.ToSql<Measured>(x => (double)x.Id / x.Count > 1.5, schema));
        Assert.Equal("((arrow_cast(count, 'Int64') * 1000000000) > id)", LinqFilterTranslator.ToSql<Measured>(x => (long)x.Count * 1000000000 > x.Id, schema));

        // An integer member against a fraction: the integer bound with the same meaning.
        Assert.Equal("(id > 118)", LinqFilterTranslator.ToSql<Measured>(x => x.Id > 118.5, schema));
        Assert.Equal("(id < 119)", LinqFilterTranslator.ToSql<Measured>(x => x.Id <= 118.5, schema));
        Assert.Equal("(count = 3)", LinqFilterTranslator.ToSql<Measured>(x => x.Count == 3.0, schema));
        Assert.Equal("FALSE", LinqFilterTranslator.ToSql<Measured>(x => x.Count == 3.5, schema));
        var notANumber = double.NaN; // C# compares with NaN as IEEE does: != is always true
        Assert.Equal("TRUE", LinqFilterTranslator.ToSql<Measured>(x => x.Count != notANumber, schema));
        Assert.Equal("TRUE", LinqFilterTranslator.ToSql<Measured>(x => x.Id < 1e30, schema));
        Assert.Equal("FALSE", LinqFilterTranslator.ToSql<Measured>(x => x.Count > 3e9, schema));
        Assert.Equal("(count > 2147483646)", LinqFilterTranslator.ToSql<Measured>(x => x.Count >= 2147483647.0, schema));

        var narrowing = Assert.Throws<NotSupportedException>(() => LinqFilterTranslator.ToSql<Measured>(x => (int)x.Value == 0, schema));
        var decimals = Assert.Throws<NotSupportedException>(() => LinqFilterTranslator.ToSql<Measured>(x => (decimal)x.Id / x.Count > 1.5m, schema));
        Assert.Contains("a cast from System.Double to System.Int32", narrowing.Message, StringComparison.Ordinal);
        Assert.Contains("integer arithmetic", decimals.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dates_and_enums_become_typed_literals()
    {
        var schema = Batch().Schema;

        Assert.Equal("((day > date '2024-01-01') AND (level = 'High'))", LinqFilterTranslator.ToSql<Event>(x => x.Day > new DateOnly(2024, 1, 1) && x.Level == Level.High, schema));
        Assert.Equal("(rank = 2)", LinqFilterTranslator.ToSql<Event>(x => x.Rank == Level.High, schema));
        Assert.Equal("(at < timestamp '2024-01-01 12:00:00')", LinqFilterTranslator.ToSql<Event>(x => x.At < Noon, schema));
        Assert.Equal("((meta.name IS NOT NULL) AND (meta.name = 'ann'))", LinqFilterTranslator.ToSql<Event>(x => x.Meta!.Name == "ann", schema));
    }
}
