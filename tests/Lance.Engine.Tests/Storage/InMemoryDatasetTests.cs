using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Dataset;
using Lance.Engine.Index;
using Lance.Engine.Query;
using Lance.Engine.Storage;
using Lance.Engine.Tests.Support;
using static Lance.Engine.Tests.Support.Items;

namespace Lance.Engine.Tests.Storage;

/// <summary>
/// A dataset lives wholly in its object store: every operation works on an <see cref="InMemoryObjectStore"/>
/// with no file touched on disk, a filtered query reads ranges of a data file rather than all of it, and
/// the local store keeps its memory-mapped fast path.
/// </summary>
public sealed class InMemoryDatasetTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    // A path that names the dataset in messages only: nothing may ever be made there.
    private string TablePath => _temp.Combine("never-on-disk.lance");

    private static async Task<List<string>> KeysAsync(IObjectStore store, string prefix = "")
    {
        var keys = new List<string>();
        await foreach (var entry in store.ListAsync(prefix))
        {
            keys.Add(entry.Key);
        }

        return keys.Order(StringComparer.Ordinal).ToList();
    }

    private void AssertNothingOnDisk() => Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Path));

    [Fact]
    public async Task Create_append_scan_filter_search_delete_update_and_merge_insert_work_on_an_in_memory_store_without_touching_disk()
    {
        var store = new InMemoryObjectStore("memory://items");
        var dataset = await LanceDataset.CreateAsync(TablePath, Items.Schema, [Range(0, 100), Range(100, 100)], options: new DatasetWriteOptions { Store = store, MaxRowsPerFile = 100 });
        await dataset.AppendAsync([Range(200, 50)]);
        Assert.Equal(250, dataset.CountRows());
        Assert.Equal(3, (await KeysAsync(store, "data/")).Count);

        var filtered = new List<Row>();
        await foreach (var batch in dataset.ScanAsync(new ScanRequest { Filter = "id >= 240" }))
        {
            filtered.AddRange(ToRows(batch));
        }

        Assert.Equal(Enumerable.Range(240, 10).Select(i => (long)i), filtered.Select(r => r.Id).Order());

        var nearest = await dataset.SearchAsync(new VectorSearchRequest("vector", new float[] { 7, -7 }, 3));
        Assert.Equal(7L, ((Int64Array)nearest.Column("id")).GetValue(0));

        Assert.Equal(10, await dataset.DeleteAsync("id < 10"));
        Assert.Single(await KeysAsync(store, "_deletions/"));
        Assert.Equal(1, await dataset.UpdateAsync("id = 20", new Dictionary<string, object?> { ["name"] = "twenty" }));
        var merged = await dataset.MergeInsertAsync(["id"], [Batch([new Row(30, "thirty", 3), new Row(1000, "new", 0)])], MergeInsertOptions.Upsert);
        Assert.Equal((1L, 1L), (merged.Inserted, merged.Updated));

        // A second instance over the same store sees every change.
        var reopened = await LanceDataset.OpenAsync(TablePath, new DatasetOpenOptions { Store = store });
        var rows = await ReadAsync(reopened);
        Assert.Equal(241, rows.Count);
        Assert.DoesNotContain(rows, r => r.Id < 10);
        Assert.Equal("twenty", rows.Single(r => r.Id == 20).Name);
        Assert.Equal("thirty", rows.Single(r => r.Id == 30).Name);
        Assert.Equal("new", rows.Single(r => r.Id == 1000).Name);
        Assert.Equal(dataset.Version, reopened.Version);
        AssertNothingOnDisk();
    }

    [Fact]
    public async Task Index_build_and_search_compaction_versions_checkout_and_cleanup_work_on_an_in_memory_store_without_touching_disk()
    {
        var store = new InMemoryObjectStore();
        var dataset = await LanceDataset.CreateAsync(TablePath, Items.Schema, [Range(0, 600)], options: new DatasetWriteOptions { Store = store, MaxRowsPerFile = 200 });
        await dataset.AppendAsync([Range(600, 100)]);
        await dataset.DeleteAsync("id >= 650");

        var index = await dataset.CreateIndexAsync("vector", new IvfPqOptions { NumPartitions = 2, NumSubVectors = 1 });
        var indexKeys = await KeysAsync(store, LanceDataset.IndicesFolder + "/");
        Assert.Equal(["auxiliary.idx", "index.idx"], indexKeys.Select(k => k[$"{LanceDataset.IndicesFolder}/{index.Uuid:D}/".Length..]).Order());

        // A fresh instance loads the index from the store and searches through it.
        var reopened = await LanceDataset.OpenAsync(TablePath, new DatasetOpenOptions { Store = store });
        var hits = await reopened.SearchAsync(new VectorSearchRequest("vector", new float[] { 300, -300 }, 5) { Nprobes = 2, RefineFactor = 10 });
        Assert.Equal(300L, ((Int64Array)hits.Column("id")).GetValue(0));

        var compacted = await dataset.CompactAsync(new CompactionOptions { TargetRowsPerFragment = 1000 });
        Assert.True(compacted.FragmentsRemoved > 1);
        Assert.Equal(1, dataset.FragmentCount);
        Assert.Equal(650, dataset.CountRows());

        var versions = await dataset.ListVersionsAsync();
        Assert.Equal(Enumerable.Range(1, (int)dataset.Version).Select(v => (ulong)v), versions.Select(v => v.Version));
        var first = await dataset.CheckoutAsync(1);
        Assert.Equal(600, first.CountRows());
        Assert.True(first.IsReadOnly);

        var dataBefore = (await KeysAsync(store, "data/")).Count;
        var cleaned = await dataset.CleanupOldVersionsAsync(TimeSpan.Zero);
        Assert.Equal(versions.Count - 1, cleaned.VersionsRemoved);
        Assert.Single(await KeysAsync(store, "_versions/"));
        Assert.Single(await KeysAsync(store, "data/"));
        Assert.True(dataBefore > 1);
        Assert.Empty(await KeysAsync(store, "_deletions/"));
        Assert.Equal(Enumerable.Range(0, 650).Select(i => (long)i), (await ReadAsync(dataset)).Select(r => r.Id));
        AssertNothingOnDisk();
    }

    [Fact]
    public async Task Opening_a_store_with_no_manifest_says_it_is_not_a_dataset_and_a_missing_object_is_file_not_found()
    {
        var store = new InMemoryObjectStore();
        var error = await Assert.ThrowsAsync<LanceFormatException>(() => LanceDataset.OpenAsync(TablePath, new DatasetOpenOptions { Store = store }));
        Assert.Contains(TablePath, error.Message);
        await Assert.ThrowsAsync<FileNotFoundException>(async () => await store.OpenReadAsync("data/missing.lance"));
        AssertNothingOnDisk();
    }

    [Fact]
    public async Task A_filtered_query_over_a_multi_megabyte_data_file_reads_ranges_not_the_whole_file()
    {
        const int Dimension = 256;
        var schema = new Schema(
            [
                new Field("id", Int64Type.Default, nullable: false),
                new Field("vector", new FixedSizeListType(new Field("item", FloatType.Default, true), Dimension), nullable: false),
            ],
            null);
        var store = new RecordingObjectStore(new InMemoryObjectStore(), allowMap: false);
        await LanceDataset.CreateAsync(TablePath, schema, [Vectors(schema, 10_000, Dimension)], options: new DatasetWriteOptions { Store = store });
        var dataFile = Assert.Single(await KeysAsync(store, "data/"));
        var length = (await store.HeadAsync(dataFile))!.Value.Length;
        Assert.True(length > 8 << 20, $"The data file is {length} bytes; the test needs several MB.");

        store.Clear();
        var dataset = await LanceDataset.OpenAsync(TablePath, new DatasetOpenOptions { Store = store });
        var ids = new List<long>();
        await foreach (var batch in dataset.ScanAsync(new ScanRequest { Columns = ["id"], Filter = "id < 5" }))
        {
            ids.AddRange(((Int64Array)batch.Column(0)).Values.ToArray());
        }

        Assert.Equal([0L, 1, 2, 3, 4], ids);
        var reads = store.Reads.Where(r => r.Key == dataFile).ToList();
        Assert.NotEmpty(reads);
        Assert.True(reads.Sum(r => (long)r.Length) < length / 20, $"The query read {reads.Sum(r => (long)r.Length)} of the file's {length} bytes.");
        Assert.All(reads, r => Assert.True(r.Length < length / 20, $"One read fetched {r.Length} of {length} bytes."));
    }

    [Fact]
    public async Task On_local_disk_a_search_maps_the_vector_column_through_the_store_rather_than_reading_it()
    {
        const int Dimension = 128;
        var schema = new Schema(
            [
                new Field("id", Int64Type.Default, nullable: false),
                new Field("vector", new FixedSizeListType(new Field("item", FloatType.Default, true), Dimension), nullable: false),
            ],
            null);
        var path = _temp.Combine("local.lance");
        await LanceDataset.CreateAsync(path, schema, [Vectors(schema, 4_000, Dimension)]);
        var store = new RecordingObjectStore(new LocalObjectStore(path));
        var dataset = await LanceDataset.OpenAsync(path, new DatasetOpenOptions { Store = store });
        var query = new float[Dimension];
        query[0] = 17;
        var hits = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 1));
        Assert.Equal(17L, ((Int64Array)hits.Column("id")).GetValue(0));

        var vectorBytes = 4_000L * Dimension * sizeof(float);
        if (OperatingSystem.IsWindows())
        {
            // A mapped file could not be deleted there, so the engine never maps on Windows.
            Assert.Empty(store.Maps);
        }
        else
        {
            Assert.True(store.Maps.Sum(m => (long)m.Length) >= vectorBytes, $"Mapped {store.Maps.Sum(m => (long)m.Length)} bytes of a {vectorBytes}-byte vector column.");
            Assert.True(store.BytesRead("data/") < vectorBytes / 4, $"Read {store.BytesRead("data/")} bytes instead of mapping the vectors.");
        }
    }

    private static RecordBatch Vectors(Schema schema, int rows, int dimension)
    {
        var ids = new Int64Array.Builder();
        var values = new float[rows * dimension];
        for (var i = 0; i < rows; i++)
        {
            ids.Append(i);
            values[i * dimension] = i;
        }

        var floats = new FloatArray(new ArrowBuffer(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray()), ArrowBuffer.Empty, values.Length, 0, 0);
        var vectors = new FixedSizeListArray(new FixedSizeListType(new Field("item", FloatType.Default, true), dimension), rows, floats, ArrowBuffer.Empty, 0, 0);
        return new RecordBatch(schema, [ids.Build(), vectors], rows);
    }
}
