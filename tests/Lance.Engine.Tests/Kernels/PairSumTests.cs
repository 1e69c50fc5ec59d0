using Lance.Engine.Search.Kernels;
using static Lance.Engine.Tests.Kernels.KernelData;

namespace Lance.Engine.Tests.Kernels;

public sealed class PairSumTests
{
    [Theory]
    [MemberData(nameof(WidthsByLengths), MemberType = typeof(KernelData))]
    public void Every_width_sums_squared_differences_to_the_same_bits_as_the_scalar_reference(int width, int length)
    {
        foreach (var (a, b) in Pairs(length))
        {
            AssertSame(Sum(SquaredDifference, a, b), VectorSums.Sum<SquaredDifference>(a, b, (KernelWidth)width), $"Σ(a−b)² of {length}");
        }
    }

    [Theory]
    [MemberData(nameof(WidthsByLengths), MemberType = typeof(KernelData))]
    public void Every_width_sums_products_to_the_same_bits_as_the_scalar_reference(int width, int length)
    {
        foreach (var (a, b) in Pairs(length))
        {
            AssertSame(Sum(Product, a, b), VectorSums.Sum<Product>(a, b, (KernelWidth)width), $"a·b of {length}");
        }
    }

    [Theory]
    [MemberData(nameof(WidthsByLengths), MemberType = typeof(KernelData))]
    public void Every_width_sums_a_dot_product_and_a_norm_in_one_pass_to_the_reference_bits(int width, int length)
    {
        foreach (var (a, b) in Pairs(length))
        {
            var (dot, norm) = (KernelWidth)width switch
            {
                KernelWidth.Vector512 => Simd512.Sums<Product, SecondSquared>(a, b),
                KernelWidth.Vector256 => Simd256.Sums<Product, SecondSquared>(a, b),
                KernelWidth.Vector128 => Simd128.Sums<Product, SecondSquared>(a, b),
                _ => ScalarWidth.Sums<Product, SecondSquared>(a, b),
            };

            AssertSame(Sum(Product, a, b), dot, $"a·b of {length}");
            AssertSame(Sum(SecondSquared, a, b), norm, $"b·b of {length}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(384)]
    [InlineData(1023)]
    public void The_reference_order_agrees_with_a_double_precision_sum_on_plain_vectors(int length)
    {
        var random = new Random(length);
        var a = Vector(random, length, Kind.Plain);
        var b = Vector(random, length, Kind.Plain);

        var exact = a.Zip(b, (x, y) => ((double)x - y) * ((double)x - y)).Sum();

        Assert.Equal(exact, Sum(SquaredDifference, a, b), exact * 1e-5);
    }

    [Fact]
    public void Vectors_of_different_lengths_are_refused()
        => Assert.Throws<ArgumentException>(() => VectorSums.Sum<Product>(new float[8], new float[7], KernelWidth.Vector128));

    // Each kind of vector against each other kind, a few draws each.
    private static IEnumerable<(float[] A, float[] B)> Pairs(int length)
    {
        var random = new Random(length * 31);
        foreach (var kindA in Enum.GetValues<Kind>())
        {
            foreach (var kindB in Enum.GetValues<Kind>())
            {
                for (var draw = 0; draw < 3; draw++)
                {
                    yield return (Vector(random, length, kindA), Vector(random, length, kindB));
                }
            }
        }
    }
}
