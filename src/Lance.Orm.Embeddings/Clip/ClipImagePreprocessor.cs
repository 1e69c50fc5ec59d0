using StbImageSharp;

namespace Lance.Orm.Embeddings;

/// <summary>
/// OpenCLIP's image transform: decode (PNG, JPEG, BMP, GIF, TGA, PSD, HDR), resize the shorter side
/// to the model's size with bicubic filtering (antialiased like PIL's), centre-crop a square, scale
/// to 0..1 and normalise each channel with CLIP's mean and standard deviation. Output is planar
/// (channel, row, column) float, as the vision tower takes it.
/// </summary>
public static class ClipImagePreprocessor
{
    /// <summary>CLIP's per-channel mean (RGB).</summary>
    public static IReadOnlyList<float> Mean { get; } = [0.48145466f, 0.4578275f, 0.40821073f];

    /// <summary>CLIP's per-channel standard deviation (RGB).</summary>
    public static IReadOnlyList<float> Std { get; } = [0.26862954f, 0.26130258f, 0.27577711f];

    /// <summary>Decodes <paramref name="encoded"/> to 8-bit RGB.</summary>
    /// <exception cref="EmbeddingException">The bytes are not an image this decoder reads.</exception>
    public static (byte[] Rgb, int Width, int Height) Decode(ReadOnlySpan<byte> encoded, string description = "image")
    {
        try
        {
            var image = ImageResult.FromMemory(encoded.ToArray(), ColorComponents.RedGreenBlue);
            return (image.Data, image.Width, image.Height);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new EmbeddingException($"Cannot decode {description} ({encoded.Length} bytes) as an image: {ex.Message}", ex);
        }
    }

    /// <summary>Decodes and transforms one image into <paramref name="destination"/> (3 × size × size floats).</summary>
    public static void Preprocess(ReadOnlySpan<byte> encoded, int size, Span<float> destination, string description = "image")
    {
        var (rgb, width, height) = Decode(encoded, description);
        Preprocess(rgb, width, height, size, destination);
    }

    /// <summary>Transforms decoded RGB pixels into <paramref name="destination"/> (3 × size × size floats).</summary>
    public static void Preprocess(byte[] rgb, int width, int height, int size, Span<float> destination)
        => ResizeCropPlanar(rgb, width, height, size, destination, static (c, value) => ((value / 255f) - Mean[c]) / Std[c]);

    /// <summary>
    /// Resizes the shorter side to <paramref name="size"/> (bicubic), centre-crops a square and writes it
    /// planar (channel, row, column) through <paramref name="transform"/> (channel, 0..255 value → float).
    /// </summary>
    public static void ResizeCropPlanar(byte[] rgb, int width, int height, int size, Span<float> destination, Func<int, byte, float> transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        ArgumentNullException.ThrowIfNull(rgb);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (destination.Length < 3 * size * size)
        {
            throw new ArgumentException($"The destination holds {destination.Length} floats; {3 * size * size} are needed.", nameof(destination));
        }

        // Resize(size): the shorter side becomes size, the longer one keeps the aspect (truncated, as torchvision does).
        int newWidth, newHeight;
        if (width <= height)
        {
            newWidth = size;
            newHeight = Math.Max(size, (int)((long)size * height / width));
        }
        else
        {
            newHeight = size;
            newWidth = Math.Max(size, (int)((long)size * width / height));
        }

        var resized = width == newWidth && height == newHeight ? rgb : Resize(rgb, width, height, newWidth, newHeight);

        // CenterCrop(size): torchvision rounds the offsets.
        var top = (int)Math.Round((newHeight - size) / 2.0, MidpointRounding.ToEven);
        var left = (int)Math.Round((newWidth - size) / 2.0, MidpointRounding.ToEven);
        var plane = size * size;
        for (var y = 0; y < size; y++)
        {
            var row = ((top + y) * newWidth) + left;
            for (var x = 0; x < size; x++)
            {
                var pixel = (row + x) * 3;
                for (var c = 0; c < 3; c++)
                {
                    destination[(c * plane) + (y * size) + x] = transform(c, resized[pixel + c]);
                }
            }
        }
    }

    /// <summary>
    /// Bicubic resize of 8-bit RGB, done as PIL does it: separable passes (horizontal, then vertical),
    /// the kernel (a = -0.5) widened by the scale when shrinking so every source pixel counts, each
    /// pass rounded and clamped to 8 bits.
    /// </summary>
    public static byte[] Resize(byte[] rgb, int width, int height, int newWidth, int newHeight)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        var horizontal = new byte[newWidth * height * 3];
        var (xBounds, xWeights, xSupport) = Coefficients(width, newWidth);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < newWidth; x++)
            {
                var (start, count) = xBounds[x];
                for (var c = 0; c < 3; c++)
                {
                    double sum = 0;
                    for (var k = 0; k < count; k++)
                    {
                        sum += rgb[(((y * width) + start + k) * 3) + c] * xWeights[(x * xSupport) + k];
                    }

                    horizontal[(((y * newWidth) + x) * 3) + c] = Clamp(sum);
                }
            }
        }

        var result = new byte[newWidth * newHeight * 3];
        var (yBounds, yWeights, ySupport) = Coefficients(height, newHeight);
        for (var y = 0; y < newHeight; y++)
        {
            var (start, count) = yBounds[y];
            for (var x = 0; x < newWidth; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    double sum = 0;
                    for (var k = 0; k < count; k++)
                    {
                        sum += horizontal[((((start + k) * newWidth) + x) * 3) + c] * yWeights[(y * ySupport) + k];
                    }

                    result[(((y * newWidth) + x) * 3) + c] = Clamp(sum);
                }
            }
        }

        return result;
    }

    private static ((int Start, int Count)[] Bounds, double[] Weights, int Support) Coefficients(int inSize, int outSize)
    {
        const double support = 2.0; // bicubic
        var scale = (double)inSize / outSize;
        var filterScale = Math.Max(scale, 1.0);
        var radius = support * filterScale;
        var maxTaps = (int)Math.Ceiling(radius) * 2 + 1;
        var bounds = new (int, int)[outSize];
        var weights = new double[outSize * maxTaps];
        for (var x = 0; x < outSize; x++)
        {
            var center = (x + 0.5) * scale;
            var min = Math.Max((int)(center - radius + 0.5), 0);
            var max = Math.Min((int)(center + radius + 0.5), inSize);
            var count = max - min;
            double total = 0;
            for (var k = 0; k < count; k++)
            {
                var w = Bicubic((k + min - center + 0.5) / filterScale);
                weights[(x * maxTaps) + k] = w;
                total += w;
            }

            if (total != 0)
            {
                for (var k = 0; k < count; k++)
                {
                    weights[(x * maxTaps) + k] /= total;
                }
            }

            bounds[x] = (min, count);
        }

        return (bounds, weights, maxTaps);
    }

    private static double Bicubic(double x)
    {
        const double a = -0.5;
        x = Math.Abs(x);
        if (x < 1.0)
        {
            return (((a + 2.0) * x) - (a + 3.0)) * x * x + 1;
        }

        if (x < 2.0)
        {
            return ((((x - 5) * x) + 8) * x - 4) * a;
        }

        return 0;
    }

    private static byte Clamp(double value) => value <= 0 ? (byte)0 : value >= 255 ? (byte)255 : (byte)Math.Round(value, MidpointRounding.AwayFromZero);
}
