using System.Buffers.Binary;
using Lance.Engine.Format;
using Lance.Engine.DataFiles.Compression;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.Tests.Foreign;

/// <summary>The decoders of LanceDB's compressive encodings on small hand-made inputs.</summary>
public sealed class CompressionTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(13)]
    [InlineData(16)]
    public void FastLanes_unpacks_what_the_FastLanes_layout_packs(int width)
    {
        var values = Enumerable.Range(0, 1024).Select(i => (ushort)((i * 7919) & ((1 << width) - 1))).ToArray();

        var packed = Pack(values, width);
        var unpacked = new ushort[1024];
        FastLanes.Unpack(width, packed, unpacked, "test");

        Assert.Equal(values, unpacked);
    }

    [Fact]
    public void A_Roaring_bitmap_with_an_array_and_a_run_container_lists_both()
    {
        byte[] bitmap =
        [
            0x3B, 0x30, 0x01, 0x00, 0x02, // cookie 12347 with 2 containers; container 1 holds runs
            0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x09, 0x00, // key 0: 3 values; key 1: 10 values
            0x01, 0x00, 0x05, 0x00, 0x09, 0x00, // 1, 5, 9
            0x01, 0x00, 0x64, 0x00, 0x09, 0x00, // one run of 100..109 (length - 1 = 9)
        ];

        var values = RoaringBitmapReader.Read(bitmap, "test.bin");

        Assert.Equal([1, 5, 9, .. Enumerable.Range(65536 + 100, 10)], values);
    }

    [Fact]
    public void A_Roaring_bitmap_that_claims_more_than_it_holds_is_a_typed_error_naming_the_file()
    {
        byte[] bitmap = [0x3A, 0x30, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x0F];

        var error = Assert.Throws<LanceFormatException>(() => RoaringBitmapReader.Read(bitmap, "0-1-2.bin"));

        Assert.Contains("0-1-2.bin", error.Message);
    }

    [Fact]
    public void Fsst_expands_codes_to_symbols_and_escapes_to_literals()
    {
        // Two symbols: 0 = "hello" (5 bytes), 1 = " " (1 byte); decoder switch on.
        var table = new byte[8 + 2 * 8 + 2];
        BinaryPrimitives.WriteUInt64LittleEndian(table, (0x46535354UL << 32) | (1UL << 24) | 2);
        "hello"u8.CopyTo(table.AsSpan(8));
        " "u8.CopyTo(table.AsSpan(16));
        table[24] = 5;
        table[25] = 1;
        var fsst = new Fsst(table, "test");
        byte[] output = [];
        int written = 0;

        fsst.Decode([0, 1, 255, (byte)'!', 0], ref output, ref written, "test");

        Assert.Equal("hello !hello", System.Text.Encoding.ASCII.GetString(output, 0, written));
    }

    [Fact]
    public void An_FSST_code_outside_the_table_is_a_typed_error()
    {
        var table = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(table, (0x46535354UL << 32) | (1UL << 24));
        var fsst = new Fsst(table, "test");
        byte[] output = [];
        int written = 0;

        Assert.Throws<LanceFormatException>(() => fsst.Decode([7], ref output, ref written, "test"));
    }

    [Fact]
    public void LZ4_and_ZSTD_buffers_with_Lances_size_prefixes_decompress()
    {
        var plain = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("lance ", 200)));
        var lz4 = new byte[K4os.Compression.LZ4.LZ4Codec.MaximumOutputSize(plain.Length)];
        int lz4Length = K4os.Compression.LZ4.LZ4Codec.Encode(plain, lz4);
        byte[] lz4Buffer = [.. BitConverter.GetBytes(plain.Length), .. lz4.AsSpan(0, lz4Length)];
        using var zstd = new ZstdSharp.Compressor();
        byte[] zstdBuffer = [.. BitConverter.GetBytes((long)plain.Length), .. zstd.Wrap(plain)];

        Assert.Equal(plain, GeneralCompression.Decompress(Enc21.CompressionScheme.CompressionAlgorithmLz4, lz4Buffer, "test"));
        Assert.Equal(plain, GeneralCompression.Decompress(Enc21.CompressionScheme.CompressionAlgorithmZstd, zstdBuffer, "test"));
    }

    [Fact]
    public void A_compressed_buffer_that_claims_a_huge_size_is_refused_before_allocating()
    {
        byte[] buffer = [0xFF, 0xFF, 0xFF, 0x7F, 0x00];

        Assert.Throws<LanceFormatException>(() => GeneralCompression.Decompress(Enc21.CompressionScheme.CompressionAlgorithmLz4, buffer, "test"));
    }

    // The FastLanes layout, packed the straightforward way: value ORDER[r/8]*16 + (r%8)*128 + lane is
    // row r of its lane, and a lane's rows are written one after another, `width` bits each.
    private static ushort[] Pack(ushort[] values, int width)
    {
        int[] order = [0, 4, 2, 6, 1, 5, 3, 7];
        const int Bits = 16;
        const int Lanes = 1024 / Bits;
        var packed = new ushort[Lanes * width];
        for (int lane = 0; lane < Lanes; lane++)
        {
            for (int row = 0; row < Bits; row++)
            {
                int value = values[order[row / 8] * 16 + (row % 8) * 128 + lane];
                for (int bit = 0; bit < width; bit++)
                {
                    if ((value & (1 << bit)) != 0)
                    {
                        int position = row * width + bit;
                        packed[Lanes * (position / Bits) + lane] |= (ushort)(1 << (position % Bits));
                    }
                }
            }
        }

        return packed;
    }
}
