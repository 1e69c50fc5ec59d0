using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using Lance.Engine;
using Lance.Interop.Tests.FilterFuzz;
using Lance.Orm;

namespace Lance.Interop.Tests;

/// <summary>A row with a nullable enum stored by name (a dictionary column) and one stored as its number.</summary>
public partial record NullableEnumRow : ILanceModel
{
    public long Id { get; init; }

    public FuzzColor? Color { get; init; }

    [Column(AsInteger = true)] public FuzzColor? Shade { get; init; }
}

/// <summary>
/// Nullable dictionary (enum) columns keep their nulls through plain adds in every file format, in
/// both directions: rows we add read back null in LanceDB where they were null, and rows LanceDB
/// writes read back null in our engine, before and after our own add to its table.
/// </summary>
public sealed class DictionaryNullsInLanceDbTests : IDisposable
{
    private static readonly DictionaryType Tag = new(Int32Type.Default, StringType.Default, false);

    private readonly TempCopy _db = TempCopy.Empty();

    public void Dispose() => _db.Dispose();

    public static TheoryData<string> StorageVersions() => ["2.0", "2.1", "2.2"];

    [Theory]
    [MemberData(nameof(StorageVersions))]
    public async Task Null_enums_we_add_to_a_table_read_as_null_in_LanceDB(string storageVersion)
    {
        var db = await LanceDb.ConnectAsync(_db.Path, new DatabaseOptions { DataStorageVersion = storageVersion });
        var table = await db.CreateTableAsync<NullableEnumRow>("rows", Rows(0, 30));
        await table.AddAsync(Rows(30, 30));
        await table.AddAsync([new NullableEnumRow { Id = 60 }]);

        var scan = await LanceDbPeer.Default.ScanAsync(_db.Path, "rows");
        var expected = Rows(0, 60).Append(new NullableEnumRow { Id = 60 }).ToDictionary(r => r.Id);
        Assert.Equal(expected.Count, scan.Rows.Count);
        foreach (var row in scan.Rows)
        {
            var want = expected[row.GetInt64("id")];
            Assert.Equal(want.Color?.ToString(), row.GetString("color"));
            Assert.Equal(want.Shade is { } shade ? (long?)shade : null, row.IsNull("shade") ? null : (long?)row.GetInt64("shade"));
        }

        Assert.Equal(expected.Values.Count(r => r.Color is null), await LanceDbPeer.Default.CountAsync(_db.Path, "rows", "color IS NULL"));
        Assert.Equal(expected.Values.Count(r => r.Color == FuzzColor.Green), await LanceDbPeer.Default.CountAsync(_db.Path, "rows", "color = 'Green'"));
        var ours = await table.Query().ToListAsync();
        Assert.Equal(expected.Values.OrderBy(r => r.Id), ours.OrderBy(r => r.Id));
    }

    [Theory]
    [MemberData(nameof(StorageVersions))]
    public async Task Null_dictionary_values_LanceDB_writes_read_as_null_in_our_engine_and_after_our_add(string storageVersion)
    {
        var ipc = Path.Combine(_db.Path, "rows.arrow");
        await WriteIpcAsync(ipc, Batch(0, 40));
        await LanceDbPeer.Default.CreateTableAsync(_db.Path, "tags", ipc, storageVersion: storageVersion);
        var dataset = await LanceDataset.OpenAsync(Path.Combine(_db.Path, "tags.lance"));
        Assert.Equal(TagsOf(Batch(0, 40)), await ReadTagsAsync(dataset));

        await dataset.AppendAsync([Batch(40, 40)]);

        var expected = TagsOf(Batch(0, 40)).Concat(TagsOf(Batch(40, 40))).ToDictionary();
        Assert.Equal(expected, await ReadTagsAsync(dataset));
        var scan = await LanceDbPeer.Default.ScanAsync(_db.Path, "tags");
        Assert.Equal(expected, scan.Rows.ToDictionary(r => r.GetInt64("id"), r => r.GetString("tag")));
        Assert.Equal(expected.Values.Count(v => v is null), await LanceDbPeer.Default.CountAsync(_db.Path, "tags", "tag IS NULL"));
        Assert.Equal(expected.Values.Count(v => v is null), await dataset.CountRowsAsync("tag IS NULL"));
    }

    private static List<NullableEnumRow> Rows(int start, int count) => [.. Enumerable.Range(start, count).Select(i => new NullableEnumRow
    {
        Id = i,
        Color = i % 3 == 0 ? null : (FuzzColor)(i % 3),
        Shade = i % 4 == 1 ? null : (FuzzColor)(i % 3),
    })];

    // Every third row's tag is null; the others cycle through three values.
    private static RecordBatch Batch(int start, int count)
    {
        var ids = new Int64Array.Builder();
        var keys = new Int32Array.Builder();
        for (var i = start; i < start + count; i++)
        {
            ids.Append(i);
            if (i % 3 == 0) keys.AppendNull(); else keys.Append(i % 3);
        }

        var values = new StringArray.Builder().Append("red").Append("green").Append("blue").Build();
        var schema = new Schema([new Field("id", Int64Type.Default, false), new Field("tag", Tag, true)], null);
        return new RecordBatch(schema, [ids.Build(), new DictionaryArray(Tag, keys.Build(), values)], count);
    }

    private static Dictionary<long, string?> TagsOf(RecordBatch batch)
    {
        var ids = (Int64Array)batch.Column(0);
        var tags = (DictionaryArray)batch.Column(1);
        return Enumerable.Range(0, batch.Length).ToDictionary(
            i => ids.GetValue(i)!.Value,
            i => tags.IsNull(i) ? null : ((StringArray)tags.Dictionary).GetString(((Int32Array)tags.Indices).GetValue(i)!.Value));
    }

    private static async Task<Dictionary<long, string?>> ReadTagsAsync(LanceDataset dataset)
    {
        var result = new Dictionary<long, string?>();
        await foreach (var batch in dataset.ScanAsync(new ScanRequest { Columns = ["id", "tag"] }))
        {
            var ids = (Int64Array)batch.Column(0);
            var tags = (DictionaryArray)batch.Column(1);
            var values = (StringArray)tags.Dictionary;
            for (var i = 0; i < batch.Length; i++)
            {
                // A null row may have a null key or a key pointing at a null value: either is null.
                var key = tags.IsNull(i) ? null : (long?)KeyAt(tags.Indices, i);
                result[ids.GetValue(i)!.Value] = key is { } k && !values.IsNull((int)k) ? values.GetString((int)k) : null;
            }
        }

        return result;
    }

    private static long KeyAt(IArrowArray keys, int i) => keys switch
    {
        Int8Array a => a.GetValue(i)!.Value,
        Int16Array a => a.GetValue(i)!.Value,
        Int32Array a => a.GetValue(i)!.Value,
        Int64Array a => a.GetValue(i)!.Value,
        UInt8Array a => a.GetValue(i)!.Value,
        UInt16Array a => a.GetValue(i)!.Value,
        UInt32Array a => a.GetValue(i)!.Value,
        _ => (long)((UInt64Array)keys).GetValue(i)!.Value,
    };

    private static async Task WriteIpcAsync(string path, RecordBatch batch)
    {
        await using var stream = File.Create(path);
        using var writer = new ArrowFileWriter(stream, batch.Schema);
        await writer.WriteRecordBatchAsync(batch);
        await writer.WriteEndAsync();
    }
}
