using System.Text.Json;

namespace Lance.Interop.Tests;

/// <summary>
/// A table LanceDB (Node) wrote with BTREE, BITMAP and LABEL_LIST indexes on a column of each type,
/// then appended to (an unindexed fragment) and deleted from: made once for the scalar index tests.
/// </summary>
public sealed class ScalarIndexTable : IAsyncLifetime
{
    private readonly TempCopy _db = TempCopy.Empty();

    /// <summary>The database folder.</summary>
    public string Db => _db.Path;

    /// <summary>The table's folder.</summary>
    public string Dataset => Path.Combine(_db.Path, "t.lance");

    /// <summary>The indexes LanceDB listed after building them.</summary>
    public JsonElement Indices { get; private set; }

    /// <summary>The indexes built: column and kind.</summary>
    public static readonly (string Column, string Kind)[] Built =
    [
        ("id", "btree"), ("age", "btree"), ("name", "bitmap"), ("flag", "bitmap"), ("score", "btree"),
        ("day", "btree"), ("ts", "btree"), ("tags", "labelList"),
    ];

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        using var made = await LanceDbPeer.Default.RunAsync("scalar-index", new
        {
            op = "make",
            db = Db,
            table = "t",
            rows = 3000,
            seed = 11,
            indexes = Built.Select(b => new { column = b.Column, kind = b.Kind }).ToArray(),
            append = 500,
            deleteWhere = "id % 10 = 3",
        });
        Indices = made.RootElement.GetProperty("indices").Clone();
    }

    /// <inheritdoc/>
    public Task DisposeAsync()
    {
        _db.Dispose();
        return Task.CompletedTask;
    }
}
