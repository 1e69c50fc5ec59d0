using System.Buffers.Binary;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Format;

namespace Lance.Engine.Tests.Format;

public class ManifestCodecTests
{
    private static Manifest Sample()
    {
        var schema = LanceSchema.FromArrow(new Schema.Builder()
            .Field(new Field("id", Int64Type.Default, false))
            .Field(new Field("vector", new FixedSizeListType(new Field("item", FloatType.Default, true), 3), true))
            .Metadata("owner", "me")
            .Build());
        var manifest = new Manifest
        {
            Version = 7,
            Schema = schema,
            MaxFragmentId = 4,
            Timestamp = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
            WriterVersion = "1.2.3",
        };
        manifest.Fragments.Add(new DataFragment
        {
            Id = 4,
            PhysicalRows = 10,
            Files = [new DataFile { Path = "a.lance", Fields = [0, 1], ColumnIndices = [0, 1], FileSizeBytes = 1234 }],
            DeletionFile = new DeletionFileInfo { ReadVersion = 6, Id = 99, NumDeletedRows = 2 },
        });
        return manifest;
    }

    [Fact]
    public void Encode_then_decode_keeps_every_field()
    {
        var original = Sample();

        var back = ManifestCodec.Decode(ManifestCodec.Encode(original));

        Assert.Equal(7UL, back.Version);
        Assert.Equal(4u, back.MaxFragmentId);
        Assert.Equal(original.Timestamp, back.Timestamp);
        Assert.Equal(("lance-csharp", "1.2.3"), (back.WriterLibrary, back.WriterVersion));
        Assert.Equal(("lance", "2.1"), (back.DataFileFormat, back.DataFormatVersion));
        Assert.Equal(original.Schema.Fields.Select(f => f.ToString()), back.Schema.Fields.Select(f => f.ToString()));
        Assert.Equal("me"u8.ToArray(), back.Schema.Metadata["owner"]);
        var fragment = Assert.Single(back.Fragments);
        Assert.Equal((4UL, 10UL), (fragment.Id, fragment.PhysicalRows));
        var file = Assert.Single(fragment.Files);
        Assert.Equal(("a.lance", 1234UL, 2u, 1u), (file.Path, file.FileSizeBytes, file.FileMajorVersion, file.FileMinorVersion));
        Assert.Equal([0, 1], file.Fields);
        Assert.Equal([0, 1], file.ColumnIndices);
        Assert.Equal((6UL, 99UL, 2UL), (fragment.DeletionFile!.ReadVersion, fragment.DeletionFile.Id, fragment.DeletionFile.NumDeletedRows));
    }

    [Fact]
    public void Encoding_sets_the_deletion_feature_flag_when_a_fragment_has_deletions()
    {
        var back = ManifestCodec.Decode(ManifestCodec.Encode(Sample()));

        Assert.Equal(Manifest.FeatureDeletionFiles, back.ReaderFeatureFlags);
        Assert.Equal(Manifest.FeatureDeletionFiles, back.WriterFeatureFlags);
    }

    [Fact]
    public void Encoded_file_ends_with_a_footer_pointing_at_the_manifest_version_0_2_and_LANC()
    {
        var bytes = ManifestCodec.Encode(Sample());

        var footer = bytes.AsSpan(bytes.Length - 16);
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(footer));
        Assert.Equal((ushort)0, BinaryPrimitives.ReadUInt16LittleEndian(footer[8..]));
        Assert.Equal((ushort)2, BinaryPrimitives.ReadUInt16LittleEndian(footer[10..]));
        Assert.Equal("LANC"u8.ToArray(), footer[12..].ToArray());
        Assert.Equal(bytes.Length - 20, (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes));
    }

    [Fact]
    public void Decode_skips_sections_written_before_the_manifest()
    {
        // LanceDB may write [u32 len][IndexSection] and [u32 len][Transaction] first; the footer says where the manifest is.
        var plain = ManifestCodec.Encode(Sample());
        byte[] prefix = [3, 0, 0, 0, 0xAA, 0xBB, 0xCC, 2, 0, 0, 0, 0xDD, 0xEE];
        var withSections = prefix.Concat(plain).ToArray();
        BinaryPrimitives.WriteUInt64LittleEndian(withSections.AsSpan(withSections.Length - 16), (ulong)prefix.Length);

        var back = ManifestCodec.Decode(withSections);

        Assert.Equal(7UL, back.Version);
    }

    [Fact]
    public void Decode_rejects_bytes_without_the_LANC_magic()
    {
        Assert.Throws<LanceFormatException>(() => ManifestCodec.Decode(new byte[64]));
    }
    [Fact]
    public void A_truncated_manifest_is_a_format_error_naming_the_file()
    {
        var bytes = ManifestCodec.Encode(Sample());

        var error = Assert.Throws<LanceFormatException>(() => ManifestCodec.Decode(bytes.AsSpan(0, bytes.Length - 10), "_versions/5.manifest"));

        Assert.Contains("_versions/5.manifest", error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void A_manifest_with_bad_magic_bytes_is_a_format_error_naming_the_file()
    {
        var bytes = ManifestCodec.Encode(Sample());
        bytes[^1] = (byte)'X';

        var error = Assert.Throws<LanceFormatException>(() => ManifestCodec.Decode(bytes, "_versions/5.manifest"));

        Assert.Contains("_versions/5.manifest", error.Message);
        Assert.Contains("LANC", error.Message);
    }

    [Fact]
    public void Any_cut_or_flipped_byte_of_a_manifest_is_a_format_error_or_decodes()
    {
        var bytes = ManifestCodec.Encode(Sample());
        var unexpected = new List<string>();
        for (int i = 0; i < bytes.Length; i++)
        {
            var flipped = (byte[])bytes.Clone();
            flipped[i] ^= 0x5A;
            foreach (var candidate in new[] { flipped, bytes[..i] })
            {
                try
                {
                    ManifestCodec.Decode(candidate, "m");
                }
                catch (LanceFormatException)
                {
                }
                catch (Exception e)
                {
                    unexpected.Add($"byte {i}: {e.GetType().Name}: {e.Message}");
                }
            }
        }

        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected.Take(10)));
    }
}
