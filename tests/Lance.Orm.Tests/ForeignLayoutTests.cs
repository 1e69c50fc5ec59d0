using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;

namespace Lance.Orm.Tests;

public partial record Shelved : ILanceModel
{
    public long Id { get; init; }
    public List<int> Tags { get; init; } = [];
}

/// <summary>A model's list members over a table whose lists (and their strings) use 64-bit offsets.</summary>
public sealed class ForeignLayoutTests : IDisposable
{
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Large_lists_of_large_strings_read_into_list_members_and_writes_keep_the_large_layout()
    {
        var tagsType = new LargeListType(new Field("item", LargeStringType.Default, true));
        var schema = new Schema([new Field("id", Int64Type.Default, false), new Field("tags", tagsType, true)], null);
        var dataset = await LanceDataset.CreateAsync(Path.Combine(_db.Path, "shelves.lance"), schema);
        var tags = new LargeListArray.Builder(LargeStringType.Default);
        var items = (LargeStringArray.Builder)tags.ValueBuilder;
        tags.Append(); items.Append("a").AppendNull().Append("ccc");
        tags.Append();
        tags.Append(); items.Append("é");
        await dataset.AppendAsync([new RecordBatch(schema, [new Int64Array.Builder().AppendRange([1, 2, 3]).Build(), tags.Build()], 3)]);

        await using var db = await _db.ConnectAsync();
        var table = await db.OpenTableAsync<ShelvedTags>("shelves");
        var read = (await table.Query().ToListAsync()).OrderBy(r => r.Id).ToList();
        Assert.Equal([["a", null, "ccc"], [], ["é"]], read.Select(r => r.Tags));
        Assert.Equal([1L, 3L], (await table.Query().Where(x => x.Tags.Contains("é") || x.Tags.Count == 3).Select(x => x.Id).ToListAsync()).Order());

        await table.AddAsync([new ShelvedTags { Id = 4, Tags = ["x", "y"] }]);
        await table.UpdateAsync(x => x.Id == 2, x => new ShelvedTags { Tags = new List<string?> { "set" } });
        var reopened = await LanceDataset.OpenAsync(Path.Combine(_db.Path, "shelves.lance"));
        Assert.IsType<LargeListType>(reopened.Schema.GetFieldByName("tags").DataType);
        Assert.Equal([["a", null, "ccc"], ["set"], ["é"], ["x", "y"]], (await table.Query().ToListAsync()).OrderBy(r => r.Id).Select(r => r.Tags));

        // A list of another item type is still refused, naming the column.
        var ex = await Assert.ThrowsAsync<LanceSchemaException>(() => db.OpenTableAsync<Shelved>("shelves"));
        Assert.Contains("'tags'", ex.Message, StringComparison.Ordinal);
    }
}

public partial record ShelvedTags : ILanceModel
{
    public long Id { get; init; }
    public List<string?> Tags { get; init; } = [];
}
