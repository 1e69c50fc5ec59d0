using Apache.Arrow;
using Lance.Engine.DataFiles;
using Lance.Engine.Format;
using Lance.Engine.Tests.Format;

namespace Lance.Engine.Tests.DataFiles;

/// <summary>The file version is turned into its <see cref="IFileFormat"/> in one place, for reading and for writing.</summary>
public sealed class FileFormatsTests
{
    [Theory]
    [InlineData("0.1", 0, 2)]
    [InlineData("2.0", 2, 0)]
    [InlineData("2.1", 2, 1)]
    [InlineData("2.2", 2, 2)]
    public void A_dataset_version_gets_the_format_that_writes_its_files(string datasetVersion, int major, int minor)
    {
        var format = FileFormats.ForDataset(datasetVersion);

        Assert.NotNull(format);
        Assert.Equal((major, minor), ((int)format.Version.Major, (int)format.Version.Minor));
        Assert.Same(format, FileFormats.For(format.Version));
    }

    [Theory]
    [InlineData("2.0")]
    [InlineData("2.1")]
    [InlineData("2.2")]
    [InlineData("0.1")]
    public void A_file_written_by_a_format_is_read_by_the_same_format(string datasetVersion)
    {
        var batch = TypeMatrix.Batch(0, 50);
        var schema = LanceSchema.FromArrow(batch.Schema);
        var format = FileFormats.ForDataset(datasetVersion)!;
        using var stream = new MemoryStream();
        format.Write(stream, schema, [batch], new DataFileWriterOptions { Dictionaries = TypeMatrix.DictionaryValues(batch, schema) });

        using var reader = DataFileReader.FromBytes(stream.ToArray(), "written.lance");

        Assert.Same(format, reader.Format);
        Assert.Equal(format.Version.IsLegacy, reader.IsLegacy);
        Assert.Equal(format.Version == LanceFileVersion.V2_0, reader.IsFormat20);
    }

    [Fact]
    public void A_later_2x_file_is_read_with_the_2_2_layouts()
    {
        Assert.Same(FileFormats.V2_2, FileFormats.ForFile(2, 3, "later.lance"));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(0, 4)]
    [InlineData(2, 0)]
    [InlineData(3, 0)]
    public void A_file_of_a_version_no_format_reads_is_refused_naming_the_file(int major, int minor)
    {
        var error = Assert.Throws<LanceFormatException>(() => FileFormats.ForFile(major, minor, "odd.lance"));

        Assert.Contains("'odd.lance'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{major}.{minor}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dataset_of_a_version_no_format_writes_is_refused_before_anything_is_written()
    {
        var manifest = new Manifest { DataFormatVersion = "2.3" };

        var error = Assert.Throws<LanceFormatException>(() => FileFormats.ForDataset(manifest, "tables/t.lance"));

        Assert.Contains("'tables/t.lance'", error.Message, StringComparison.Ordinal);
        Assert.Contains("2.3", error.Message, StringComparison.Ordinal);
        Assert.Null(FileFormats.ForDataset("2.3"));
    }

    [Fact]
    public void The_legacy_format_refuses_a_type_its_writer_does_not_write_while_2x_formats_accept_it()
    {
        var schema = LanceSchema.FromArrow(new Schema([new Field("d", new Apache.Arrow.Types.DictionaryType(Apache.Arrow.Types.Int32Type.Default, Apache.Arrow.Types.StringType.Default, false), true)], null));

        Assert.Throws<LanceSchemaException>(() => FileFormats.Legacy.EnsureWritable(schema, null, "tables/t.lance"));
        FileFormats.V2_0.EnsureWritable(schema, null, "tables/t.lance");
        FileFormats.V2_1.EnsureWritable(schema, null, "tables/t.lance");
        FileFormats.V2_2.EnsureWritable(schema, null, "tables/t.lance");
    }
}
