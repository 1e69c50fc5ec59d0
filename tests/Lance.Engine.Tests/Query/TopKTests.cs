using CsCheck;
using Lance.Engine.Query;

namespace Lance.Engine.Tests.Query;

public sealed class TopKTests
{
    // Distances from a handful of values (so ties are common), NaN and infinities among them.
    private static readonly Gen<float> Distance = Gen.OneOf(
        Gen.Int[0, 6].Select(i => i * 0.5f),
        Gen.Const(float.NaN),
        Gen.Const(float.PositiveInfinity),
        Gen.Float[-10f, 10f]);

    [Fact]
    public void The_kept_pairs_come_out_nearest_first_with_ties_by_row_as_a_sort_puts_them()
    {
        // k on both sides of the size where the sort changes method (256), offers fewer and more than k.
        Gen.Select(Gen.Int[1, 600], Distance.Array[0, 900]).Sample(
            (k, distances) =>
            {
                var topK = new TopK(k);
                var offered = new List<(float Distance, long Row)>();
                for (var i = 0; i < distances.Length; i++)
                {
                    // Rows out of order, and from two fragments.
                    var row = ((long)(i % 2) << 32) + (distances.Length - i);
                    topK.Offer(distances[i], row);
                    offered.Add((distances[i], row));
                }

                var sorted = topK.ToSortedArray();
                var expected = sorted.ToArray();
                Array.Sort(expected, (a, b) => a.Distance.CompareTo(b.Distance) is var byDistance and not 0 ? byDistance : a.Row.CompareTo(b.Row));
                Assert.Equal(expected, sorted);
                Assert.Equal(Math.Min(k, distances.Length), sorted.Length);
                Assert.All(sorted, pair => Assert.Contains(pair, offered));
            },
            iter: 300);
    }
}
