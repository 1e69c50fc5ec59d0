using System.Buffers.Binary;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using Google.Protobuf;
using Lance.Engine.DataFiles.Encodings;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.Tests.Format;

/// <summary>
/// Pages of the constant layout (format 2.2) built by hand: where the scalar and the levels are is
/// decided by the inline value and the buffer count, as Lance decides it, and a page that fits no
/// rule is refused by name instead of read as nulls.
/// </summary>
public class ConstantLayoutDecoderTests
{
    [Fact]
    public void A_string_constant_in_a_value_buffer_reads_in_every_row_its_definition_levels_mark_valid()
    {
        var layout = Layout();
        var builder = new ColumnBuilder(StringType.Default, 4);

        ConstantLayoutDecoder.Decode(layout, [StringValueBuffer("same"), System.Array.Empty<byte>(), Levels(0, 1, 0, 0)], 4, builder, "s", null);

        var strings = (StringArray)builder.Build();
        Assert.Equal(["same", null, "same", "same"], Enumerable.Range(0, 4).Select(i => strings.GetString(i)));
    }

    [Fact]
    public void A_string_constant_without_levels_reads_in_every_row()
    {
        var builder = new ColumnBuilder(StringType.Default, 3);

        ConstantLayoutDecoder.Decode(Layout(), [StringValueBuffer("updated")], 3, builder, "s", null);

        var strings = (StringArray)builder.Build();
        Assert.Equal(["updated", "updated", "updated"], Enumerable.Range(0, 3).Select(i => strings.GetString(i)));
    }

    [Fact]
    public void An_inline_constant_with_definition_levels_keeps_its_nulls()
    {
        var layout = Layout();
        layout.ConstantValue = ByteString.CopyFrom(BitConverter.GetBytes(5L));
        var builder = new ColumnBuilder(Int64Type.Default, 3);

        ConstantLayoutDecoder.Decode(layout, [System.Array.Empty<byte>(), Levels(1, 0, 1)], 3, builder, "n", null);

        var values = (Int64Array)builder.Build();
        Assert.Equal([null, 5L, null], Enumerable.Range(0, 3).Select(i => values.GetValue(i)));
    }

    [Fact]
    public void A_page_without_inline_value_or_buffers_is_all_null()
    {
        var builder = new ColumnBuilder(Int32Type.Default, 2);

        ConstantLayoutDecoder.Decode(Layout(), [], 2, builder, "n", null);

        Assert.Equal(2, builder.Build().NullCount);
    }

    [Fact]
    public void An_inline_value_with_one_buffer_is_refused_naming_the_column()
    {
        var layout = Layout();
        layout.ConstantValue = ByteString.CopyFrom(BitConverter.GetBytes(5L));

        var error = Assert.Throws<LanceFormatException>(() =>
            ConstantLayoutDecoder.Decode(layout, [new byte[8]], 1, new ColumnBuilder(Int64Type.Default, 1), "price", null));

        Assert.Contains("'price'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_buffer_with_bytes_after_its_Arrow_buffers_is_refused_as_corrupt()
    {
        byte[] buffer = [.. StringValueBuffer("x"), 0];

        var error = Assert.Throws<LanceFormatException>(() =>
            ConstantLayoutDecoder.Decode(Layout(), [buffer], 1, new ColumnBuilder(StringType.Default, 1), "s", null));

        Assert.Contains("'s' is corrupt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fixed_width_constant_of_the_wrong_size_is_refused()
    {
        var layout = Layout();
        layout.ConstantValue = ByteString.CopyFrom(new byte[3]);

        Assert.Throws<LanceFormatException>(() =>
            ConstantLayoutDecoder.Decode(layout, [], 1, new ColumnBuilder(Int32Type.Default, 1), "n", null));
    }

    private static Enc21.AllNullLayout Layout()
    {
        var layout = new Enc21.AllNullLayout();
        layout.Layers.Add(Enc21.RepDefLayer.RepdefNullableItem);
        return layout;
    }

    private static byte[] Levels(params ushort[] levels)
    {
        var bytes = new byte[levels.Length * 2];
        for (int i = 0; i < levels.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), levels[i]);
        }

        return bytes;
    }

    // Lance's scalar value buffer of a one-string array: u32 buffer count, u32 length per buffer,
    // then the offsets (0, n) and the bytes.
    private static byte[] StringValueBuffer(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var buffer = new byte[4 + 8 + 8 + bytes.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, 2);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(8), (uint)bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(12), 0);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(16), bytes.Length);
        bytes.CopyTo(buffer, 20);
        return buffer;
    }
}
