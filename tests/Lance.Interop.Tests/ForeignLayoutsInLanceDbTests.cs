using System.Globalization;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using Lance.Orm;

namespace Lance.Interop.Tests;

public enum Shelf { Low, Middle, Top }

/// <summary>A model as a newcomer writes it for a table that pandas, polars or JavaScript made.</summary>
public partial record ForeignRow : ILanceModel
{
    public long Id { get; init; }
    public string? Name { get; init; }
    public byte[]? Blob { get; init; }
    public Shelf Shelf { get; init; }
    public DateTime? At { get; init; }
    [Vector(4)] public float[]? Vector { get; init; }
}

/// <summary>
/// Tables LanceDB wrote with the layouts other writers choose: <c>large_utf8</c> and <c>large_binary</c> (pandas' and
/// polars' strings), <c>timestamp[ms]</c> (JavaScript's <c>Date</c>) and an enum stored as plain <c>utf8</c> names.
/// A model with <c>string</c>, <c>byte[]</c>, <c>DateTime</c> and enum members opens them, reads, filters, searches and
/// writes them, and the table keeps its own column types, which LanceDB reads back.
/// </summary>
public sealed class ForeignLayoutsInLanceDbTests : IDisposable
{
    private static readonly TimestampType Millis = new(TimeUnit.Millisecond, (string?)null);
    private static readonly DateTime Epoch = new(2024, 3, 1, 8, 0, 0, DateTimeKind.Unspecified);

    private readonly TempCopy _db = TempCopy.Empty();

    public void Dispose() => _db.Dispose();

    public static TheoryData<string> StorageVersions() => ["legacy", "2.0", "2.1", "2.2"];

    [Theory]
    [MemberData(nameof(StorageVersions))]
    public async Task A_model_reads_and_writes_large_strings_millisecond_timestamps_and_enum_names_that_LanceDB_keeps(string storageVersion)
    {
        // The legacy format keeps no nulls of a timestamp column (LanceDB reads them back as 1970-01-01 too).
        _nullTimes = storageVersion != "legacy";
        var expected = Enumerable.Range(0, 60).Select(Row).ToDictionary(r => r.Id);
        var ipc = Path.Combine(_db.Path, "rows.arrow");
        await WriteIpcAsync(ipc, Batch(expected.Values.ToList()));
        await LanceDbPeer.Default.CreateTableAsync(_db.Path, "items", ipc, storageVersion: storageVersion);

        var db = await LanceDb.ConnectAsync(_db.Path);
        var table = await db.OpenTableAsync<ForeignRow>("items");
        AssertRows(expected, await table.Query().ToListAsync());

        var since = Epoch.AddHours(20);
        System.Linq.Expressions.Expression<Func<ForeignRow, bool>> filter = x => x.Name != null && x.Name.StartsWith("item 1") || (x.Shelf == Shelf.Top && x.At > since);
        var wanted = expected.Values.Where(filter.Compile()).Select(r => r.Id).Order().ToList();
        Assert.True(wanted.Count is > 3 and < 50);
        Assert.Equal(wanted, (await table.Query().Where(filter).Select(x => x.Id).ToListAsync()).Order());
        var nearest = await table.Search(expected[7].Vector!).Limit(1).ToListAsync();
        Assert.Equal(7, Assert.Single(nearest).Id);

        // Writes keep the table's layouts: strings and binaries with 64-bit offsets, milliseconds, names.
        var added = Enumerable.Range(60, 5).Select(Row).ToList();
        await table.AddAsync(added);
        await table.UpdateAsync(x => x.Id == 3, x => new ForeignRow { Name = x.Name + " (renamed)", Shelf = Shelf.Middle, At = Epoch });
        await table.MergeInsertAsync([Row(4) with { Name = "merged", Blob = [9, 9] }, Row(70)], x => x.Id, MergeInsertOptions.Upsert);
        await table.DeleteAsync(x => x.Id == 5);
        foreach (var row in added.Append(Row(70)))
        {
            expected[row.Id] = row;
        }

        expected[3] = expected[3] with { Name = expected[3].Name + " (renamed)", Shelf = Shelf.Middle, At = Epoch };
        expected[4] = Row(4) with { Name = "merged", Blob = [9, 9] };
        expected.Remove(5);
        AssertRows(expected, await table.Query().ToListAsync());

        // A time finer than the column's milliseconds is refused, naming the column, and nothing is written.
        var fine = Assert.Throws<LanceSchemaException>(() => table.AddAsync([Row(80) with { At = Epoch.AddTicks(15) }]).GetAwaiter().GetResult());
        Assert.Contains("'at'", fine.Message, StringComparison.Ordinal);
        Assert.Equal(expected.Count, await table.CountRowsAsync());

        using var copy = TempCopy.Of(_db.Path);
        using var doc = await LanceDbPeer.Default.RunAsync("scan-types", new { db = copy.Path, table = "items" });
        var schema = doc.RootElement.GetProperty("schema").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("type").GetString()!);
        Assert.Equal("LargeUtf8", schema["name"]);
        Assert.Equal("LargeBinary", schema["blob"]);
        Assert.Equal("Utf8", schema["shelf"]);
        Assert.Equal("Timestamp<MILLISECOND>", schema["at"]);
        var theirs = doc.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(expected.Count, theirs.Count);
        foreach (var row in theirs)
        {
            var want = expected[long.Parse(row.GetProperty("id").GetString()!, CultureInfo.InvariantCulture)];
            Assert.Equal(want.Name, row.GetProperty("name").GetString());
            Assert.Equal(want.Blob is null ? null : Convert.ToBase64String(want.Blob), row.GetProperty("blob").GetString());
            Assert.Equal(want.Shelf.ToString(), row.GetProperty("shelf").GetString());
            Assert.Equal(want.At?.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture), row.GetProperty("at").GetString());
        }
    }

    private bool _nullTimes;

    private ForeignRow Row(int i) => new()
    {
        Id = i,
        Name = i % 7 == 3 ? null : $"item {i} {new string('é', i % 4)}",
        Blob = i % 5 == 2 ? null : Encoding.UTF8.GetBytes($"b{i}"),
        Shelf = (Shelf)(i % 3),
        At = i % 6 == 1 && _nullTimes ? null : Epoch.AddMinutes(i * 37).AddMilliseconds(i),
        Vector = [i, i % 5, -i, 1],
    };

    private static void AssertRows(Dictionary<long, ForeignRow> expected, List<ForeignRow> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        foreach (var row in actual)
        {
            var want = expected[row.Id];
            Assert.Equal(want.Name, row.Name);
            Assert.Equal(want.Blob, row.Blob);
            Assert.Equal(want.Shelf, row.Shelf);
            Assert.Equal(want.At, row.At);
            Assert.Equal(want.Vector, row.Vector);
        }
    }

    // The rows in the layouts pandas/polars and JavaScript give LanceDB.
    private static RecordBatch Batch(List<ForeignRow> rows)
    {
        var ids = new Int64Array.Builder();
        var names = new LargeStringArray.Builder();
        var blobs = new LargeBinaryArray.Builder();
        var shelves = new StringArray.Builder();
        var times = new TimestampArray.Builder(Millis);
        var vectorType = new FixedSizeListType(new Field("item", FloatType.Default, true), 4);
        var vectors = new FixedSizeListArray.Builder(FloatType.Default, 4);
        var items = (FloatArray.Builder)vectors.ValueBuilder;
        foreach (var row in rows)
        {
            ids.Append(row.Id);
            if (row.Name is null) names.AppendNull(); else names.Append(row.Name);
            if (row.Blob is null) blobs.AppendNull(); else blobs.Append(row.Blob.AsSpan());
            shelves.Append(row.Shelf.ToString());
            if (row.At is { } at) times.Append(new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc))); else times.AppendNull();
            vectors.Append();
            items.AppendRange(row.Vector!);
        }

        var schema = new Schema(
            [
                new Field("id", Int64Type.Default, false),
                new Field("name", LargeStringType.Default, true),
                new Field("blob", LargeBinaryType.Default, true),
                new Field("shelf", StringType.Default, false),
                new Field("at", Millis, true),
                new Field("vector", vectorType, true),
            ],
            null);
        return new RecordBatch(schema, [ids.Build(), names.Build(), blobs.Build(), shelves.Build(), times.Build(), vectors.Build()], rows.Count);
    }

    private static async Task WriteIpcAsync(string path, RecordBatch batch)
    {
        await using var stream = File.Create(path);
        using var writer = new ArrowFileWriter(stream, batch.Schema);
        await writer.WriteRecordBatchAsync(batch);
        await writer.WriteEndAsync();
    }
}
