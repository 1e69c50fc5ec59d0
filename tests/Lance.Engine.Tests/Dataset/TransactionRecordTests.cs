using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Dataset;
using Lance.Engine.Format;
using Lance.Engine.Tests.Support;
using Op = Lance.Engine.Format.Protos.Table.Transaction.OperationOneofCase;

namespace Lance.Engine.Tests.Dataset;

public sealed class TransactionRecordTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string TablePath => _temp.Combine("t.lance");

    [Fact]
    public async Task Every_commit_records_its_Lance_transaction_in_a_file_the_manifest_names_and_inline()
    {
        var dataset = await LanceDataset.CreateAsync(TablePath, Items.Schema, [Items.Range(0, 10)]);
        await dataset.AppendAsync([Items.Range(10, 5)]);
        await dataset.DeleteAsync("id = 3");
        await dataset.UpdateWithSqlAsync("id = 4", new Dictionary<string, string> { ["value"] = "value + 1" });
        await dataset.MergeInsertAsync(["id"], [Items.Range(5, 1), Items.Range(50, 1)], MergeInsertOptions.Upsert);
        await dataset.MergeInsertAsync(["id"], [Items.Range(60, 1)], MergeInsertOptions.InsertIfNotExists);
        await dataset.CompactAsync(new CompactionOptions { TargetRowsPerFragment = 100 });
        await dataset.AddColumnAsync(new Field("extra", Int32Type.Default, nullable: true));
        await dataset.RenameColumnAsync("extra", "more");
        await dataset.DropColumnsAsync(["more"]);
        await dataset.RestoreAsync(2);

        Op[] expected = [Op.Overwrite, Op.Append, Op.Delete, Op.Update, Op.Update, Op.Append, Op.Rewrite, Op.Merge, Op.Project, Op.Project, Op.Restore];
        var manifests = VersionNames.List(TablePath).OrderBy(v => v.Version).Select(v => ManifestCodec.Decode(File.ReadAllBytes(v.Path))).ToList();
        Assert.Equal(expected, manifests.Select(m => m.InlineTransaction!.OperationCase));
        foreach (var manifest in manifests)
        {
            var file = Path.Combine(TablePath, "_transactions", manifest.TransactionFile);
            Assert.True(File.Exists(file), $"version {manifest.Version} names {manifest.TransactionFile}, which is missing");
            var record = Lance.Engine.Format.Protos.Table.Transaction.Parser.ParseFrom(File.ReadAllBytes(file));
            Assert.Equal(manifest.InlineTransaction, record);
            Assert.Equal($"{record.ReadVersion}-{record.Uuid}.txn", manifest.TransactionFile);
            Assert.Equal(manifest.Version - 1, record.ReadVersion);
        }

        // The delete names its filter and the fragment it changed, with that fragment's files.
        var delete = manifests[2].InlineTransaction!.Delete;
        Assert.Equal("id = 3", delete.Predicate);
        Assert.Equal(manifests[2].Fragments[0].Files[0].Path, Assert.Single(delete.UpdatedFragments).Files[0].Path);
        Assert.Equal(2UL, manifests[10].InlineTransaction!.Restore.Version);
    }

    [Fact]
    public async Task Cleanup_removes_the_transaction_files_of_the_versions_it_removes()
    {
        var dataset = await LanceDataset.CreateAsync(TablePath, Items.Schema, [Items.Range(0, 10)]);
        await dataset.AppendAsync([Items.Range(10, 5)]);
        await dataset.DeleteAsync("id = 1");
        Assert.Equal(3, Directory.GetFiles(Path.Combine(TablePath, "_transactions")).Length);

        await dataset.CleanupOldVersionsAsync(TimeSpan.Zero);

        var left = Assert.Single(Directory.GetFiles(Path.Combine(TablePath, "_transactions")));
        Assert.Equal(LatestTransactionFile(), Path.GetFileName(left));
    }

    private string LatestTransactionFile() => ManifestCodec.Decode(File.ReadAllBytes(VersionNames.List(TablePath)[0].Path)).TransactionFile;
}
