using System.Text;
using Lance.Engine.Format;

namespace Lance.Engine.Tests.Format;

public class FixtureManifestTests
{
    private static Manifest Decode(string fixture, ulong version) =>
        ManifestCodec.Decode(File.ReadAllBytes(Fixtures.Manifest(fixture, version)));

    [Fact]
    public void Decoded_schema_has_flat_fields_with_ids_types_and_nullability()
    {
        var manifest = Decode("miniblock-nulls-deletion", 1);

        var fields = manifest.Schema.Fields.Select(f => (f.Id, f.ParentId, f.Name, f.LogicalType, f.Nullable));
        Assert.Equal(
            [(0, -1, "id", "int64", false), (1, -1, "text", "string", true), (2, -1, "vector", "fixed_size_list:float:8", true)],
            fields);
    }

    [Fact]
    public void Decoded_schema_metadata_keeps_the_embedding_configuration()
    {
        var manifest = Decode("miniblock-nulls-deletion", 1);

        var json = Encoding.UTF8.GetString(manifest.Schema.Metadata["embedding_functions"]);
        Assert.Contains("\"name\":\"toy-hash\"", json);
    }

    [Fact]
    public void Version_1_has_one_fragment_of_1000_rows_in_one_format_2_1_file()
    {
        var manifest = Decode("miniblock-nulls-deletion", 1);

        Assert.Equal(1UL, manifest.Version);
        var fragment = Assert.Single(manifest.Fragments);
        Assert.Equal(1000UL, fragment.PhysicalRows);
        Assert.Null(fragment.DeletionFile);
        var file = Assert.Single(fragment.Files);
        Assert.Equal("0-handcrafted-0000.lance", file.Path);
        Assert.Equal([0, 1, 2], file.Fields);
        Assert.Equal([0, 1, 2], file.ColumnIndices);
        Assert.Equal((2u, 1u), (file.FileMajorVersion, file.FileMinorVersion));
        Assert.Equal((ulong)new FileInfo(Fixtures.DataFile("miniblock-nulls-deletion")).Length, file.FileSizeBytes);
        Assert.Equal(("lance", "2.1"), (manifest.DataFileFormat, manifest.DataFormatVersion));
        Assert.Equal("lance-csharp", manifest.WriterLibrary);
    }

    [Fact]
    public void Version_2_records_a_deletion_file_of_three_rows_and_the_deletion_feature_flag()
    {
        var manifest = Decode("miniblock-nulls-deletion", 2);

        var deletion = Assert.Single(manifest.Fragments).DeletionFile;
        Assert.NotNull(deletion);
        Assert.Equal(DeletionFileType.ArrowArray, deletion.FileType);
        Assert.Equal(3UL, deletion.NumDeletedRows);
        Assert.Equal("0-1-1234567.arrow", deletion.FileName(0));
        Assert.Equal(Manifest.FeatureDeletionFiles, manifest.ReaderFeatureFlags & Manifest.FeatureDeletionFiles);
        Assert.Equal(Manifest.FeatureDeletionFiles, manifest.WriterFeatureFlags & Manifest.FeatureDeletionFiles);
    }

    [Fact]
    public void Fullzip_fixture_manifest_has_owner_metadata()
    {
        var manifest = Decode("fullzip", 1);

        Assert.Equal("csharp", Encoding.UTF8.GetString(manifest.Schema.Metadata["owner"]));
        Assert.Equal(1000UL, manifest.PhysicalRows);
    }
}
