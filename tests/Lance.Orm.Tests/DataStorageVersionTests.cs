using System.Buffers.Binary;

namespace Lance.Orm.Tests;

public sealed class DataStorageVersionTests : IDisposable
{
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    private static IEnumerable<Point> Points(int start, int count)
        => Enumerable.Range(start, count).Select(i => new Point { Id = i, Vector = [i, 0, 0, 1], Label = $"p{i}" });

    // The (major, minor) version in the footer of every data file of the table.
    private List<(int Major, int Minor)> FileVersions(string table) =>
        Directory.GetFiles(Path.Combine(_db.Path, table + ".lance", "data"), "*.lance").Select(file =>
        {
            var bytes = File.ReadAllBytes(file);
            return ((int)BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(bytes.Length - 8)), (int)BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(bytes.Length - 6)));
        }).ToList();

    [Fact]
    public async Task A_connection_asking_for_2_2_creates_2_2_tables_that_stay_2_2_when_added_to()
    {
        var db = await LanceDb.ConnectAsync(_db.Path, new DatabaseOptions { DataStorageVersion = "2.2" });
        var points = await db.CreateTableAsync("points", Points(0, 10));
        await points.AddAsync(Points(10, 5));

        Assert.Equal([(2, 2), (2, 2)], FileVersions("points"));
        Assert.Equal(15, await points.CountRowsAsync());
    }

    [Fact]
    public async Task Tables_are_2_1_by_default()
    {
        var db = await _db.ConnectAsync();
        await db.CreateTableAsync("points", Points(0, 10));

        Assert.Equal([(2, 1)], FileVersions("points"));
    }
}
