using Lance.Engine.Search.Kernels;

namespace Lance.Engine.Tests.Kernels;

/// <summary>
/// Inputs for the kernel tests (awkward lengths, special values) and the scalar references the
/// kernels must match bit for bit: the summation order that <see cref="IKernelWidth"/> documents,
/// written out plainly.
/// </summary>
public static class KernelData
{
    /// <summary>Lengths around every block size the kernels use (4, 8, 16) and typical dimensions.</summary>
    public static readonly int[] AwkwardLengths = [1, 3, 7, 15, 17, 31, 33, 383, 384, 1023];

    /// <summary>Every width, as the bit count the tests pass around (the enum is internal).</summary>
    public static readonly int[] Widths = [0, 128, 256, 512];

    public static TheoryData<int, int> WidthsByLengths()
    {
        var data = new TheoryData<int, int>();
        foreach (var width in Widths)
        {
            foreach (var length in AwkwardLengths)
            {
                data.Add(width, length);
            }
        }

        return data;
    }

    public static TheoryData<int, DistanceMetric> WidthsByMetrics()
    {
        var data = new TheoryData<int, DistanceMetric>();
        foreach (var width in Widths)
        {
            foreach (var metric in new[] { DistanceMetric.L2, DistanceMetric.Cosine, DistanceMetric.Dot })
            {
                data.Add(width, metric);
            }
        }

        return data;
    }

    /// <summary>The kinds of vector the tests draw: plain, with zeros and subnormals, with one NaN or infinity, huge.</summary>
    public enum Kind
    {
        Plain,
        ZerosAndSubnormals,
        OneSpecial,
        AllZeros,
        Huge,
    }

    public static float[] Vector(Random random, int length, Kind kind)
    {
        var v = new float[length];
        for (var i = 0; i < length; i++)
        {
            v[i] = kind switch
            {
                Kind.AllZeros => 0f,
                Kind.Huge => (float)((random.NextDouble() * 2) - 1) * 1e36f,
                Kind.ZerosAndSubnormals => random.Next(4) switch
                {
                    0 => 0f,
                    1 => -0f,
                    2 => float.Epsilon * random.Next(1, 1 << 20) * (random.Next(2) == 0 ? 1 : -1),
                    _ => (float)((random.NextDouble() * 2) - 1) * 1e-19f,
                },
                _ => (float)((random.NextDouble() * 2) - 1),
            };
        }

        if (kind == Kind.OneSpecial)
        {
            v[random.Next(length)] = random.Next(3) switch { 0 => float.NaN, 1 => float.PositiveInfinity, _ => float.NegativeInfinity };
        }

        return v;
    }

    /// <summary>The documented order: sixteen lanes, fold to eight, one more block of eight, fold to four, (l0 + l2) + (l1 + l3), then the tail.</summary>
    public static float Sum(Func<float, float, float, float> step, float[] a, float[] b)
    {
        var lanes = new float[16];
        var n = a.Length;
        var i = 0;
        for (; i + 16 <= n; i += 16)
        {
            for (var j = 0; j < 16; j++)
            {
                lanes[j] = step(lanes[j], a[i + j], b[i + j]);
            }
        }

        for (var j = 0; j < 8; j++)
        {
            lanes[j] += lanes[j + 8];
        }

        if (i + 8 <= n)
        {
            for (var j = 0; j < 8; j++)
            {
                lanes[j] = step(lanes[j], a[i + j], b[i + j]);
            }

            i += 8;
        }

        for (var j = 0; j < 4; j++)
        {
            lanes[j] += lanes[j + 4];
        }

        var sum = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
        for (; i < n; i++)
        {
            sum = step(sum, a[i], b[i]);
        }

        return sum;
    }

    public static float SquaredDifference(float acc, float x, float y) => acc + ((x - y) * (x - y));

    public static float Product(float acc, float x, float y) => acc + (x * y);

    public static float SecondSquared(float acc, float x, float y) => acc + (y * y);

    /// <summary>LanceDB's distances, from the reference sums.</summary>
    public static float Distance(DistanceMetric metric, float[] query, float[] vector) => metric switch
    {
        DistanceMetric.L2 => Sum(SquaredDifference, query, vector),
        DistanceMetric.Dot => 1f - Sum(Product, query, vector),
        _ => Cosine(query, vector),
    };

    private static float Cosine(float[] query, float[] vector)
    {
        // Divided by each norm in turn, as LanceDB does; NaN for a zero vector, as LanceDB.
        return 1f - (Sum(Product, query, vector) / MathF.Sqrt(Sum(Product, query, query)) / MathF.Sqrt(Sum(SecondSquared, query, vector)));
    }

    /// <summary>Equal bits, or both NaN (a NaN's payload is not part of the contract).</summary>
    public static bool SameFloat(float a, float b)
        => float.IsNaN(a) ? float.IsNaN(b) : BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b);

    public static void AssertSame(float expected, float actual, string what)
        => Assert.True(SameFloat(expected, actual), $"{what}: expected {expected:R} (0x{BitConverter.SingleToInt32Bits(expected):X8}), got {actual:R} (0x{BitConverter.SingleToInt32Bits(actual):X8})");
}
