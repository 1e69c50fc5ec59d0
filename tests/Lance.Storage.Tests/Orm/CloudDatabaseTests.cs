using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Lance.Interop.Tests;
using Lance.Orm;
using Lance.Storage.Cloud;
using Lance.Storage.Tests.Support;

namespace Lance.Storage.Tests.Orm;

/// <summary>
/// The ORM on object storage: <c>LanceDb.ConnectAsync("az://…"/"s3://…", new DatabaseOptions().UseObjectStorage(storageOptions))</c>
/// (or with the storage options alone: the package's stores are found by themselves),
/// each table operation checked by LanceDB (Node) reading the same bucket path. s3rver ignores
/// conditional creates, so on S3 the tests go through the loopback proxy that gives it them (and the
/// store is told to trust them, <c>aws_conditional_put=etag</c>); straight to s3rver a commit is refused.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class CloudDatabaseTests(Emulators emulators) : IAsyncLifetime
{
    private static readonly LanceDbPeer Peer = LanceDbPeer.Default;

    private FaultProxy _s3Proxy = null!;

    public static TheoryData<string> Stores => ["s3", "azure"];

    public async Task InitializeAsync()
        => _s3Proxy = await FaultProxy.StartAsync(emulators.S3.Endpoint, 0, emulateS3ConditionalPut: (emulators.S3.DataDirectory, Emulators.Bucket));

    public async Task DisposeAsync() => await _s3Proxy.DisposeAsync();

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Create_add_search_filter_delete_update_as_lancedb_reads_them(string kind)
    {
        var (uri, options) = Database(kind);
        await using var db = await LanceDb.ConnectAsync(uri, new DatabaseOptions().UseObjectStorage(options));
        var table = await db.CreateTableAsync("docs", Enumerable.Range(0, 50).Select(i => CloudDoc.Make(i)));
        await table.AddAsync(Enumerable.Range(50, 50).Select(i => CloudDoc.Make(i)));
        Assert.Equal(100, await table.CountRowsAsync());
        Assert.Equal(["docs"], await db.TableNamesAsync());

        var query = CloudDoc.Make(42).Vector;
        var ours = await table.Search(query).Limit(5).ToListAsync();
        Assert.Equal(42, ours[0].Id);
        var theirs = await PeerAsync(kind, uri, "docs", "search", new { vector = query, k = 5 });
        Assert.Equal(ours.Select(d => d.Id), theirs.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt64()));

        var filtered = await table.Query().Where(d => d.Id >= 90).ToListAsync();
        Assert.Equal(10, filtered.Count);

        Assert.Equal(10, await table.DeleteAsync(d => d.Id < 10));
        Assert.Equal(5, await table.UpdateAsync(d => d.Id >= 95, d => new CloudDoc { Text = "changed" }));
        var count = await PeerAsync(kind, uri, "docs", "count", new { });
        Assert.Equal(90, count.RootElement.GetProperty("count").GetInt64());
        var changed = await PeerAsync(kind, uri, "docs", "count", new { filter = "text = 'changed'" });
        Assert.Equal(5, changed.RootElement.GetProperty("count").GetInt64());
        var ids = await PeerAsync(kind, uri, "docs", "ids", new { });
        Assert.Equal(Enumerable.Range(10, 90).Select(i => (long)i), ids.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt64()));

        await db.DropTableAsync("docs");
        Assert.Empty(await db.TableNamesAsync());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_table_lancedb_wrote_there_is_read_and_appended_to(string kind)
    {
        var (uri, options) = Database(kind);
        await PeerAsync(kind, uri, "theirs", "create", new { n = 200 });
        await using var db = await LanceDb.ConnectAsync(uri, new DatabaseOptions().UseObjectStorage(options));
        var table = await db.OpenTableAsync<CloudDoc>("theirs");
        Assert.Equal(200, await table.CountRowsAsync());
        var rows = await table.Query().Where(d => d.Id == 123).ToListAsync();
        Assert.Equal("row 123", rows.Single().Text);
        Assert.Equal(CloudDoc.Make(123).Vector, rows.Single().Vector);

        await table.AddAsync(Enumerable.Range(200, 10).Select(i => CloudDoc.Make(i)));
        var count = await PeerAsync(kind, uri, "theirs", "count", new { });
        Assert.Equal(210, count.RootElement.GetProperty("count").GetInt64());
        await PeerAsync(kind, uri, "theirs", "add", new { n = 5, startId = 1000 });
        await table.RefreshAsync();
        Assert.Equal(215, await table.CountRowsAsync());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_configuration_section_naming_an_object_store_uri_and_its_options_is_enough_for_AddLanceDb(string kind)
    {
        var (uri, options) = Database(kind);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(
            options.Select(o => new KeyValuePair<string, string?>($"LanceDb:StorageOptions:{o.Key}", o.Value))
                .Append(new KeyValuePair<string, string?>("LanceDb:Uri", uri))).Build();
        var services = new ServiceCollection();
        services.AddLanceDb(configuration.GetSection("LanceDb"));
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var database = provider.GetRequiredService<Lance.Orm.Database>();
        await database.CreateTableAsync("docs", Enumerable.Range(0, 12).Select(i => CloudDoc.Make(i)));
        var count = await PeerAsync(kind, uri, "docs", "count", new { });
        Assert.Equal(12, count.RootElement.GetProperty("count").GetInt64());
    }

    public static TheoryData<string, string> StoresAndStorageVersions => new()
    {
        { "s3", "legacy" }, { "s3", "2.0" }, { "s3", "2.1" }, { "s3", "2.2" },
        { "azure", "legacy" }, { "azure", "2.0" }, { "azure", "2.1" }, { "azure", "2.2" },
    };

    [Theory]
    [MemberData(nameof(StoresAndStorageVersions))]
    public async Task Rounds_of_appends_deletes_and_updates_from_both_sides_agree_in_every_storage_version(string kind, string storageVersion)
    {
        // LanceDB creates the table in the storage version; then, round after round, we and LanceDB each append,
        // delete and update in it, and after each side's turn both read exactly the rows a model of the table holds.
        var (uri, options) = Database(kind);
        var expected = Enumerable.Range(0, 40).ToDictionary(i => (long)i, i => $"row {i}");
        await PeerAsync(kind, uri, "docs", "create", new { n = 40, storageVersion });
        await using var db = await LanceDb.ConnectAsync(uri, new DatabaseOptions().UseObjectStorage(options));
        var table = await db.OpenTableAsync<CloudDoc>("docs");
        for (var round = 0; round < 2; round++)
        {
            var r = round;
            await table.AddAsync(Enumerable.Range(1000 + (r * 100), 10).Select(i => CloudDoc.Make(i)));
            await table.DeleteAsync(d => d.Id % 7 == r);
            await table.UpdateAsync(d => d.Id == 3 + r, d => new CloudDoc { Text = $"ours {r}" });
            Apply(expected, Enumerable.Range(1000 + (r * 100), 10), id => id % 7 == r, 3 + r, $"ours {r}");
            Assert.Equal(Render(expected), await TheirRowsAsync(kind, uri));

            await PeerAsync(kind, uri, "docs", "add", new { n = 10, startId = 2000 + (r * 100) });
            await PeerAsync(kind, uri, "docs", "delete", new { filter = $"id % 5 = {r}" });
            await PeerAsync(kind, uri, "docs", "update", new { filter = $"id = {4 + r}", text = $"theirs {r}" });
            Apply(expected, Enumerable.Range(2000 + (r * 100), 10), id => id % 5 == r, 4 + r, $"theirs {r}");
            await table.RefreshAsync();
            var ours = await table.Query().ToListAsync();
            Assert.Equal(Render(expected), string.Join("\n", ours.OrderBy(d => d.Id).Select(d => $"{d.Id} {d.Text}")));
            Assert.All(ours, d => Assert.Equal(CloudDoc.Make(d.Id).Vector, d.Vector));
        }

        var query = CloudDoc.Make(1005).Vector;
        var nearest = await table.Search(query).BypassVectorIndex().Limit(8).ToListAsync();
        var theirs = await PeerAsync(kind, uri, "docs", "search", new { vector = query, k = 8, exact = true });
        Assert.Equal(nearest.Select(d => d.Id), theirs.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt64()));

        // Every data file, LanceDB's and ours, is in the table's storage version (its footer's last 8 bytes: major, minor, magic).
        await using var store = ObjectStoreFactory.Open(uri + "/docs.lance", options);
        var versions = new List<string>();
        await foreach (var file in store.ListAsync("data/"))
        {
            using var reader = await store.OpenReadAsync(file.Key);
            var tail = new byte[8];
            await reader.ReadAsync(reader.Length - 8, tail);
            versions.Add($"{BitConverter.ToUInt16(tail, 0)}.{BitConverter.ToUInt16(tail, 2)}");
        }

        Assert.True(versions.Count >= 5, $"{versions.Count} data files");
        // In the footer the legacy format is 0.2 and 2.0 is 0.3 (Lance's numbering before 2.1).
        var footer = storageVersion switch { "legacy" => "0.2", "2.0" => "0.3", _ => storageVersion };
        Assert.All(versions, v => Assert.Equal(footer, v));
    }

    private static void Apply(Dictionary<long, string> rows, IEnumerable<int> added, Func<long, bool> deleted, long updated, string text)
    {
        foreach (var id in added)
        {
            rows[id] = $"row {id}";
        }

        foreach (var id in rows.Keys.Where(deleted).ToList())
        {
            rows.Remove(id);
        }

        if (rows.ContainsKey(updated))
        {
            rows[updated] = text;
        }
    }

    private static string Render(Dictionary<long, string> rows) => string.Join("\n", rows.OrderBy(r => r.Key).Select(r => $"{r.Key} {r.Value}"));

    private async Task<string> TheirRowsAsync(string kind, string uri)
    {
        using var rows = await PeerAsync(kind, uri, "docs", "texts", new { });
        return string.Join("\n", rows.RootElement.GetProperty("rows").EnumerateArray().Select(r => $"{r.GetProperty("id").GetInt64()} {r.GetProperty("text").GetString()}"));
    }

    [Fact]
    public async Task Straight_to_s3rver_a_commit_is_refused_clearly_and_nothing_is_published()
    {
        var uri = Emulators.NewS3Uri();
        await using var db = await LanceDb.ConnectAsync(uri, new DatabaseOptions().UseObjectStorage(emulators.S3Options()));
        var e = await Assert.ThrowsAsync<ConditionalWriteNotSupportedException>(() => db.CreateTableAsync("docs", [CloudDoc.Make(1)]));
        Assert.Contains("If-None-Match", e.Message, StringComparison.Ordinal);
        Assert.Empty(await db.TableNamesAsync());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_table_dropped_by_another_process_is_not_found_through_an_old_handle_and_an_add_does_not_bring_it_back(string kind)
    {
        var (uri, options) = Database(kind);
        await using var db = await LanceDb.ConnectAsync(uri, new DatabaseOptions().UseObjectStorage(options));
        var table = await db.CreateTableAsync("docs", Enumerable.Range(0, 30).Select(i => CloudDoc.Make(i)));
        await using (var other = await LanceDb.ConnectAsync(uri, new DatabaseOptions().UseObjectStorage(options)))
        {
            await other.DropTableAsync("docs");
        }

        var read = await Assert.ThrowsAsync<LanceTableNotFoundException>(() => table.Query().ToListAsync());
        Assert.Equal("docs", read.TableName);
        await Assert.ThrowsAsync<LanceTableNotFoundException>(() => table.AddAsync([CloudDoc.Make(99)]));
        Assert.Empty(await db.TableNamesAsync());
        await Assert.ThrowsAsync<LanceTableNotFoundException>(() => db.OpenTableAsync<CloudDoc>("docs"));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task With_the_package_referenced_an_object_store_uri_connects_without_UseObjectStorage(string kind)
    {
        // As in LanceDB: the URI and LanceDB's storage options (here in DatabaseOptions, as configuration binds them) are all it takes.
        var (uri, options) = Database(kind);
        await using (var db = await LanceDb.ConnectAsync(uri, new DatabaseOptions { StorageOptions = options }))
        {
            var table = await db.CreateTableAsync("docs", Enumerable.Range(0, 30).Select(i => CloudDoc.Make(i)));
            Assert.Equal(7, (await table.Search(CloudDoc.Make(7).Vector).Limit(1).ToListAsync()).Single().Id);
        }

        var count = await PeerAsync(kind, uri, "docs", "count", new { });
        Assert.Equal(30, count.RootElement.GetProperty("count").GetInt64());
        await using var again = await LanceDb.ConnectAsync(uri, new DatabaseOptions { StorageOptions = options });
        Assert.Equal(30, await (await again.OpenTableAsync<CloudDoc>("docs")).CountRowsAsync());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Opening_a_table_lists_its_versions_once_and_reads_its_manifest_and_each_file_tail_without_asking_sizes(string kind)
    {
        var (uri, options) = Database(kind);
        await using (var writer = await LanceDb.ConnectAsync(uri, new DatabaseOptions().UseObjectStorage(options)))
        {
            var created = await writer.CreateTableAsync("docs", Enumerable.Range(0, 50).Select(i => CloudDoc.Make(i)));
            await created.AddAsync(Enumerable.Range(50, 50).Select(i => CloudDoc.Make(i)));
        }

        Lance.Storage.Cloud.Resilience.ObjectStoreStatistics? stats = null;
        var counted = new DatabaseOptions().UseObjectStorage(options) with
        {
            ObjectStoreOpener = (u, storage) =>
            {
                var store = (RemoteObjectStore)ObjectStoreFactory.Open(u, storage);
                stats = store.Statistics;
                return store;
            },
        };
        await using var db = await LanceDb.ConnectAsync(uri, counted);
        var table = await db.OpenTableAsync<CloudDoc>("docs");

        // One listing of _versions/ (which gives the manifest's size) and one read of the manifest.
        Assert.Equal((2L, 1L, 0L), (stats!.Requests, stats.Gets, stats.Heads));

        // The manifest records each data file's size: the first search reads each file's tail and
        // pages with no HEAD, and finds the same row.
        var hits = await table.Search(CloudDoc.Make(77).Vector).Limit(3).ToListAsync();
        Assert.Equal(77, hits[0].Id);
        Assert.Equal(0L, stats.Heads);

        await Assert.ThrowsAsync<LanceTableNotFoundException>(() => db.OpenTableAsync<CloudDoc>("missing"));
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
        // LanceDB talks to the emulator directly (its own conditional puts are not what is tested here).
        var storageOptions = kind == "s3" ? emulators.S3Options() : emulators.AzureOptions();
        var args = JsonSerializer.SerializeToElement(extra).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
        args["uri"] = uri;
        args["storageOptions"] = storageOptions;
        args["table"] = table;
        args["op"] = op;
        return await Peer.RunAsync("object-store", args);
    }
}
