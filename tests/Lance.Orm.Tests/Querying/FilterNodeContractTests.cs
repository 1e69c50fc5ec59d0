using Apache.Arrow;
using Lance.Engine;
using Lance.Engine.Query;

namespace Lance.Orm.Tests.Querying;

/// <summary>The engine's public filter tree, which the LINQ translator builds, used directly on a dataset.</summary>
public sealed class FilterNodeContractTests : IDisposable
{
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    private async Task<LanceDataset> DatasetAsync()
    {
        var db = await _db.ConnectAsync();
        await db.CreateTableAsync<Item>("items", Item.Sample(100));
        return await LanceDataset.OpenAsync(Path.Combine(_db.Path, "items.lance"));
    }

    private static readonly FilterNode ActiveRedOrLowRank = FilterNode.Or(
        FilterNode.And(new FilterColumn("active"), new FilterComparison(ComparisonOperator.Equal, new FilterColumn("cat"), new FilterLiteral("red"))),
        new FilterComparison(ComparisonOperator.Less, new FilterColumn("rank"), new FilterLiteral(3)));

    [Fact]
    public async Task A_tree_counts_the_rows_its_sql_counts()
    {
        var dataset = await DatasetAsync();

        Assert.Equal(await dataset.CountRowsAsync(ActiveRedOrLowRank.ToSql()), await dataset.CountRowsAsync(ActiveRedOrLowRank, CancellationToken.None));
        Assert.Equal(Item.Sample(100).Count(x => (x.Active && x.Category == "red") || x.Rank < 3), await dataset.CountRowsAsync(ActiveRedOrLowRank, CancellationToken.None));
    }

    [Fact]
    public void A_tree_reads_as_sql_lancedb_accepts()
    {
        var tree = new FilterLogical(LogicalOperator.And,
            new FilterIn(new FilterColumn("cat"), [new FilterLiteral("red"), new FilterLiteral("blue")]),
            new FilterNot(new FilterIsNull(new FilterArithmetic(ArithmeticOperator.Multiply, new FilterColumn("rank"), new FilterLiteral(2.5f)))));

        Assert.Equal("((cat IN ('red', 'blue')) AND NOT (((rank * 2.5) IS NULL)))", tree.ToSql());
    }

    [Fact]
    public async Task A_scan_with_a_tree_returns_the_rows_that_pass()
    {
        var dataset = await DatasetAsync();
        var tree = new FilterLike(new FilterColumn("name"), "Alpha\\_1%");

        var ids = new List<long>();
        await foreach (var batch in dataset.ScanAsync(new ScanRequest { Columns = ["id"], FilterTree = tree }))
        {
            ids.AddRange(((Int64Array)batch.Column(0)).Values.ToArray());
        }

        Assert.Equal(Item.Sample(100).Where(x => x.Name.StartsWith("Alpha_1", StringComparison.Ordinal)).Select(x => x.Id), ids);
    }

    [Fact]
    public async Task A_sql_part_combines_with_a_tree_and_names_the_dataset_when_it_is_wrong()
    {
        var dataset = await DatasetAsync();
        var combined = FilterNode.And(new FilterSql("score > 10"), new FilterIsNull(new FilterColumn("note"), Negated: true));

        Assert.Equal(Item.Sample(100).Count(x => x.Score > 10 && x.Note is not null), await dataset.CountRowsAsync(combined, CancellationToken.None));
        var ex = await Assert.ThrowsAsync<LanceFilterException>(() => dataset.CountRowsAsync(FilterNode.And(new FilterSql("no_such > 1"), combined), CancellationToken.None));
        Assert.Contains("items.lance", ex.Message);
    }

    [Fact]
    public async Task Delete_and_update_take_a_tree()
    {
        var dataset = await DatasetAsync();
        var lowRank = new FilterComparison(ComparisonOperator.LessOrEqual, new FilterColumn("rank"), new FilterLiteral(1));

        var deleted = await dataset.DeleteAsync(lowRank);
        var updated = await dataset.UpdateAsync(
            new FilterComparison(ComparisonOperator.Equal, new FilterColumn("id"), new FilterLiteral(5)),
            new Dictionary<string, Func<RecordBatch, IArrowArray>> { ["score"] = new FilterArithmetic(ArithmeticOperator.Add, new FilterColumn("score"), new FilterLiteral(100)).CompileValue(dataset.Schema, dataset.Schema.GetFieldByName("score"), "items") },
            CancellationToken.None);

        Assert.Equal(Item.Sample(100).Count(x => x.Rank <= 1), deleted);
        Assert.Equal(1, updated);
        Assert.Equal(1, await dataset.CountRowsAsync("score = 101.25"));
    }

    [Fact]
    public void A_literal_of_a_type_filters_cannot_hold_is_refused_naming_it()
    {
        var ex = Assert.Throws<ArgumentException>(() => new FilterLiteral(new Uri("http://x/")).ToSql());

        Assert.Contains("Uri", ex.Message);
    }
}
