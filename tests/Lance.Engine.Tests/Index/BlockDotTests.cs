using Lance.Engine.Index;

namespace Lance.Engine.Tests.Index;

public sealed class BlockDotTests
{
    [Theory]
    [InlineData(7, 5, 3)]
    [InlineData(64, 384, 256)]
    [InlineData(9, 8, 17)]
    public void Block_dot_products_equal_a_naive_double_precision_product(int rows, int dimension, int columns)
    {
        var random = new Random(rows + dimension + columns);
        var x = Enumerable.Range(0, rows * dimension).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var c = Enumerable.Range(0, columns * dimension).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var padded = BlockDot.Pad(columns);
        var output = new float[rows * padded];

        BlockDot.Compute(x, rows, dimension, dimension, BlockDot.Transpose(c, columns, dimension), padded, output);

        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < columns; j++)
            {
                double expected = 0;
                for (var d = 0; d < dimension; d++) expected += x[(r * dimension) + d] * (double)c[(j * dimension) + d];
                Assert.Equal(expected, output[(r * padded) + j], 1e-3);
            }
        }
    }

    [Fact]
    public void Arg_min_picks_the_nearest_and_the_lowest_index_on_ties()
    {
        // score = norm − 2·dot: indices 3 and 12 tie at −5, everything else is higher.
        var norms = Enumerable.Repeat(1f, 20).ToArray();
        var dots = Enumerable.Repeat(0f, 20).ToArray();
        dots[3] = 3;
        dots[12] = 3;

        Assert.Equal(3, BlockDot.ArgMin(dots, norms, out var score));
        Assert.Equal(-5f, score);
    }
}
