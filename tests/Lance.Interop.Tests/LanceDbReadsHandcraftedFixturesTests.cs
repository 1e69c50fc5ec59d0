namespace Lance.Interop.Tests;

/// <summary>The real LanceDB (Node) opens the hand-written datasets and reads exactly what they hold.</summary>
public sealed class LanceDbReadsHandcraftedFixturesTests(HandcraftedFixtures fixtures) : IClassFixture<HandcraftedFixtures>
{
    [Theory]
    [InlineData(HandcraftedFixtures.FullZip)]
    [InlineData(HandcraftedFixtures.MiniBlockNullsDeletion)]
    public async Task Scan_returns_the_expected_number_of_rows(string fixture)
    {
        var scan = await fixtures.ScanAsync(fixture);

        Assert.Equal(fixtures.Expected(fixture).Rows, scan.RowCount);
        Assert.Equal(scan.RowCount, scan.Rows.Count);
    }

    [Theory]
    [InlineData(HandcraftedFixtures.FullZip)]
    [InlineData(HandcraftedFixtures.MiniBlockNullsDeletion)]
    public async Task Scan_opens_the_latest_version(string fixture)
    {
        var scan = await fixtures.ScanAsync(fixture);

        Assert.Equal(fixtures.Expected(fixture).Version, scan.Version);
    }

    [Theory]
    [InlineData(HandcraftedFixtures.FullZip)]
    [InlineData(HandcraftedFixtures.MiniBlockNullsDeletion)]
    public async Task Scan_returns_the_expected_ids_in_order(string fixture)
    {
        var scan = await fixtures.ScanAsync(fixture);

        Assert.Equal(fixtures.Expected(fixture).Data.Select(r => r.Id), scan.Rows.Select(r => r.GetInt64("id")));
    }

    [Theory]
    [InlineData(HandcraftedFixtures.FullZip)]
    [InlineData(HandcraftedFixtures.MiniBlockNullsDeletion)]
    public async Task Scan_returns_the_expected_texts_including_nulls(string fixture)
    {
        var scan = await fixtures.ScanAsync(fixture);

        Assert.Equal(fixtures.Expected(fixture).Data.Select(r => r.Text), scan.Rows.Select(r => r.GetString("text")));
    }

    [Theory]
    [InlineData(HandcraftedFixtures.FullZip)]
    [InlineData(HandcraftedFixtures.MiniBlockNullsDeletion)]
    public async Task Scan_returns_the_expected_vectors_bit_for_bit(string fixture)
    {
        var scan = await fixtures.ScanAsync(fixture);
        var expected = fixtures.Expected(fixture).Data;

        Assert.Equal(expected.Count, scan.Rows.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Vector, scan.Rows[i].GetVector("vector"));
        }
    }

    [Theory]
    [InlineData(HandcraftedFixtures.FullZip)]
    [InlineData(HandcraftedFixtures.MiniBlockNullsDeletion)]
    public async Task Schema_is_int64_id_nullable_utf8_text_and_nullable_8_float_vector(string fixture)
    {
        var scan = await fixtures.ScanAsync(fixture);

        Assert.Equal(
            [new PeerField("id", "Int64", false), new PeerField("text", "Utf8", true), new PeerField("vector", "FixedSizeList[8]<Float32>", true)],
            scan.Schema);
    }

    [Fact]
    public async Task Every_tenth_text_of_the_miniblock_fixture_is_null()
    {
        var scan = await fixtures.ScanAsync(HandcraftedFixtures.MiniBlockNullsDeletion);

        Assert.All(scan.Rows, row => Assert.Equal(row.GetInt64("id") % 10 == 9, row.IsNull("text")));
        Assert.Contains(scan.Rows, row => row.IsNull("text"));
    }

    [Fact]
    public async Task Rows_in_the_deletion_file_are_not_returned()
    {
        var scan = await fixtures.ScanAsync(HandcraftedFixtures.MiniBlockNullsDeletion);

        var ids = scan.Rows.Select(r => r.GetInt64("id")).ToHashSet();
        Assert.DoesNotContain(3L, ids);
        Assert.DoesNotContain(4L, ids);
        Assert.DoesNotContain(5L, ids);
        Assert.Contains(2L, ids);
        Assert.Contains(6L, ids);
    }

    [Fact]
    public async Task Version_1_of_the_miniblock_fixture_still_has_all_1000_rows()
    {
        var count = await fixtures.Peer.CountAsync(
            fixtures.Database(HandcraftedFixtures.MiniBlockNullsDeletion), HandcraftedFixtures.Table, version: 1);

        Assert.Equal(1000, count);
    }

    [Fact]
    public async Task LanceDb_lists_versions_1_and_2_of_the_miniblock_fixture()
    {
        var versions = await fixtures.Peer.VersionsAsync(
            fixtures.Database(HandcraftedFixtures.MiniBlockNullsDeletion), HandcraftedFixtures.Table);

        Assert.Equal([1L, 2L], versions.Versions.Select(v => v.Version));
        Assert.Equal(2, versions.Current);
    }

    [Fact]
    public async Task Count_with_a_filter_counts_matching_rows()
    {
        var count = await fixtures.Peer.CountAsync(fixtures.Database(HandcraftedFixtures.FullZip), HandcraftedFixtures.Table, "id < 100");

        Assert.Equal(100, count);
    }

    [Fact]
    public async Task Scan_with_columns_and_filter_returns_only_those()
    {
        var scan = await fixtures.Peer.ScanAsync(
            fixtures.Database(HandcraftedFixtures.FullZip), HandcraftedFixtures.Table, columns: ["id"], filter: "id >= 990");

        Assert.Equal(Enumerable.Range(990, 10).Select(i => (long)i), scan.Rows.Select(r => r.GetInt64("id")));
        Assert.All(scan.Rows, r => Assert.Equal(["id"], r.Values.Keys));
    }

    [Fact]
    public async Task Miniblock_metadata_names_the_toy_hash_embedding_function()
    {
        var scan = await fixtures.ScanAsync(HandcraftedFixtures.MiniBlockNullsDeletion);

        Assert.Contains("\"toy-hash\"", scan.Metadata["embedding_functions"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fullzip_metadata_holds_only_owner_csharp()
    {
        var scan = await fixtures.ScanAsync(HandcraftedFixtures.FullZip);

        Assert.Equal(new Dictionary<string, string> { ["owner"] = "csharp" }, scan.Metadata);
    }

    [Fact]
    public async Task LanceDb_finds_the_table_hand_in_each_fixture()
    {
        var names = await fixtures.Peer.TableNamesAsync(fixtures.Database(HandcraftedFixtures.FullZip));

        Assert.Equal(["hand"], names);
    }
}
