using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.DataFiles;
using Lance.Engine.Format;
using Lance.Engine.Storage;
using Lance.Engine.Tests.Format;
using Lance.Engine.Tests.Support;

namespace Lance.Engine.Tests.DataFiles;

/// <summary>
/// Data and deletion files go through the storage seam: a file of every version written to and read
/// from an in-memory store is the same file, read the same way, as one on local disk.
/// </summary>
public sealed class DataFilesThroughObjectStoreTests : IDisposable
{
    private const string Key = "data/matrix.lance";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Versions => ["0.1", "2.0", "2.1", "2.2"];

    private static (IFileFormat Format, LanceSchema Schema, RecordBatch Batch, DataFileWriterOptions Options) Matrix(string datasetVersion, int rows = 1500)
    {
        var batch = TypeMatrix.Batch(0, rows);
        var schema = LanceSchema.FromArrow(batch.Schema);
        var format = FileFormats.ForDataset(datasetVersion)!;
        var options = new DataFileWriterOptions { Dictionaries = TypeMatrix.DictionaryValues(batch, schema), Name = "matrix.lance", MaxPageRows = 600 };
        return (format, schema, batch, options);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task A_data_file_written_through_an_in_memory_store_has_the_bytes_of_one_written_to_local_disk(string datasetVersion)
    {
        var (format, schema, batch, options) = Matrix(datasetVersion);
        await using var memory = new InMemoryObjectStore();
        var local = new LocalObjectStore(_temp.Path);

        var inMemory = await format.WriteAsync(memory, Key, schema, [batch.Slice(0, 700), batch.Slice(700, 800)], options);
        var onDisk = await format.WriteAsync(local, Key, schema, [batch.Slice(0, 700), batch.Slice(700, 800)], options);

        Assert.Equal(onDisk.BytesWritten, inMemory.BytesWritten);
        Assert.Equal(onDisk.FieldIds, inMemory.FieldIds);
        using var reader = await memory.OpenReadAsync(Key);
        var bytes = new byte[reader.Length];
        reader.Read(0, bytes);
        Assert.Equal(await File.ReadAllBytesAsync(local.PathOf(Key)), bytes);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task A_data_file_read_through_an_in_memory_store_reads_as_it_does_from_local_disk(string datasetVersion)
    {
        var (format, schema, batch, options) = Matrix(datasetVersion);
        await using var memory = new InMemoryObjectStore();
        var local = new LocalObjectStore(_temp.Path);
        await format.WriteAsync(memory, Key, schema, [batch], options);
        await format.WriteAsync(local, Key, schema, [batch], options);

        using var fromMemory = await DataFileReader.OpenAsync(memory, Key);
        using var fromDisk = DataFileReader.Open(local.PathOf(Key));
        fromMemory.MapFlatColumns = fromDisk.MapFlatColumns = true;

        Assert.Same(format, fromMemory.Format);
        Assert.Same(format, fromDisk.Format);
        Assert.Equal(batch.Length, fromMemory.RowCount);
        Assert.Equal(ArrowValues.Rows(fromDisk.Read()), ArrowValues.Rows(fromMemory.Read()));
    }

    [Fact]
    public async Task A_vector_column_mapped_from_local_disk_is_read_instead_from_a_store_that_cannot_map()
    {
        const int dimension = 256;
        const int rows = 2048; // 2 MiB of vectors: above the size that is mapped
        var type = new FixedSizeListType(new Field("item", FloatType.Default, true), dimension);
        var arrowSchema = new Schema([new Field("vector", type, false)], null);
        var vectors = ArrowValues.Build(type, Enumerable.Range(0, rows).Select(i => (object?)Enumerable.Range(0, dimension).Select(d => (float)(i - d)).ToArray()).ToList());
        var schema = LanceSchema.FromArrow(arrowSchema);
        var batch = new RecordBatch(arrowSchema, [vectors], rows);
        await using var memory = new InMemoryObjectStore();
        var local = new LocalObjectStore(_temp.Path);
        await FileFormats.V2_1.WriteAsync(memory, Key, schema, [batch]);
        await FileFormats.V2_1.WriteAsync(local, Key, schema, [batch]);

        using var fromMemory = await DataFileReader.OpenAsync(memory, Key);
        using var fromDisk = await DataFileReader.OpenAsync(local, Key);
        fromMemory.MapFlatColumns = fromDisk.MapFlatColumns = true;
        var field = schema.Fields[0];

        Assert.Null(fromMemory.TryMapFlatColumn(field));
        if (!OperatingSystem.IsWindows())
        {
            Assert.NotNull(fromDisk.TryMapFlatColumn(field));
        }

        var expected = ArrowValues.Rows(batch);
        Assert.Equal(expected, ArrowValues.Rows(new RecordBatch(arrowSchema, [fromMemory.ReadColumn(field)], rows)));
        Assert.Equal(expected, ArrowValues.Rows(new RecordBatch(arrowSchema, [fromDisk.ReadColumn(field)], rows)));
    }

    [Fact]
    public async Task A_data_file_that_fails_to_write_leaves_no_object_in_the_store()
    {
        var (format, schema, batch, options) = Matrix("2.1", rows: 10);
        var lacking = new RecordBatch(new Schema([batch.Schema.FieldsList[0]], null), [batch.Column(0)], batch.Length);
        await using var memory = new InMemoryObjectStore();

        await Assert.ThrowsAsync<LanceSchemaException>(() => format.WriteAsync(memory, Key, schema, [lacking], options));

        Assert.Null(await memory.HeadAsync(Key));
    }

    [Fact]
    public async Task A_deletion_file_written_through_an_in_memory_store_has_the_bytes_of_one_on_local_disk_and_reads_back()
    {
        int[] deleted = [42, 3, 7, 5000];
        await using var memory = new InMemoryObjectStore();
        var local = new LocalObjectStore(_temp.Path);

        await DeletionFileWriter.WriteAsync(memory, "_deletions/0-1-2.arrow", deleted);
        DeletionFileWriter.Write(local.PathOf("_deletions/0-1-2.arrow"), deleted);

        var fromMemory = await DeletionFileReader.ReadAsync(memory, "_deletions/0-1-2.arrow");
        Assert.Equal([3, 7, 42, 5000], fromMemory);
        Assert.Equal([3, 7, 42, 5000], DeletionFileReader.Read(local.PathOf("_deletions/0-1-2.arrow")));
        using var reader = await memory.OpenReadAsync("_deletions/0-1-2.arrow");
        var bytes = new byte[reader.Length];
        reader.Read(0, bytes);
        Assert.Equal(await File.ReadAllBytesAsync(local.PathOf("_deletions/0-1-2.arrow")), bytes);
    }

    [Fact]
    public async Task A_deletion_file_a_store_does_not_hold_is_reported_as_missing()
    {
        await using var memory = new InMemoryObjectStore();

        await Assert.ThrowsAsync<FileNotFoundException>(async () => await DeletionFileReader.ReadAsync(memory, "_deletions/0-1-2.arrow"));
    }
}
