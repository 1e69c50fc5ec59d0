namespace Lance.Orm.Embeddings.Tests;

public sealed class ClipImagePreprocessorTests
{
    private static float Normalised(int channel, byte value) => ((value / 255f) - ClipImagePreprocessor.Mean[channel]) / ClipImagePreprocessor.Std[channel];

    [Fact]
    public void A_solid_image_becomes_constant_normalised_planes()
    {
        var pixels = new float[3 * 224 * 224];

        ClipImagePreprocessor.Preprocess(BmpWriter.Solid(300, 200, 200, 100, 50), 224, pixels);

        for (var c = 0; c < 3; c++)
        {
            var expected = Normalised(c, c switch { 0 => 200, 1 => 100, _ => 50 });
            Assert.All(pixels.AsSpan(c * 224 * 224, 224 * 224).ToArray(), v => Assert.Equal(expected, v, 1e-5f));
        }
    }

    [Fact]
    public void A_wide_image_keeps_only_its_centre_square()
    {
        // 448 x 224: black quarters left and right, a white half in the middle. The shorter side is
        // already 224, so no resize happens; the centre crop takes columns 112..335, all white.
        var bmp = BmpWriter.Encode(448, 224, (x, _) => x is >= 112 and < 336 ? ((byte)255, (byte)255, (byte)255) : ((byte)0, (byte)0, (byte)0));
        var pixels = new float[3 * 224 * 224];

        ClipImagePreprocessor.Preprocess(bmp, 224, pixels);

        Assert.All(pixels.AsSpan(0, 224 * 224).ToArray(), v => Assert.Equal(Normalised(0, 255), v, 1e-5f));
    }

    [Fact]
    public void A_tall_image_is_cropped_vertically()
    {
        // 10 x 40 → shorter side 10 → no resize at size 10; rows 15..24 are kept.
        var bmp = BmpWriter.Encode(10, 40, (_, y) => y is >= 15 and < 25 ? ((byte)0, (byte)255, (byte)0) : ((byte)255, (byte)0, (byte)0));
        var pixels = new float[3 * 10 * 10];

        ClipImagePreprocessor.Preprocess(bmp, 10, pixels);

        Assert.All(pixels.AsSpan(100, 100).ToArray(), v => Assert.Equal(Normalised(1, 255), v, 1e-5f));
    }

    [Fact]
    public void Downscaling_averages_every_source_pixel()
    {
        // A 1-pixel checkerboard shrunk 8x is mid-grey everywhere: the widened kernel sees all pixels.
        var rgb = new byte[64 * 64 * 3];
        for (var i = 0; i < 64 * 64; i++)
        {
            var value = (byte)((i % 64) + (i / 64) is var s && s % 2 == 0 ? 255 : 0);
            rgb[i * 3] = rgb[(i * 3) + 1] = rgb[(i * 3) + 2] = value;
        }

        var small = ClipImagePreprocessor.Resize(rgb, 64, 64, 8, 8);

        Assert.All(small, v => Assert.InRange(v, 120, 135));
    }

    [Fact]
    public void Bicubic_upscaling_overshoots_at_an_edge_like_PIL()
    {
        // A hard step 0 → 200 doubled in width: bicubic (a = -0.5) rings, so some pixel next to the step
        // falls below 0 (clamped) or rises above 200, unlike bilinear which stays within the range.
        var rgb = new byte[8 * 1 * 3];
        for (var x = 4; x < 8; x++) rgb[x * 3] = 200;

        var wide = ClipImagePreprocessor.Resize(rgb, 8, 1, 16, 1);

        var reds = Enumerable.Range(0, 16).Select(x => wide[x * 3]).ToArray();
        Assert.Contains(reds, r => r > 200);
        Assert.Equal(0, reds[0]);
        Assert.Equal(200, reds[15]);
    }

    [Fact]
    public void Bytes_that_are_not_an_image_give_an_embedding_error_naming_them()
    {
        var ex = Assert.Throws<EmbeddingException>(() => ClipImagePreprocessor.Decode("not an image"u8, "cat.jpg"));

        Assert.Contains("cat.jpg", ex.Message);
    }
}
