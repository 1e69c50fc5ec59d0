using Lance.Engine.DataFiles.Encodings;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.Tests.Format;

public class EncodingSupportTests
{
    [Fact]
    public void Compressive_encodings_not_decoded_yet_are_refused_by_name()
    {
        var bitpacked = new Enc21.CompressiveEncoding { InlineBitpacking = new Enc21.InlineBitpacking() };

        var error = Assert.Throws<LanceFormatException>(() => ValueEncoding.From(bitpacked, "n"));

        Assert.Contains("InlineBitpacking", error.Message);
        Assert.Contains("'n'", error.Message);
    }

    [Fact]
    public void Fsst_strings_are_refused_by_name()
    {
        var fsst = new Enc21.CompressiveEncoding { Fsst = new Enc21.Fsst() };

        Assert.Contains("Fsst", Assert.Throws<LanceFormatException>(() => ValueEncoding.From(fsst, "text")).Message);
    }

    [Theory]
    [InlineData(64, 512)]
    [InlineData(32, 1024)]
    [InlineData(8, 4096)]
    [InlineData(1, 4096)]
    [InlineData(8 * 32, 128)]
    public void Chunks_hold_the_largest_power_of_two_values_under_8_KiB(int bitsPerValue, int values)
    {
        Assert.Equal(values, MiniBlockEncoder.ValuesPerChunk(bitsPerValue));
    }
}
