using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// The conformance table: each SQL filter is run by our engine and by LanceDB (Node) over the same
/// dataset (written by our engine, every type it writes, with nulls), as a scan, a count, a
/// prefiltered and a postfiltered exact search; the rows must be the same, and a filter LanceDB
/// rejects must be rejected by us too.
/// </summary>
public sealed class FilterConformanceTests : IClassFixture<FilterConformanceTests.Conformance>
{
    public static readonly string[] Filters =
    [
        // comparisons, every column type
        "id = 5", "id != 5", "id <> 5", "id < 10", "id <= 10", "id > 190", "id >= 190", "5 > id",
        "i8 = -3", "i8 > 0", "i16 < -100", "i32 >= 50", "i64 > 0", "i64 < -4000000000",
        "u8 > 200", "u16 <= 100", "u32 > 100000", "u64 > 1000000",
        "f32 = 0.5", "f32 > 2", "f32 < -1.5", "f64 > 5.5", "f64 <= -3",
        "s = 'apple'", "s != 'apple'", "s > 'b'", "s < 'a'", "s = 'it''s'", "ls = 'banana_split4'", "tag = 'red'",
        "b", "NOT b", "b = true", "b = false", "b IS TRUE", "b IS NOT TRUE", "b IS FALSE", "b IS NOT FALSE",
        "i32 = i16", "i8 < i16", "f32 > f64",

        // logic and nulls
        "i32 > 0 AND b", "i32 > 0 OR b", "NOT (i32 > 0)", "NOT (i32 > 0 AND f32 > 0)", "(i8 > 0 OR i16 > 0) AND NOT b",
        "i32 IS NULL OR i8 IS NULL", "i32 IS NULL", "i32 IS NOT NULL", "s IS NULL", "vec IS NULL", "vec IS NOT NULL",
        "bin IS NULL", "bin IS NOT NULL", "i32 = NULL", "NOT (i32 = NULL)", "TRUE", "FALSE", "1 = 1", "i32 = i32",

        // IN and BETWEEN
        "i8 IN (1, 2, 3, -3)", "i8 NOT IN (1, 2, 3)", "i8 IN (1, NULL)", "i8 NOT IN (1, NULL)", "s IN ('apple', 'a_b')",
        "tag NOT IN ('red')", "f32 IN (0.5, -1.5)", "id IN (1, 2, 3)", "i32 IN (i16, i8)",
        "i32 BETWEEN -10 AND 10", "i32 NOT BETWEEN -10 AND 10", "f64 BETWEEN 0 AND 5", "s BETWEEN 'a' AND 'c'",

        // LIKE
        "s LIKE 'app%'", "s LIKE '%pie%'", "s LIKE 'a\\_b%'", "s LIKE 'a_b%'", "s LIKE '%\\%%'", "s LIKE 'A%'",
        "s NOT LIKE '%a%'", "s LIKE '_pple%'", "s LIKE '%é%'", "s LIKE 'it''s%'", "s ILIKE 'APPLE%'", "s LIKE '%'",
        "ls LIKE 'ban%'", "s LIKE '_本%'", "s LIKE 'back\\\\%'", "s LIKE ''",

        // arithmetic
        "i32 + 10 > 50", "i32 - i8 = 0", "i32 * 2 < -150", "i32 / 7 = 3", "i32 % 7 = -3", "i32 / 2 = -5", "-i32 > 90",
        "f32 * 2 = 1", "f64 / 2 > 1", "i32 + f32 > 10", "i32 * 1000000000 > 0", "i64 / 1000000007 = 2", "(i16 - 1) * 2 > 100",
        "id % 3 = 0 AND id % 5 = 0",

        // CAST
        "CAST(i32 AS double) > 50.5", "CAST(f32 AS int) = 2", "CAST(i32 AS string) = '-5'", "CAST(f64 AS bigint) = 3",
        "CAST(u8 AS int) > 100", "CAST(i8 AS bigint unsigned) = 7", "CAST(tag AS string) = 'red'",

        // functions
        "lower(s) = 'apple pie'", "upper(s) LIKE 'APPLE%'", "length(s) = 5", "char_length(s) > 8", "character_length(s) = 3",
        "octet_length(s) > 10", "starts_with(s, 'ban')", "ends_with(s, 'pie')", "contains(s, 'y%')", "abs(i32) < 5",
        "s || 'x' = 'applex'", "lower(tag) = 'blue'",

        // quoted names, double-quoted strings
        "`id` < 3", "`i32` > 95", "s = \"apple\"",

        // errors LanceDB raises too
        "id = 'x'", "nope = 3", "i32 = 7.5", "i32 > ", "s = 1", "b = 1", "i8 = 300", "i32 IN (1.5)", "(i32 > 1",
    ];

    private readonly Conformance _fixture;

    public FilterConformanceTests(Conformance fixture) => _fixture = fixture;

    public static TheoryData<string> FilterCases() => [.. Filters];

    /// <summary>The dataset and LanceDB's answers for every filter, computed once.</summary>
    public sealed class Conformance : IAsyncLifetime, IDisposable
    {
        private readonly TempCopy _ours = TempCopy.Empty();

        public LanceDataset Dataset { get; private set; } = null!;

        public float[] Vector { get; } = [0.3f, -0.2f, 0.7f, 0.1f];

        public Dictionary<string, JsonElement> Peer { get; } = [];

        public async Task InitializeAsync()
        {
            var batch = ConformanceData.Batch(200);
            Dataset = await LanceDataset.CreateAsync(Path.Combine(_ours.Path, "conf.lance"), batch.Schema, [batch.Slice(0, 120), batch.Slice(120, 80)],
                options: new DatasetWriteOptions { MaxRowsPerFile = 120 });
            using var copy = TempCopy.Of(_ours.Path);
            using var doc = await LanceDbPeer.Default.RunAsync("filter-conformance", new { db = copy.Path, table = "conf", filters = Filters, vector = Vector, k = 10 });
            foreach (var result in doc.RootElement.GetProperty("results").EnumerateArray())
            {
                Peer[result.GetProperty("filter").GetString()!] = result.Clone();
            }
        }

        public Task DisposeAsync() => Task.CompletedTask;

        public void Dispose() => _ours.Dispose();
    }

    [Fact]
    public void The_table_covers_at_least_60_filters_that_LanceDB_accepts()
    {
        Assert.True(_fixture.Peer.Values.Count(r => !r.GetProperty("scan").TryGetProperty("error", out _)) >= 60);
    }

    [Theory]
    [MemberData(nameof(FilterCases))]
    public async Task Scan_returns_the_rows_LanceDB_returns(string filter)
    {
        var peer = _fixture.Peer[filter].GetProperty("scan");
        var ours = await Capture(async () =>
        {
            var ids = new List<string>();
            await foreach (var batch in _fixture.Dataset.ScanAsync(new ScanRequest { Filter = filter, Columns = ["id"] }))
            {
                ids.AddRange(Ids(batch));
            }

            return ids;
        });

        AssertSame(filter, peer, ours, ordered: false);
    }

    [Theory]
    [MemberData(nameof(FilterCases))]
    public async Task Count_equals_LanceDBs(string filter)
    {
        var peer = _fixture.Peer[filter].GetProperty("count");
        var ours = await Capture(async () => (await _fixture.Dataset.CountRowsAsync(filter)).ToString(System.Globalization.CultureInfo.InvariantCulture));

        if (peer.TryGetProperty("error", out var error))
        {
            Assert.True(ours.Error is not null, $"LanceDB rejects '{filter}' ({error.GetString()}) but we counted {ours.Value}.");
            return;
        }

        Assert.Null(ours.Error);
        Assert.Equal(peer.GetProperty("count").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), ours.Value);
    }

    [Theory]
    [MemberData(nameof(FilterCases))]
    public async Task Prefiltered_search_returns_LanceDBs_nearest_rows(string filter)
    {
        var peer = _fixture.Peer[filter].GetProperty("pre");
        var ours = await Capture(async () => Ids(await _fixture.Dataset.SearchAsync(
            new VectorSearchRequest("vec", _fixture.Vector, 10) { Filter = filter, Columns = ["id"] })).ToList());

        AssertSame(filter, peer, ours, ordered: true);
    }

    [Theory]
    [MemberData(nameof(FilterCases))]
    public async Task Postfiltered_search_returns_LanceDBs_rows(string filter)
    {
        var peer = _fixture.Peer[filter].GetProperty("post");
        var ours = await Capture(async () => Ids(await _fixture.Dataset.SearchAsync(
            new VectorSearchRequest("vec", _fixture.Vector, 10) { Filter = filter, Columns = ["id"], Prefilter = false })).ToList());

        AssertSame(filter, peer, ours, ordered: true);
    }

    [Fact]
    public void Prefilter_and_postfilter_differ_on_a_selective_filter_exactly_as_in_LanceDB()
    {
        const string Filter = "id % 3 = 0 AND id % 5 = 0";
        var pre = _fixture.Peer[Filter].GetProperty("pre").GetProperty("ids").GetArrayLength();
        var post = _fixture.Peer[Filter].GetProperty("post").GetProperty("ids").GetArrayLength();

        // LanceDB: prefilter fills k from the passing rows; postfilter filters the k nearest.
        // (The two theories above check our rows for this filter equal LanceDB's in both modes.)
        Assert.Equal(10, pre);
        Assert.True(post < pre, $"postfilter returned {post} rows");
    }

    private static async Task<(T? Value, string? Error)> Capture<T>(Func<Task<T>> run)
    {
        try
        {
            return (await run(), null);
        }
        catch (LanceFilterException ex)
        {
            return (default, ex.Message);
        }
    }

    private static void AssertSame(string filter, JsonElement peer, (List<string>? Value, string? Error) ours, bool ordered)
    {
        if (peer.TryGetProperty("error", out var error))
        {
            Assert.True(ours.Error is not null, $"LanceDB rejects '{filter}' ({error.GetString()}) but we returned {ours.Value?.Count} rows.");
            return;
        }

        Assert.True(ours.Error is null, $"LanceDB accepts '{filter}' but we reject it: {ours.Error}");
        var expected = peer.GetProperty("ids").EnumerateArray().Select(e => e.GetString()!).ToList();
        var actual = ours.Value!;
        if (!ordered)
        {
            expected.Sort(StringComparer.Ordinal);
            actual = [.. actual.Order(StringComparer.Ordinal)];
        }

        Assert.Equal(expected, actual);
    }

    private static IEnumerable<string> Ids(RecordBatch batch)
    {
        var ids = (Int64Array)batch.Column("id");
        return Enumerable.Range(0, batch.Length).Select(i => ids.GetValue(i)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>Rows with every type our engine writes, nulls on different rows for each column.</summary>
public static class ConformanceData
{
    private static readonly string[] Words = ["apple", "Apple pie", "banana_split", "cherry%", "it's", "naïve café", "", "a_b", "A%B", "back\\slash", "日本語", "yummy"];

    public static RecordBatch Batch(int rows)
    {
        var random = new Random(2024);
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
        var b = new BooleanArray.Builder();
        var s = new StringArray.Builder();
        var ls = new StringArray.Builder();
        var bin = new BinaryArray.Builder();
        var tag = new StringArray.Builder();
        var vec = new FixedSizeListArray.Builder(FloatType.Default, 4);
        var vecValues = (FloatArray.Builder)vec.ValueBuilder;
        for (var r = 0; r < rows; r++)
        {
            id.Append(r);
            if (r % 9 == 0) i8.AppendNull(); else i8.Append((sbyte)((r % 50) - 25));
            if (r % 8 == 0) i16.AppendNull(); else i16.Append((short)((r * 37 % 1000) - 500));
            if (r % 7 == 0) i32.AppendNull(); else i32.Append((r * 13 % 200) - 100);
            if (r % 6 == 0) i64.AppendNull(); else i64.Append((r * 1_000_000_007L % 10_000_000_000L) - 5_000_000_000L);
            if (r % 5 == 0) u8.AppendNull(); else u8.Append((byte)(r * 7 % 256));
            if (r % 4 == 0) u16.AppendNull(); else u16.Append((ushort)(r * 331 % 65536));
            if (r % 3 == 0) u32.AppendNull(); else u32.Append((uint)(r * 2_654_435_761L % 4_294_967_296L));
            if (r % 10 == 1) u64.AppendNull(); else u64.Append((ulong)r * 123_456_789UL);
            if (r % 11 == 0) f32.AppendNull(); else f32.Append(((r % 23) - 11) * 0.5f);
            if (r % 10 == 0) f64.AppendNull(); else f64.Append((r * 0.1) - 7);
            if (r % 4 == 0) b.AppendNull(); else b.Append(r % 3 == 0);
            var word = Words[r % Words.Length] + (r % 3 == 0 ? "" : r.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (r % 12 == 5) s.AppendNull(); else s.Append(word);
            if (r % 13 == 0) ls.AppendNull(); else ls.Append(word);
            if (r % 9 == 4) bin.AppendNull(); else bin.Append([(byte)r, 1, 2]);
            tag.Append((r % 3) switch { 0 => "red", 1 => "green", _ => "blue" });
            if (r % 17 == 3)
            {
                vec.AppendNull();
            }
            else
            {
                vec.Append();
                for (var d = 0; d < 4; d++)
                {
                    vecValues.Append((float)((random.NextDouble() * 2) - 1));
                }
            }
        }

        var schema = new Schema(
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
                new Field("b", BooleanType.Default, true),
                new Field("s", StringType.Default, true),
                new Field("ls", StringType.Default, true),
                new Field("bin", BinaryType.Default, true),
                new Field("tag", StringType.Default, false),
                new Field("vec", new FixedSizeListType(new Field("item", FloatType.Default, true), 4), true),
            ],
            null);
        return new RecordBatch(schema,
            [id.Build(), i8.Build(), i16.Build(), i32.Build(), i64.Build(), u8.Build(), u16.Build(), u32.Build(), u64.Build(),
             f32.Build(), f64.Build(), b.Build(), s.Build(), ls.Build(), bin.Build(), tag.Build(), vec.Build()],
            rows);
    }
}
