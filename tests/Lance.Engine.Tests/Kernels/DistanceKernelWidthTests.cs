using Lance.Engine.Query;
using Lance.Engine.Search.Kernels;
using static Lance.Engine.Tests.Kernels.KernelData;

namespace Lance.Engine.Tests.Kernels;

public sealed class DistanceKernelWidthTests
{
    private const int K = 25;

    [Theory]
    [MemberData(nameof(WidthsByMetrics), MemberType = typeof(KernelData))]
    public void An_exact_scan_at_every_width_ranks_and_scores_as_the_scalar_reference(int width, DistanceMetric metric)
    {
        foreach (var dimension in AwkwardLengths)
        {
            var (query, vectors, rows) = Table(dimension);
            var topK = new TopK(K);

            DistanceKernels.Scan(metric, (KernelWidth)width, query, vectors, dimension, 0, rows, 7L << 32, null, topK);

            AssertRanking(Reference(metric, query, vectors, dimension, Enumerable.Range(0, rows), 7L << 32), topK.ToSortedArray(), dimension);
        }
    }

    [Theory]
    [MemberData(nameof(WidthsByMetrics), MemberType = typeof(KernelData))]
    public void A_scan_of_listed_rows_at_every_width_scores_only_those_rows_as_the_reference(int width, DistanceMetric metric)
    {
        foreach (var dimension in AwkwardLengths)
        {
            var (query, vectors, rows) = Table(dimension);
            var listed = Enumerable.Range(0, rows).Where(r => r % 3 != 1).ToArray();
            var topK = new TopK(K);

            DistanceKernels.ScanRows(metric, (KernelWidth)width, query, vectors, dimension, listed, 0, topK);

            AssertRanking(Reference(metric, query, vectors, dimension, listed, 0), topK.ToSortedArray(), dimension);
        }
    }

    [Theory]
    [MemberData(nameof(WidthsByMetrics), MemberType = typeof(KernelData))]
    public void A_measure_chosen_once_gives_the_reference_distance_at_every_width(int width, DistanceMetric metric)
    {
        foreach (var dimension in AwkwardLengths)
        {
            var (query, vectors, rows) = Table(dimension);
            var measure = DistanceKernels.Measure(metric, (KernelWidth)width, query);
            for (var r = 0; r < rows; r++)
            {
                var vector = vectors.AsSpan(r * dimension, dimension).ToArray();
                AssertSame(Distance(metric, query, vector), measure(vector), $"row {r} of dimension {dimension}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(WidthsByMetrics), MemberType = typeof(KernelData))]
    public void Distances_from_dot_products_at_every_width_equal_those_at_the_scalar_width(int width, DistanceMetric metric)
    {
        foreach (var dimension in AwkwardLengths)
        {
            var (_, vectors, rows) = Table(dimension);
            var random = new Random(dimension);
            var queries = Enumerable.Range(0, 3).Select(_ => Vector(random, dimension, Kind.Plain)).ToArray();
            var norms = queries.Select(q => Sum(Product, q, q)).ToArray();
            var padded = Lance.Engine.Index.BlockDot.Pad(queries.Length);
            var transposed = Lance.Engine.Index.BlockDot.Transpose(queries.SelectMany(q => q).ToArray(), queries.Length, dimension);
            var dots = new float[rows * padded];
            Lance.Engine.Index.BlockDot.Compute(KernelWidth.Scalar, vectors, rows, dimension, dimension, transposed, padded, dots);
            Func<int, bool> skip = row => row % 5 == 2;

            var expected = queries.Select(_ => new TopK(K)).ToArray();
            DistanceKernels.OfferDots(metric, KernelWidth.Scalar, vectors, dimension, 0, rows, dots, padded, norms, skip, 0, expected);
            var actual = queries.Select(_ => new TopK(K)).ToArray();
            DistanceKernels.OfferDots(metric, (KernelWidth)width, vectors, dimension, 0, rows, dots, padded, norms, skip, 0, actual);

            for (var q = 0; q < queries.Length; q++)
            {
                AssertRanking(expected[q].ToSortedArray(), actual[q].ToSortedArray(), dimension);
                Assert.DoesNotContain(actual[q].ToSortedArray(), hit => skip((int)hit.Row));
            }
        }
    }

    [Fact]
    public void An_unknown_metric_is_refused_by_name()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => DistanceKernels.Measure((DistanceMetric)42, new float[] { 1 }));

        Assert.Contains("42", error.Message, StringComparison.Ordinal);
    }

    // A query and rows of every kind: plain, zeros and subnormals, one NaN or infinity, all zeros, huge.
    private static (float[] Query, float[] Vectors, int Rows) Table(int dimension)
    {
        var random = new Random(dimension * 7);
        var kinds = Enum.GetValues<Kind>();
        const int Rows = 60;
        var vectors = new float[Rows * dimension];
        for (var r = 0; r < Rows; r++)
        {
            Vector(random, dimension, kinds[r % kinds.Length]).CopyTo(vectors, r * dimension);
        }

        return (Vector(random, dimension, Kind.Plain), vectors, Rows);
    }

    // Every listed row's reference distance, NaN left out (infinities kept, as LanceDB keeps them), nearest first.
    private static (float Distance, long Row)[] Reference(DistanceMetric metric, float[] query, float[] vectors, int dimension, IEnumerable<int> rows, long rowIdBase)
        => rows
            .Select(r => (Distance: Distance(metric, query, vectors.AsSpan(r * dimension, dimension).ToArray()), Row: rowIdBase + r))
            .Where(x => !float.IsNaN(x.Distance))
            .OrderBy(x => x.Distance).ThenBy(x => x.Row)
            .Take(K)
            .ToArray();

    private static void AssertRanking((float Distance, long Row)[] expected, (float Distance, long Row)[] actual, int dimension)
    {
        Assert.Equal(expected.Select(x => x.Row), actual.Select(x => x.Row));
        for (var i = 0; i < expected.Length; i++)
        {
            AssertSame(expected[i].Distance, actual[i].Distance, $"hit {i} of dimension {dimension}");
        }
    }
}
