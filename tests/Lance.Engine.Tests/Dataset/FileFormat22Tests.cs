using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Dataset;
using Lance.Engine.DataFiles;
using Lance.Engine.DataFiles.V21;
using Lance.Engine.Format;
using Lance.Engine.Tests.Format;
using Lance.Engine.Tests.Support;
using static Lance.Engine.Tests.Support.Items;

namespace Lance.Engine.Tests.Dataset;

/// <summary>
/// Datasets of Lance file format 2.2: every data file a write adds carries the dataset's version in
/// its footer and in the manifest, and its mini-block pages use 2.2's large-chunk form.
/// </summary>
public sealed class FileFormat22Tests : IDisposable
{
    private static readonly DatasetWriteOptions As22 = new() { DataStorageVersion = "2.2", MaxRowsPerFile = 50 };
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string TablePath => _temp.Combine("items.lance");

    private Manifest LatestManifest()
    {
        var (_, path) = VersionNames.List(TablePath)[0];
        return ManifestCodec.Decode(File.ReadAllBytes(path), path);
    }

    // Every data file of the current version: its manifest entry and its footer's version.
    private List<(DataFile File, int FooterMajor, int FooterMinor)> DataFiles()
    {
        var files = new List<(DataFile, int, int)>();
        foreach (var file in LatestManifest().Fragments.SelectMany(f => f.Files))
        {
            using var reader = DataFileReader.Open(Path.Combine(TablePath, "data", file.Path));
            files.Add((file, reader.MajorVersion, reader.MinorVersion));
        }

        return files;
    }

    private void AssertEveryFileIs(int minor)
    {
        Assert.Equal($"2.{minor}", LatestManifest().DataFormatVersion);
        var files = DataFiles();
        Assert.NotEmpty(files);
        Assert.All(files, f =>
        {
            Assert.Equal((2u, (uint)minor), (f.File.FileMajorVersion, f.File.FileMinorVersion));
            Assert.Equal((2, minor), (f.FooterMajor, f.FooterMinor));
        });
    }

    [Fact]
    public async Task A_dataset_created_as_2_2_says_so_in_its_manifest_and_in_every_data_file()
    {
        await LanceDataset.CreateAsync(TablePath, Items.Schema, [Range(0, 120)], options: As22);

        AssertEveryFileIs(minor: 2);
        Assert.Equal(3, DataFiles().Count);
    }

    [Fact]
    public async Task A_dataset_created_without_a_version_is_2_1()
    {
        await LanceDataset.CreateAsync(TablePath, Items.Schema, [Range(0, 10)]);

        AssertEveryFileIs(minor: 1);
    }

    [Theory]
    [InlineData("append")]
    [InlineData("update")]
    [InlineData("merge-insert")]
    [InlineData("compaction")]
    [InlineData("add-column")]
    [InlineData("overwrite")]
    public async Task Every_write_that_adds_data_files_to_a_2_2_dataset_writes_2_2_files(string operation)
    {
        var dataset = await LanceDataset.CreateAsync(TablePath, Items.Schema, [Range(0, 100)], options: As22);
        var before = DataFiles().Select(f => f.File.Path).ToHashSet();
        var expected = Items.ToRows(Range(0, 100)).ToList();

        switch (operation)
        {
            case "append":
                await dataset.AppendAsync([Range(100, 30)]);
                expected.AddRange(Items.ToRows(Range(100, 30)));
                break;
            case "update":
                Assert.Equal(10, await dataset.UpdateAsync("id < 10", new Dictionary<string, object?> { ["value"] = 77 }));
                expected = expected.Select(r => r.Id < 10 ? r with { Value = 77 } : r).ToList();
                break;
            case "merge-insert":
                await dataset.MergeInsertAsync(["id"], [Batch([new Row(3, "three", 33), new Row(500, "new", 5)])], MergeInsertOptions.Upsert);
                expected = expected.Select(r => r.Id == 3 ? new Row(3, "three", 33) : r).Append(new Row(500, "new", 5)).ToList();
                break;
            case "compaction":
                await dataset.DeleteAsync("id % 2 = 0");
                Assert.Equal(1, (await dataset.CompactAsync()).FragmentsAdded);
                expected = expected.Where(r => r.Id % 2 != 0).ToList();
                break;
            case "add-column":
                await dataset.AddColumnsAsync(new Dictionary<string, string> { ["twice"] = "id * 2" });
                break;
            case "overwrite":
                await dataset.OverwriteAsync([Range(1000, 20)]);
                expected = Items.ToRows(Range(1000, 20)).ToList();
                break;
        }

        Assert.Contains(DataFiles(), f => !before.Contains(f.File.Path));
        AssertEveryFileIs(minor: 2);
        Assert.Equal(expected.OrderBy(r => r.Id), await ReadAsync(await LanceDataset.OpenAsync(TablePath)));
    }

    [Fact]
    public async Task Overwriting_keeps_the_datasets_version_unless_the_options_name_another()
    {
        var dataset = await LanceDataset.CreateAsync(TablePath, Items.Schema, [Range(0, 10)], options: As22);

        await dataset.OverwriteAsync([Range(10, 10)]);
        AssertEveryFileIs(minor: 2);

        await dataset.OverwriteAsync([Range(20, 10)], options: new DatasetWriteOptions { DataStorageVersion = "2.1" });
        AssertEveryFileIs(minor: 1);

        await LanceDataset.CreateAsync(TablePath, Items.Schema, [Range(30, 10)], WriteMode.Overwrite, As22);
        AssertEveryFileIs(minor: 2);
        Assert.Equal(Items.ToRows(Range(30, 10)), await ReadAsync(await LanceDataset.OpenAsync(TablePath)));
    }

    [Fact]
    public async Task An_append_whose_dataset_changed_format_meanwhile_conflicts_and_commits_nothing()
    {
        var stale = await LanceDataset.CreateAsync(TablePath, Items.Schema, [Range(0, 10)], options: As22);
        var other = await LanceDataset.OpenAsync(TablePath);
        await other.OverwriteAsync([Range(10, 10)], options: new DatasetWriteOptions { DataStorageVersion = "2.1" });

        var error = await Assert.ThrowsAsync<LanceCommitConflictException>(() => stale.AppendAsync([Range(100, 5)]));

        Assert.Contains("from 2.2 to 2.1", error.Message);
        AssertEveryFileIs(minor: 1);
        Assert.Equal(Items.ToRows(Range(10, 10)), await ReadAsync(await LanceDataset.OpenAsync(TablePath)));
    }

    [Fact]
    public async Task A_storage_version_the_engine_does_not_write_is_refused_by_name()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            LanceDataset.CreateAsync(TablePath, Items.Schema, [Range(0, 10)], options: new DatasetWriteOptions { DataStorageVersion = "2.7" }));

        Assert.Contains("\"2.7\"", error.Message);
        Assert.False(LanceDataset.Exists(TablePath));
    }

    [Fact]
    public void Every_type_of_the_matrix_reads_back_from_a_2_2_file_whose_mini_block_pages_all_have_large_chunks()
    {
        var batch = TypeMatrix.Batch(0, 3000);
        using var stream = new MemoryStream();

        DataFileWriter.Write(stream, LanceSchema.FromArrow(batch.Schema), [batch], new DataFileWriterOptions { Version = LanceFileVersion.V2_2, MaxPageRows = 1000 });

        using var reader = DataFileReader.FromBytes(stream.ToArray());
        Assert.Equal((2, 2), (reader.MajorVersion, reader.MinorVersion));
        Assert.Equal(ArrowValues.Rows(batch), ArrowValues.Rows(reader.Read()));
        var pages = reader.Schema.AllFields.SelectMany(reader.DescribePages).ToList();
        var miniBlocks = pages.Where(p => p.StartsWith("MiniBlock(", StringComparison.Ordinal)).ToList();
        Assert.True(miniBlocks.Count > 40, $"only {miniBlocks.Count} mini-block pages");
        Assert.All(miniBlocks, page => Assert.EndsWith(", large chunks)", page, StringComparison.Ordinal));
    }

    [Fact]
    public void A_2_2_chunk_table_holds_one_u32_word_per_chunk_with_the_2_1_bit_layout()
    {
        // 5,000 int64 values: chunks of 512 (4 KiB), so 10 chunks, the last one shorter. The chunk
        // header (u16 level count, u32 value size) still pads to 8 bytes, so the words are equal.
        var values = new Int64Array.Builder().AppendRange(Enumerable.Range(0, 5_000).Select(i => (long)i * 3)).Build();
        var schema = new Schema([new Field("v", Int64Type.Default, false)], null);
        var batch = new RecordBatch(schema, [values], values.Length);

        var v21 = Chunks(batch, LanceFileVersion.V2_1);
        var v22 = Chunks(batch, LanceFileVersion.V2_2);

        Assert.Equal(10 * 2, v21.Length);
        Assert.Equal(10 * 4, v22.Length);
        for (int c = 0; c < 10; c++)
        {
            uint word = BitConverter.ToUInt32(v22, c * 4);
            Assert.Equal(c == 9 ? 0u : 9u, word & 0xF); // log2(512), 0 for the last chunk
            Assert.Equal(BitConverter.ToUInt16(v21, c * 2), word);
        }
    }

    [Fact]
    public void A_2_2_list_chunk_header_grows_by_its_wider_value_size()
    {
        // A list column's chunk header is u16 levels, u16 rep size, u16 def size, then the value
        // size: 8 bytes in 2.1, 10 (padded to 16) in 2.2, so each chunk is 8 bytes longer.
        var lists = ArrowValues.Build(
            new ListType(new Field("item", Int32Type.Default, true)),
            Enumerable.Range(0, 3000).Select(i => i % 7 == 0 ? null : (object?)Enumerable.Range(0, i % 3).Select(k => (object?)(i + k)).ToArray()).ToList());
        var schema = new Schema([new Field("l", lists.Data.DataType, true)], null);
        var batch = new RecordBatch(schema, [lists], lists.Length);

        var v21 = Chunks(batch, LanceFileVersion.V2_1);
        var v22 = Chunks(batch, LanceFileVersion.V2_2);

        Assert.Equal(v21.Length * 2, v22.Length);
        for (int c = 0; c < v21.Length / 2; c++)
        {
            Assert.Equal(BitConverter.ToUInt16(v21, c * 2) + (1u << 4), BitConverter.ToUInt32(v22, c * 4));
        }
    }

    // Page buffer 0 (the chunk table) of the single page of the file's only column.
    private static byte[] Chunks(RecordBatch batch, LanceFileVersion version)
    {
        using var stream = new MemoryStream();
        DataFileWriter.Write(stream, LanceSchema.FromArrow(batch.Schema), [batch], new DataFileWriterOptions { Version = version });
        var bytes = stream.ToArray();
        using var reader = DataFileReader.FromBytes(bytes);
        Assert.Equal(ArrowValues.Rows(batch), ArrowValues.Rows(reader.Read()));
        var footer = bytes.AsSpan(bytes.Length - 40);
        long columnTable = BitConverter.ToInt64(footer[8..]);
        long position = BitConverter.ToInt64(bytes, (int)columnTable);
        long length = BitConverter.ToInt64(bytes, (int)columnTable + 8);
        var column = Lance.Engine.Format.Protos.File2.ColumnMetadata.Parser.ParseFrom(bytes.AsSpan((int)position, (int)length));
        var page = Assert.Single(column.Pages);
        return bytes.AsSpan((int)page.BufferOffsets[0], (int)page.BufferSizes[0]).ToArray();
    }
}
