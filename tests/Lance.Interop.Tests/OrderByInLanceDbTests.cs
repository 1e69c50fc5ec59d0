using System.Text.Json;
using Lance.Orm;

namespace Lance.Interop.Tests;

public partial record Ranked : ILanceModel
{
    [Key] public long Id { get; init; }
    public double? Price { get; init; }
    public string Name { get; init; } = "";
    public int Rank { get; init; }
    public DateTime Seen { get; init; }
}

/// <summary>A plain query's OrderBy sorts as LanceDB's orderBy does (on a table we wrote), nulls and paging included.</summary>
public sealed class OrderByInLanceDbTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "lance-order-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_path, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Our_order_is_LanceDBs_order()
    {
        var db = await LanceDb.ConnectAsync(_path, new DatabaseOptions { MaxRowsPerFile = 40 });
        var rows = Enumerable.Range(0, 150).Select(i => new Ranked
        {
            Id = i,
            Price = i % 6 == 0 ? null : ((i * 37) % 23) - 11.5,
            Name = i % 5 == 0 ? "Zed" : i % 7 == 0 ? "ápple" : $"item {(i * 13) % 50}",
            Rank = i % 4,
            Seen = new DateTime(2024, 1, 1).AddHours((i * 29) % 100),
        });
        var table = await db.CreateTableAsync("ranked", rows);

        async Task Same(LanceQuery<Ranked> ours, object orderBy, string? filter = null, int? offset = null, int? limit = null)
        {
            using var theirs = await LanceDbPeer.Default.RunAsync("order.mjs", new { db = _path, table = "ranked", orderBy, filter, offset, limit });
            var expected = theirs.RootElement.GetProperty("keys").EnumerateArray().Select(e => e.GetInt64()).ToList();
            var actual = (await ours.ToListAsync()).Select(r => r.Id).ToList();
            Assert.True(expected.SequenceEqual(actual), $"{JsonSerializer.Serialize(orderBy)}\nLanceDB: {string.Join(",", expected)}\nours:    {string.Join(",", actual)}");
        }

        object Key(string column, bool ascending = true, bool nullsFirst = false) => new { columnName = column, ascending, nullsFirst };

        await Same(table.Query().OrderBy(x => x.Price).ThenBy(x => x.Id), new[] { Key("price"), Key("id") });
        await Same(table.Query().OrderByDescending(x => x.Price).ThenBy(x => x.Id), new[] { Key("price", false), Key("id") });
        await Same(table.Query().OrderBy(x => x.Price, nullsFirst: true).ThenByDescending(x => x.Id), new[] { Key("price", true, true), Key("id", false) });
        await Same(table.Query().OrderByDescending(x => x.Price, nullsFirst: true).ThenBy(x => x.Id), new[] { Key("price", false, true), Key("id") });
        await Same(table.Query().OrderBy(x => x.Name).ThenByDescending(x => x.Id), new[] { Key("name"), Key("id", false) });
        await Same(table.Query().OrderByDescending(x => x.Seen).ThenBy(x => x.Id), new[] { Key("seen", false), Key("id") });
        await Same(table.Query().Where(x => x.Rank != 2).OrderBy(x => x.Rank).ThenByDescending(x => x.Price).ThenBy(x => x.Id).Offset(7).Limit(20),
            new[] { Key("rank"), Key("price", false), Key("id") }, filter: "rank != 2", offset: 7, limit: 20);
    }
}
