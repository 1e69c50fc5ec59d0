using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Apache.Arrow;
using Lance.Engine.DataFiles;
using Lance.Engine.Format;
using Lance.Engine.DataFiles.Legacy;

namespace Lance.Engine.Tests.Format;

/// <summary>
/// The legacy (0.1) writer against our legacy reader: every type of the matrix, over batches that
/// do not line up with its 1,024-row pages. The format has no validity, so only values that hold no
/// null (and no empty string, which Lance reads as null) must come back equal; nulls come back as
/// the zeros, empties and falses written under them. LanceDB's side is in the interop tests.
/// </summary>
public sealed class LegacyFileWriterTests
{
    private static (byte[] File, RecordBatch Input) WriteMatrix(int rows)
    {
        var batch = TypeMatrix.Batch(0, rows);
        var schema = LanceSchema.FromArrow(batch.Schema);
        var dictionaries = TypeMatrix.DictionaryValues(batch, schema);

        using var stream = new MemoryStream();
        // Pieces that cut across the pages: 700 rows, then the rest.
        LegacyFileWriter.Write(stream, schema, dictionaries, [batch.Slice(0, 700), batch.Slice(700, rows - 700)], "matrix.lance");
        return (stream.ToArray(), batch);
    }

    [Fact]
    public void Every_matrix_value_the_format_can_hold_reads_back_equal()
    {
        var (file, input) = WriteMatrix(2500);

        using var reader = DataFileReader.FromBytes(file, "matrix.lance");
        var read = reader.Read();

        Assert.True(reader.IsLegacy);
        Assert.Equal(2500, read.Length);
        int compared = 0;
        for (int c = 0; c < input.ColumnCount; c++)
        {
            var name = input.Schema.FieldsList[c].Name;
            for (int r = 0; r < input.Length; r++)
            {
                var expected = ArrowValues.Json(input.Column(c), r);
                if (HoldsNullOrEmpty(expected))
                {
                    continue;
                }

                var actual = ArrowValues.Json(read.Column(name), r);
                Assert.True(JsonNode.DeepEquals(expected, actual), $"{name}, row {r}: wrote {expected?.ToJsonString()}, read {actual?.ToJsonString()}");
                compared++;
            }
        }

        Assert.True(compared > input.ColumnCount * input.Length / 2, $"only {compared} values compared");
    }

    [Fact]
    public void Nulls_read_back_as_the_values_legacy_files_keep_for_them()
    {
        var (file, input) = WriteMatrix(1100);

        using var reader = DataFileReader.FromBytes(file, "matrix.lance");
        var read = reader.Read();

        int row = Enumerable.Range(0, input.Length).First(r => input.Column("i32").IsNull(r) && input.Column("text").IsNull(r));
        Assert.Equal(0, ((Int32Array)read.Column("i32")).GetValue(row));
        Assert.Null(((StringArray)read.Column("text")).GetString(row));
        Assert.All(Enumerable.Range(0, input.Length).Where(r => input.Column("flag").IsNull(r)), r => Assert.False(((BooleanArray)read.Column("flag")).GetValue(r)));
        Assert.All(Enumerable.Range(0, input.Length).Where(r => input.Column("vec").IsNull(r)), r => Assert.Equal("[0,0,0,0,0,0,0,0]", ArrowValues.Json(read.Column("vec"), r)!.ToJsonString()));
        Assert.All(Enumerable.Range(0, input.Length).Where(r => input.Column("ints").IsNull(r)), r => Assert.Equal("[]", ArrowValues.Json(read.Column("ints"), r)!.ToJsonString()));
        Assert.All(Enumerable.Range(0, input.Length), r => Assert.Equal(0, ((Int32Array)read.Column("nothing")).GetValue(r)));
    }

    [Fact]
    public void Pages_hold_1024_rows_and_the_footer_says_0_2()
    {
        var (file, _) = WriteMatrix(2500);

        using var reader = DataFileReader.FromBytes(file, "matrix.lance");

        Assert.Equal(["Legacy(Plain, 3 batches)"], reader.DescribePages(reader.Schema.FindField("vec")!));
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(file.Length - 8)));
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(file.Length - 6)));
        Assert.Equal("LANC"u8.ToArray(), file[^4..]);
    }

    [Fact]
    public void A_dictionary_column_without_the_datasets_values_is_refused_naming_it()
    {
        var schema = LanceSchema.FromArrow(TypeMatrix.Schema);

        var error = Assert.Throws<LanceSchemaException>(() => LegacyFileWriter.EnsureWritable(schema, null, "data/t.lance"));

        Assert.Contains("'tag'", error.Message);
        Assert.Contains("data/t.lance", error.Message);
    }

    [Fact]
    public async Task A_new_dataset_is_never_made_legacy()
    {
        using var folder = new Lance.Engine.Tests.Support.TempFolder();
        var path = Path.Combine(folder.Path, "t.lance");

        await Assert.ThrowsAsync<ArgumentException>(() => LanceDataset.CreateAsync(
            path, TypeMatrix.Schema, [TypeMatrix.Batch(0, 10)], options: new DatasetWriteOptions { DataStorageVersion = "0.1" }));

        Assert.False(Directory.Exists(Path.Combine(path, "data")) && Directory.EnumerateFiles(Path.Combine(path, "data")).Any());
    }

    private static bool HoldsNullOrEmpty(JsonNode? node) => node switch
    {
        null => true,
        JsonValue value => value.TryGetValue<string>(out var text) && text.Length == 0,
        JsonArray array => array.Count == 0 || array.Any(HoldsNullOrEmpty),
        JsonObject obj => obj.Any(p => HoldsNullOrEmpty(p.Value)),
        _ => false,
    };
}
