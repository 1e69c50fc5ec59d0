using Apache.Arrow;
using Lance.Engine.Dataset;
using Lance.Engine.Format;
using Lance.Engine.Tests.Support;

namespace Lance.Engine.Tests.Dataset;

public sealed class StableRowIdTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string TablePath => _temp.Combine("t.lance");

    private Task<LanceDataset> CreateStableAsync(int rows, int rowsPerFile = 1000)
        => LanceDataset.CreateAsync(TablePath, Items.Schema, [Items.Range(0, rows)], options: new DatasetWriteOptions { EnableStableRowIds = true, MaxRowsPerFile = rowsPerFile });

    [Fact]
    public async Task A_dataset_created_with_stable_row_ids_records_the_feature_flag_and_the_next_row_id()
    {
        await CreateStableAsync(10, rowsPerFile: 4);

        var manifest = LatestManifest();
        Assert.Equal(Manifest.FeatureStableRowIds, manifest.ReaderFeatureFlags & Manifest.FeatureStableRowIds);
        Assert.Equal(Manifest.FeatureStableRowIds, manifest.WriterFeatureFlags & Manifest.FeatureStableRowIds);
        Assert.Equal(10UL, manifest.NextRowId);
        Assert.All(manifest.Fragments, f => Assert.NotNull(f.RowIds));
    }

    [Fact]
    public async Task Rows_keep_their_row_ids_through_update_and_compaction_and_new_rows_take_the_next()
    {
        var dataset = await CreateStableAsync(10, rowsPerFile: 5);
        await dataset.AppendAsync([Items.Range(10, 3)]);
        await dataset.DeleteAsync("id = 2");
        await dataset.UpdateWithSqlAsync("id = 6 OR id = 11", new Dictionary<string, string> { ["value"] = "value + 1" });
        await dataset.MergeInsertAsync(["id"], [Items.Range(7, 1), Items.Range(40, 2)], MergeInsertOptions.Upsert);
        Assert.Equal(new Dictionary<long, ulong>(Enumerable.Range(0, 13).Where(k => k != 2).Select(k => KeyValuePair.Create((long)k, (ulong)k))) { [40] = 13, [41] = 14 }, await RowIdsByIdAsync(dataset));

        await dataset.CompactAsync(new CompactionOptions { TargetRowsPerFragment = 100 });

        Assert.Equal(1, dataset.FragmentCount);
        Assert.Equal(new Dictionary<long, ulong>(Enumerable.Range(0, 13).Where(k => k != 2).Select(k => KeyValuePair.Create((long)k, (ulong)k))) { [40] = 13, [41] = 14 }, await RowIdsByIdAsync(dataset));
        Assert.Equal(15UL, LatestManifest().NextRowId);
    }

    [Fact]
    public async Task Without_stable_row_ids_a_row_id_is_the_row_address()
    {
        var dataset = await LanceDataset.CreateAsync(TablePath, Items.Schema, [Items.Range(0, 6)], options: new DatasetWriteOptions { MaxRowsPerFile = 3 });

        var ids = await RowIdsByIdAsync(dataset);

        Assert.Equal((1UL << 32) | 1, ids[4]);
        Assert.Equal(0UL, LatestManifest().ReaderFeatureFlags & Manifest.FeatureStableRowIds);
    }

    [Fact]
    public async Task Asking_for_stable_row_ids_when_overwriting_a_dataset_without_them_is_refused()
    {
        await LanceDataset.CreateAsync(TablePath, Items.Schema, [Items.Range(0, 3)]);

        var error = await Assert.ThrowsAsync<LanceException>(() => LanceDataset.CreateAsync(
            TablePath, Items.Schema, [Items.Range(0, 3)], WriteMode.Overwrite, new DatasetWriteOptions { EnableStableRowIds = true }));
        Assert.Contains("stable row ids", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manifest_with_stable_row_ids_and_a_fragment_without_them_is_never_written()
    {
        await CreateStableAsync(4);
        var manifest = LatestManifest();
        manifest.Fragments[0].RowIds = null;

        var error = Assert.Throws<LanceFormatException>(() => ManifestCodec.Encode(manifest));
        Assert.Contains("All fragments must have row ids", error.Message, StringComparison.Ordinal);
    }

    private Manifest LatestManifest()
    {
        var (_, path) = VersionNames.List(TablePath)[0];
        return ManifestCodec.Decode(File.ReadAllBytes(path));
    }

    private static async Task<Dictionary<long, ulong>> RowIdsByIdAsync(LanceDataset dataset)
    {
        var result = new Dictionary<long, ulong>();
        await foreach (var batch in dataset.ScanAsync(new ScanRequest { WithRowId = true }))
        {
            var ids = (Int64Array)batch.Column("id");
            var rowIds = (UInt64Array)batch.Column(LanceDataset.RowIdColumn);
            for (var i = 0; i < batch.Length; i++)
            {
                result.Add(ids.GetValue(i)!.Value, rowIds.GetValue(i)!.Value);
            }
        }

        return result;
    }
}
