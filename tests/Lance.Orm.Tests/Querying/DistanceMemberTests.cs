namespace Lance.Orm.Tests.Querying;

public sealed class DistanceMemberTests : IDisposable
{
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    private static IEnumerable<Scored> Rows() => Enumerable.Range(0, 5).Select(i => new Scored { Id = i, Vector = [i, 0] });

    [Fact]
    public async Task A_distance_member_is_not_a_column()
    {
        Assert.Equal(["id", "vector"], Scored.ArrowSchema.FieldsList.Select(f => f.Name));
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync<Scored>("scored", Rows());

        Assert.Equal(["id", "vector"], table.Schema.FieldsList.Select(f => f.Name));
    }

    [Fact]
    public async Task Search_results_fill_the_distance_member()
    {
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync<Scored>("scored", Rows());

        var hits = await table.Search([2f, 0f]).Limit(3).ToListAsync();

        Assert.Equal([(2L, 0f), (1L, 1f), (3L, 1f)], hits.Select(h => (h.Id, h.Distance)));
    }

    [Fact]
    public async Task A_plain_query_leaves_the_distance_member_at_its_default()
    {
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync<Scored>("scored", Rows());

        var rows = await table.Query().Where(x => x.Id < 2).ToListAsync();

        Assert.All(rows, r => Assert.Equal(-1f, r.Distance));
    }

    [Fact]
    public async Task A_nullable_double_distance_member_is_filled_too()
    {
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync<ScoredDouble>("scored", Enumerable.Range(0, 3).Select(i => new ScoredDouble { Id = i, Vector = [i, i] }));

        var hit = await table.Search([0f, 0f]).FirstOrDefaultAsync();
        var plain = await table.Query().FirstOrDefaultAsync();

        Assert.Equal(0d, hit!.Score);
        Assert.Null(plain!.Score);
    }
}
