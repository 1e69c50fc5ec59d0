using Lance.Engine.Index;
using Lance.Engine.Search.Kernels;
using static Lance.Engine.Tests.Kernels.KernelData;

namespace Lance.Engine.Tests.Kernels;

public sealed class BlockDotWidthTests
{
    public static TheoryData<int> AllWidths() => new(Widths);

    [Theory]
    [MemberData(nameof(AllWidths))]
    public void Block_dot_products_at_every_width_are_the_bits_of_one_fused_chain_per_product(int width)
    {
        var random = new Random(width + 1);
        foreach (var dimension in AwkwardLengths)
        {
            foreach (var (rows, columns) in new[] { (1, 1), (3, 17), (6, 33), (9, 16) })
            {
                var kind = (Kind)(dimension % 5);
                var x = Enumerable.Range(0, rows).SelectMany(_ => Vector(random, dimension, kind)).ToArray();
                var c = Enumerable.Range(0, columns).SelectMany(_ => Vector(random, dimension, Kind.Plain)).ToArray();
                var padded = BlockDot.Pad(columns);
                var output = new float[rows * padded];

                BlockDot.Compute((KernelWidth)width, x, rows, dimension, dimension, BlockDot.Transpose(c, columns, dimension), padded, output);

                for (var r = 0; r < rows; r++)
                {
                    for (var j = 0; j < columns; j++)
                    {
                        var expected = 0f;
                        for (var d = 0; d < dimension; d++)
                        {
                            expected = MathF.FusedMultiplyAdd(x[(r * dimension) + d], c[(j * dimension) + d], expected);
                        }

                        AssertSame(expected, output[(r * padded) + j], $"row {r} · column {j}, dimension {dimension}");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllWidths))]
    public void Arg_min_at_every_width_finds_the_lowest_index_of_the_smallest_score(int width)
    {
        var random = new Random(width + 2);
        foreach (var length in AwkwardLengths)
        {
            for (var draw = 0; draw < 20; draw++)
            {
                // Few distinct values, so ties are common; some NaN and infinite scores.
                var dots = Enumerable.Range(0, length).Select(_ => (float)random.Next(-3, 4)).ToArray();
                var norms = Enumerable.Range(0, length).Select(_ => random.Next(12) switch
                {
                    0 => float.NaN,
                    1 => float.PositiveInfinity,
                    _ => (float)random.Next(0, 5),
                }).ToArray();

                var expectedIndex = 0;
                var expectedScore = float.PositiveInfinity;
                for (var i = 0; i < length; i++)
                {
                    var score = norms[i] - (2 * dots[i]);
                    if (score < expectedScore)
                    {
                        expectedScore = score;
                        expectedIndex = i;
                    }
                }

                var index = BlockDot.ArgMin((KernelWidth)width, dots, norms, out var bestScore);

                Assert.Equal(expectedIndex, index);
                AssertSame(expectedScore, bestScore, $"best score of {length}");
            }
        }
    }

    [Fact]
    public void An_output_too_small_for_the_rows_is_refused()
        => Assert.Throws<ArgumentException>(() => BlockDot.Compute(KernelWidth.Vector128, new float[8], 2, 4, 4, new float[4 * 16], 16, new float[16]));
}
