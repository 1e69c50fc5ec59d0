using System.Text.Json;
using Lance.Engine;
using Lance.Interop.Tests;
using Lance.Orm;
using Lance.Storage.Tests.Support;

namespace Lance.Storage.Tests.Orm;

/// <summary>
/// The table operations beyond add/search/delete on object storage — merge-insert, versions,
/// checkout, restore, compaction, cleanup and index builds — behaving as on local disk, with
/// LanceDB (Node) reading each result from the same bucket path. On S3 the loopback proxy gives
/// s3rver the conditional creates it lacks (see <see cref="CloudDatabaseTests"/>).
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class CloudMaintenanceTests(Emulators emulators) : IAsyncLifetime
{
    private static readonly LanceDbPeer Peer = LanceDbPeer.Default;

    private FaultProxy _s3Proxy = null!;

    public static TheoryData<string> Stores => ["s3", "azure"];

    public async Task InitializeAsync()
        => _s3Proxy = await FaultProxy.StartAsync(emulators.S3.Endpoint, 0, emulateS3ConditionalPut: (emulators.S3.DataDirectory, Emulators.Bucket));

    public async Task DisposeAsync() => await _s3Proxy.DisposeAsync();

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Merge_insert_versions_checkout_and_restore_read_the_same_in_lancedb(string kind)
    {
        var (uri, options) = Database(kind);
        await using var db = await LanceDb.ConnectAsync(uri, new DatabaseOptions().UseObjectStorage(options));
        var table = await db.CreateTableAsync("docs", Enumerable.Range(0, 100).Select(i => CloudDoc.Make(i)));

        // Rows 90..99 are updated, 100..109 inserted.
        var merged = await table.MergeInsertAsync(
            Enumerable.Range(90, 20).Select(i => CloudDoc.Make(i) with { Text = "merged" }), d => d.Id);
        Assert.Equal(new MergeInsertResult(10, 10, 0), merged);
        var texts = await PeerAsync(kind, uri, "docs", "texts", new { filter = "id >= 85" });
        var expected = Enumerable.Range(85, 25).Select(i => (i, i >= 90 ? "merged" : $"row {i}"));
        Assert.Equal(expected, texts.RootElement.GetProperty("rows").EnumerateArray().Select(r => (r.GetProperty("id").GetInt32(), r.GetProperty("text").GetString()!)));

        Assert.Equal(3, await table.DeleteAsync(d => d.Id < 3));
        var ours = await table.ListVersionsAsync();
        Assert.Equal([1UL, 2UL, 3UL], ours.Select(v => v.Version));
        var theirs = await PeerAsync(kind, uri, "docs", "versions", new { });
        Assert.Equal(ours.Select(v => (long)v.Version), theirs.RootElement.GetProperty("versions").EnumerateArray().Select(e => e.GetInt64()));
        foreach (var (version, rows) in new[] { (1UL, 100L), (2UL, 110L), (3UL, 107L) })
        {
            var old = await table.CheckoutAsync(version);
            Assert.Equal(rows, await old.CountRowsAsync());
            var count = await PeerAsync(kind, uri, "docs", "count", new { version });
            Assert.Equal(rows, count.RootElement.GetProperty("count").GetInt64());
        }

        await table.RestoreAsync(1);
        Assert.Equal(4UL, table.Version);
        var restored = await PeerAsync(kind, uri, "docs", "count", new { });
        Assert.Equal(100, restored.RootElement.GetProperty("count").GetInt64());
        Assert.Equal(4, restored.RootElement.GetProperty("version").GetInt64());
        var ids = await PeerAsync(kind, uri, "docs", "ids", new { });
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), ids.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt64()));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Compaction_and_cleanup_leave_a_table_lancedb_reads_whole(string kind)
    {
        var (uri, options) = Database(kind);
        await using var db = await LanceDb.ConnectAsync(uri, new DatabaseOptions().UseObjectStorage(options));
        var table = await db.CreateTableAsync("docs", Enumerable.Range(0, 20).Select(i => CloudDoc.Make(i)));
        for (var batch = 1; batch < 6; batch++)
        {
            await table.AddAsync(Enumerable.Range(batch * 20, 20).Select(i => CloudDoc.Make(i)));
        }

        Assert.Equal(20, await table.DeleteAsync(d => d.Id >= 45 && d.Id < 65));
        var before = await PeerAsync(kind, uri, "docs", "stats", new { });
        Assert.Equal(6, before.RootElement.GetProperty("fragments").GetInt32());

        var compacted = await table.CompactAsync();
        Assert.Equal(6, compacted.FragmentsRemoved);
        Assert.Equal(1, compacted.FragmentsAdded);
        var after = await PeerAsync(kind, uri, "docs", "stats", new { });
        Assert.Equal(1, after.RootElement.GetProperty("fragments").GetInt32());
        Assert.Equal(100, after.RootElement.GetProperty("rows").GetInt32());
        var expectedIds = Enumerable.Range(0, 120).Where(i => i is < 45 or >= 65).Select(i => (long)i).ToList();
        var ids = await PeerAsync(kind, uri, "docs", "ids", new { });
        Assert.Equal(expectedIds, ids.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt64()));

        var versionsBefore = (await table.ListVersionsAsync()).Count;
        var cleaned = await table.CleanupOldVersionsAsync(TimeSpan.Zero);
        Assert.Equal(versionsBefore - 1, cleaned.VersionsRemoved);
        Assert.True(cleaned.FilesRemoved >= 6, $"only {cleaned.FilesRemoved} files were removed");
        var versions = await PeerAsync(kind, uri, "docs", "versions", new { });
        Assert.Equal([(long)table.Version], versions.RootElement.GetProperty("versions").EnumerateArray().Select(e => e.GetInt64()));
        var search = await PeerAsync(kind, uri, "docs", "search", new { vector = CloudDoc.Make(7).Vector, k = 1 });
        Assert.Equal(7, search.RootElement.GetProperty("ids")[0].GetInt64());
        Assert.Equal(expectedIds.Count, await table.CountRowsAsync());

        // LanceDB appends to what we compacted and cleaned, and we read it.
        await PeerAsync(kind, uri, "docs", "add", new { n = 5, startId = 500 });
        await table.RefreshAsync();
        Assert.Equal(expectedIds.Count + 5, await table.CountRowsAsync());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_vector_index_built_there_is_listed_and_used_by_lancedb(string kind)
    {
        var (uri, options) = Database(kind);
        await using var db = await LanceDb.ConnectAsync(uri, new DatabaseOptions().UseObjectStorage(options));
        // 97 distinct vectors (ids equal mod 97 share one), enough rows to train 2 partitions and PQ.
        var table = await db.CreateTableAsync("docs", Enumerable.Range(0, 600).Select(i => CloudDoc.Make(i)));
        var index = await table.CreateIndexAsync(d => d.Vector, new IvfPqOptions { NumPartitions = 2, NumSubVectors = 2 });
        Assert.Equal(600, index.IndexedRows);

        var listed = await PeerAsync(kind, uri, "docs", "indices", new { });
        var only = Assert.Single(listed.RootElement.GetProperty("indices").EnumerateArray());
        Assert.Equal(index.Name, only.GetProperty("name").GetString());
        Assert.Equal("IvfPq", only.GetProperty("type").GetString());
        Assert.Equal(["vector"], only.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));

        // Both sides search through the index (all partitions probed) and find the query's own vector first.
        var query = CloudDoc.Make(42).Vector;
        var ours = await table.Search(query).Nprobes(2).Limit(5).ToSearchResultsAsync();
        var theirs = await PeerAsync(kind, uri, "docs", "search", new { vector = query, k = 5, nprobes = 2 });
        Assert.Equal(42, ours[0].Row.Id % 97);
        Assert.Equal(42, theirs.RootElement.GetProperty("ids")[0].GetInt64() % 97);
        Assert.Equal(ours.Select(r => r.Row.Id % 97), theirs.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt64() % 97));

        // A fresh connection (nothing cached) refines with the candidates' vectors read by ranged requests: exact distances.
        await using var fresh = await LanceDb.ConnectAsync(uri, new DatabaseOptions().UseObjectStorage(options));
        var reopened = await fresh.OpenTableAsync<CloudDoc>("docs");
        var refined = await reopened.Search(query).Nprobes(2).RefineFactor(5).Limit(5).ToSearchResultsAsync();
        Assert.Equal(5, refined.Count);
        foreach (var hit in refined)
        {
            var exact = hit.Row.Vector.Zip(query, (a, b) => (a - b) * (a - b)).Sum();
            Assert.Equal(exact, hit.Distance, 1e-4f);
        }

        Assert.Equal(42, refined[0].Row.Id % 97);
    }

    private (string Uri, Dictionary<string, string> Options) Database(string kind)
    {
        if (kind == "s3")
        {
            var options = emulators.S3Options(_s3Proxy.Endpoint);
            options["aws_conditional_put"] = "etag";
            return (Emulators.NewS3Uri(), options);
        }

        return (Emulators.NewAzureUri(), emulators.AzureOptions());
    }

    private async Task<JsonDocument> PeerAsync(string kind, string uri, string table, string op, object extra)
    {
        var storageOptions = kind == "s3" ? emulators.S3Options() : emulators.AzureOptions();
        var args = JsonSerializer.SerializeToElement(extra).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
        args["uri"] = uri;
        args["storageOptions"] = storageOptions;
        args["table"] = table;
        args["op"] = op;
        return await Peer.RunAsync("object-store", args);
    }
}
