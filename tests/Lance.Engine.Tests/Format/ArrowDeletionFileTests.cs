using Apache.Arrow;
using Apache.Arrow.Compression;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using Lance.Engine.Format;

namespace Lance.Engine.Tests.Format;

/// <summary>
/// The bounded Arrow IPC deletion-file reader against files Apache Arrow writes: plain, LZ4-frame
/// and ZSTD bodies, several batches, null entries, and the shapes it must refuse.
/// </summary>
public sealed class ArrowDeletionFileTests
{
    public static TheoryData<string> Codecs => ["none", "lz4", "zstd"];

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Reads_what_Apache_Arrow_writes_in_every_codec(string codec)
    {
        var random = new Random(codec.Length);
        var first = Enumerable.Range(0, 3000).Select(_ => (uint?)random.Next(0, 1 << 20)).ToArray();
        var second = new uint?[] { 7, null, 9, null, 4_000_000 };
        var bytes = Write(codec, [first, second], nullable: true);

        var read = DeletionFileReader.Read(bytes, DeletionFileType.ArrowArray, "d.arrow");

        var expected = first.Concat(second).Where(v => v.HasValue).Select(v => (int)v!.Value).Order().ToArray();
        Assert.Equal(expected, read);
    }

    [Fact]
    public void An_empty_file_deletes_nothing()
    {
        Assert.Empty(DeletionFileReader.Read(Write("zstd", [], nullable: false), DeletionFileType.ArrowArray, "d.arrow"));
        Assert.Empty(DeletionFileReader.Read(Write("none", [[]], nullable: false), DeletionFileType.ArrowArray, "d.arrow"));
    }

    [Fact]
    public void A_file_of_another_column_type_is_refused_by_name()
    {
        var schema = new Schema([new Field("row_id", Int64Type.Default, false)], null);
        using var stream = new MemoryStream();
        using (var writer = new ArrowFileWriter(stream, schema, leaveOpen: true))
        {
            writer.WriteRecordBatch(new RecordBatch(schema, [new Int64Array.Builder().Append(3).Build()], 1));
            writer.WriteEnd();
        }

        var e = Assert.Throws<LanceFormatException>(() => DeletionFileReader.Read(stream.ToArray(), DeletionFileType.ArrowArray, "odd.arrow"));
        Assert.Contains("'odd.arrow'", e.Message, StringComparison.Ordinal);
        Assert.Contains("uint32", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_compressed_buffer_claiming_gigabytes_is_refused_without_allocating_them()
    {
        var bytes = Write("zstd", [Enumerable.Range(0, 100).Select(i => (uint?)i).ToArray()], nullable: false);

        // The values buffer's 8-byte uncompressed-length prefix comes just before its ZSTD frame's magic.
        int at = IndexOf(bytes, [0x28, 0xB5, 0x2F, 0xFD]) - 8;
        BitConverter.GetBytes(3L << 30).CopyTo(bytes, at);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<LanceFormatException>(() => DeletionFileReader.Read(bytes, DeletionFileType.ArrowArray, "big.arrow"));

        Assert.Contains("'big.arrow'", e.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the claimed size was allocated");
    }

    private static int IndexOf(byte[] bytes, byte[] pattern)
    {
        for (int i = 0; i + pattern.Length <= bytes.Length; i++)
        {
            if (bytes.AsSpan(i, pattern.Length).SequenceEqual(pattern))
            {
                return i;
            }
        }

        throw new InvalidOperationException("pattern not found");
    }

    private static byte[] Write(string codec, uint?[][] batches, bool nullable)
    {
        var schema = new Schema([new Field("row_id", UInt32Type.Default, nullable)], null);
        var options = new IpcOptions
        {
            CompressionCodec = codec switch { "lz4" => CompressionCodecType.Lz4Frame, "zstd" => CompressionCodecType.Zstd, _ => null },
            CompressionCodecFactory = new CompressionCodecFactory(),
        };
        using var stream = new MemoryStream();
        using (var writer = new ArrowFileWriter(stream, schema, leaveOpen: true, options))
        {
            foreach (var values in batches)
            {
                var builder = new UInt32Array.Builder();
                foreach (var v in values)
                {
                    if (v is { } x)
                    {
                        builder.Append(x);
                    }
                    else
                    {
                        builder.AppendNull();
                    }
                }

                writer.WriteRecordBatch(new RecordBatch(schema, [builder.Build()], values.Length));
            }

            writer.WriteEnd();
        }

        return stream.ToArray();
    }
}
