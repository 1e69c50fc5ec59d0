namespace Lance.Interop.Tests;

/// <summary>The real LanceDB (Node) runs exact vector searches over the hand-written datasets.</summary>
public sealed class LanceDbSearchesHandcraftedFixturesTests(HandcraftedFixtures fixtures) : IClassFixture<HandcraftedFixtures>
{
    private static readonly float[] Query = [0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f];

    [Theory]
    [InlineData(HandcraftedFixtures.FullZip, "l2")]
    [InlineData(HandcraftedFixtures.FullZip, "cosine")]
    [InlineData(HandcraftedFixtures.FullZip, "dot")]
    [InlineData(HandcraftedFixtures.MiniBlockNullsDeletion, "l2")]
    [InlineData(HandcraftedFixtures.MiniBlockNullsDeletion, "cosine")]
    [InlineData(HandcraftedFixtures.MiniBlockNullsDeletion, "dot")]
    public async Task Search_returns_10_rows_ordered_by_distance(string fixture, string metric)
    {
        var result = await fixtures.Peer.SearchAsync(fixtures.Database(fixture), HandcraftedFixtures.Table, Query, 10, metric);

        Assert.Equal(10, result.Rows.Count);
        var distances = result.Rows.Select(r => r.Distance).ToList();
        Assert.Equal(distances.Order(), distances);
    }

    [Theory]
    [InlineData(HandcraftedFixtures.FullZip, "l2")]
    [InlineData(HandcraftedFixtures.FullZip, "cosine")]
    [InlineData(HandcraftedFixtures.FullZip, "dot")]
    [InlineData(HandcraftedFixtures.MiniBlockNullsDeletion, "l2")]
    [InlineData(HandcraftedFixtures.MiniBlockNullsDeletion, "cosine")]
    [InlineData(HandcraftedFixtures.MiniBlockNullsDeletion, "dot")]
    public async Task Search_finds_the_brute_force_nearest_rows_with_their_distances(string fixture, string metric)
    {
        var expected = fixtures.Expected(fixture).Data
            .Where(r => r.Vector is not null)
            .Select(r => (r.Id, Distance: Distance(metric, Query, r.Vector!)))
            .OrderBy(r => r.Distance)
            .Take(10)
            .ToList();

        var result = await fixtures.Peer.SearchAsync(fixtures.Database(fixture), HandcraftedFixtures.Table, Query, 10, metric, columns: ["id"]);

        Assert.Equal(expected.Select(r => r.Id), result.Rows.Select(r => r.GetInt64("id")));
        Assert.All(expected.Zip(result.Rows), pair => Assert.Equal(pair.First.Distance, pair.Second.Distance, 1e-5));
    }

    [Fact]
    public async Task Search_with_a_filter_returns_only_matching_rows()
    {
        var result = await fixtures.Peer.SearchAsync(
            fixtures.Database(HandcraftedFixtures.FullZip), HandcraftedFixtures.Table, Query, 10, filter: "id >= 500");

        Assert.Equal(10, result.Rows.Count);
        Assert.All(result.Rows, r => Assert.True(r.GetInt64("id") >= 500));
    }

    [Fact]
    public async Task Search_never_returns_deleted_rows()
    {
        var fixture = HandcraftedFixtures.MiniBlockNullsDeletion;
        var deleted = fixtures.Peer.ScanAsync(fixtures.Database(fixture), HandcraftedFixtures.Table, version: 1, filter: "id = 4");
        var vector = (await deleted).Rows.Single().GetVector("vector")!;

        var result = await fixtures.Peer.SearchAsync(fixtures.Database(fixture), HandcraftedFixtures.Table, vector, 5, columns: ["id"]);

        Assert.DoesNotContain(4L, result.Rows.Select(r => r.GetInt64("id")));
        Assert.True(result.Rows[0].Distance > 0);
    }

    /// <summary>LanceDB's distances: l2 is the squared Euclidean distance, cosine 1 − cos, dot 1 − a·b.</summary>
    private static double Distance(string metric, float[] a, float[] b)
    {
        double dot = 0, aa = 0, bb = 0, l2 = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            aa += (double)a[i] * a[i];
            bb += (double)b[i] * b[i];
            l2 += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        }

        return metric switch
        {
            "l2" => l2,
            "cosine" => 1 - (dot / Math.Sqrt(aa * bb)),
            "dot" => 1 - dot,
            _ => throw new ArgumentOutOfRangeException(nameof(metric)),
        };
    }
}
