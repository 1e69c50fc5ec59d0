using System.Text.Json;
using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// A delete we commit on LanceDB's legacy table of every matrix type (dictionary, lists and structs
/// included) leaves a manifest LanceDB still opens, scans, and appends to: a legacy manifest keeps
/// each dictionary's values in the manifest file itself and each field's legacy encoding, and
/// rewriting it must keep both.
/// </summary>
public sealed class ForeignLegacyCorpusWriteTests(ForeignCorpus corpus) : IClassFixture<ForeignCorpus>, IDisposable
{
    private const string Table = "types_legacy";
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    private async Task<LanceDataset> CopyAsync()
    {
        var target = Path.Combine(_db.Path, Table + ".lance");
        using (var copy = TempCopy.Of(corpus.Dataset(Table)))
        {
            Directory.Move(copy.Path, target);
        }

        return await LanceDataset.OpenAsync(target);
    }

    [Fact]
    public async Task After_our_delete_LanceDB_scans_every_remaining_row_as_before()
    {
        var dataset = await CopyAsync();

        await dataset.DeleteAsync("id % 10 = 1");

        using var expected = corpus.Expected(Table);
        var before = expected.RootElement.GetProperty("rows").EnumerateArray()
            .Where(r => long.Parse(r.GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture) % 10 != 1)
            .Select(r => r.GetRawText()).ToList();
        using var scan = await _peer.RunAsync("scan", new { db = _db.Path, table = Table });
        var after = scan.RootElement.GetProperty("rows").EnumerateArray().Select(r => r.GetRawText()).ToList();
        Assert.Equal(before.Count, after.Count);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task After_our_delete_LanceDB_appends_to_the_table_and_we_count_its_rows()
    {
        var dataset = await CopyAsync();
        await dataset.DeleteAsync("id % 10 = 1");

        using var result = await _peer.RunAsync("foreign-ops", new { db = _db.Path, table = Table, readd = "id < 100" });

        Assert.Equal(3000 - 300 + 90, result.RootElement.GetProperty("countRows").GetInt64());
        var reopened = await LanceDataset.OpenAsync(Path.Combine(_db.Path, Table + ".lance"));
        Assert.Equal(3000 - 300 + 90, reopened.CountRows());
    }
}
