using Lance.Engine;

namespace Lance.Orm.Tests;

public sealed class ScalarIndexTests : IDisposable
{
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    private async Task<(Database Db, Table<Point> Points)> PointsAsync()
    {
        var db = await _db.ConnectAsync();
        var random = new Random(3);
        var rows = Enumerable.Range(0, 500).Select(i => new Point
        {
            Id = i,
            Vector = [.. Enumerable.Range(0, 4).Select(_ => (float)random.NextDouble())],
            Label = i % 9 == 0 ? null : $"l{i % 6}",
        }).ToList();
        return (db, await db.CreateTableAsync("points", rows));
    }

    [Fact]
    public async Task Typed_and_named_scalar_indexes_answer_typed_queries_and_the_plan_names_them()
    {
        var (_, points) = await PointsAsync();

        var id = await points.CreateScalarIndexAsync(x => x.Id, ScalarIndexConfig.BTree());
        var label = await points.CreateScalarIndexAsync("label", ScalarIndexConfig.Bitmap() with { Name = "labels" });
        var found = await points.Query().Where(x => x.Id < 100 && x.Label == "l2").ToListAsync();
        var plan = await points.Query().Where(x => x.Id < 100 && x.Label == "l2").ExplainPlanAsync();
        var search = await points.Search(new float[] { 0.5f, 0.5f, 0.5f, 0.5f }).Where("label = 'l3'").Limit(5).ExplainPlanAsync();

        Assert.Equal(("id_idx", ScalarIndexKind.BTree, 500L), (id.Name, id.Kind, id.IndexedRows));
        Assert.Equal(("labels", 6L), (label.Name, label.DistinctValues));
        Assert.Equal(Enumerable.Range(0, 100).Where(i => i % 9 != 0 && i % 6 == 2).Select(i => (long)i), found.Select(p => p.Id).Order());
        Assert.Equal(["id_idx", "labels"], plan.ScalarIndexes.Order());
        Assert.Equal(plan.Fragments, plan.FragmentsFromIndex);
        Assert.Equal(("VectorSearch", FilterPlacement.Prefilter), (search.Operation, search.Placement));
        Assert.Contains("@labels(Bitmap)", search.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_untyped_query_explains_a_scan_without_an_index()
    {
        var (db, _) = await PointsAsync();
        var table = await db.OpenTableAsync("points");

        var plan = await table.Query().Where("id > 10").ExplainPlanAsync();

        Assert.Null(plan.ScalarIndexQuery);
        Assert.Equal(500, plan.RowsScanned);
        Assert.Contains("no scalar index applies", plan.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_label_list_index_on_a_non_list_column_is_refused()
    {
        var (_, points) = await PointsAsync();

        var error = await Assert.ThrowsAsync<LanceIndexException>(() => points.CreateScalarIndexAsync(x => x.Label, ScalarIndexConfig.LabelList()));

        Assert.Contains("'label'", error.Message, StringComparison.Ordinal);
    }
}
