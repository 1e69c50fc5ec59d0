using System.Buffers.Binary;
using Google.Protobuf;
using Lance.Engine.DataFiles;
using Lance.Engine.Format;
using PbFile = Lance.Engine.Format.Protos.File;
using PbTable = Lance.Engine.Format.Protos.Table;

namespace Lance.Engine.Tests.Foreign;

/// <summary>
/// A legacy (0.1) data file whose metadata, schema or page table is damaged fails with a
/// <see cref="LanceFormatException"/> that names the file and what is wrong, before the reader
/// allocates anything a bad count asks for.
/// </summary>
public sealed class LegacyDamagedFileTests
{
    private const string Name = "damaged.lance";

    private static LanceFormatException ReadFails(byte[] bytes)
    {
        var error = Assert.Throws<LanceFormatException>(() =>
        {
            using var reader = DataFileReader.FromBytes(bytes, Name);
            reader.Read();
        });
        Assert.Contains(Name, error.Message);
        return error;
    }

    [Fact]
    public void A_page_table_past_the_end_of_the_file_is_named()
    {
        var bytes = WithMetadata(Seeds.Bytes("legacy_b.lance"), m => m.PageTablePosition = 1UL << 40);

        Assert.Contains("page table", ReadFails(bytes).Message);
    }

    [Fact]
    public void Batch_offsets_claiming_more_rows_than_the_file_can_hold_fail_before_allocating()
    {
        var bytes = WithMetadata(Seeds.Bytes("legacy_b.lance"), m =>
        {
            m.BatchOffsets.Clear();
            m.BatchOffsets.Add([0, 1024, int.MaxValue]);
        });

        Assert.Contains("rows", ReadFails(bytes).Message);
    }

    [Fact]
    public void Batch_offsets_that_go_backwards_are_named()
    {
        var bytes = WithMetadata(Seeds.Bytes("legacy_b.lance"), m =>
        {
            m.BatchOffsets.Clear();
            m.BatchOffsets.Add([0, 1024, 1000]);
        });

        Assert.Contains("batch 1", ReadFails(bytes).Message);
    }

    [Fact]
    public void A_file_without_its_copy_of_the_schema_is_refused()
    {
        var bytes = WithMetadata(Seeds.Bytes("legacy_b.lance"), m => m.ManifestPosition = 0);

        Assert.Contains("schema", ReadFails(bytes).Message);
    }

    [Fact]
    public void A_metadata_position_past_the_end_of_the_file_is_named()
    {
        var bytes = Seeds.Bytes("legacy_b.lance");
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - 16), ulong.MaxValue);

        Assert.Contains("metadata", ReadFails(bytes).Message);
    }

    [Fact]
    public void A_dictionary_key_outside_the_stored_values_is_named_with_its_row_and_column()
    {
        // The file's schema says the dictionary holds 2 values; its keys run to 5.
        var bytes = WithSchema(Seeds.Bytes("legacy_dict_s.lance"), manifest =>
            manifest.Fields.Single(f => f.Name == "dict_s").Dictionary.Length = 2);

        var message = ReadFails(bytes).Message;

        Assert.Contains("dict_s", message);
        Assert.Contains("key 2", message);
    }

    [Fact]
    public void A_truncated_legacy_file_is_refused()
    {
        var bytes = Seeds.Bytes("legacy_l_struct.lance");

        ReadFails(bytes[..(bytes.Length / 2)]);
    }

    // Rewrites the metadata message (it sits right before the 16-byte footer).
    private static byte[] WithMetadata(byte[] file, Action<PbFile.Metadata> change)
    {
        long position = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(file.Length - 16));
        var metadata = PbFile.Metadata.Parser.ParseFrom(Message(file, position));
        change(metadata);
        return Rebuild(file[..(int)position], [], metadata);
    }

    // Rewrites the file's copy of its schema (a table manifest right before the metadata).
    private static byte[] WithSchema(byte[] file, Action<PbTable.Manifest> change)
    {
        long metadataPosition = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(file.Length - 16));
        var metadata = PbFile.Metadata.Parser.ParseFrom(Message(file, metadataPosition));
        var manifest = PbTable.Manifest.Parser.ParseFrom(Message(file, (long)metadata.ManifestPosition));
        change(manifest);
        return Rebuild(file[..(int)metadata.ManifestPosition], Prefixed(manifest.ToByteArray()), metadata);
    }

    private static byte[] Rebuild(byte[] head, byte[] schema, PbFile.Metadata metadata)
    {
        var body = head.Concat(schema).ToArray();
        var footer = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(footer, (ulong)body.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(footer.AsSpan(8), 0);
        BinaryPrimitives.WriteUInt16LittleEndian(footer.AsSpan(10), 2);
        "LANC"u8.CopyTo(footer.AsSpan(12));
        return [.. body, .. Prefixed(metadata.ToByteArray()), .. footer];
    }

    private static byte[] Prefixed(byte[] message)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)message.Length);
        return [.. length, .. message];
    }

    private static ReadOnlySpan<byte> Message(byte[] file, long position) =>
        file.AsSpan((int)position + 4, (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan((int)position)));
}
