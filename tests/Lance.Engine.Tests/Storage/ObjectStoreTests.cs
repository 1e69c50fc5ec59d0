using System.Text;
using Lance.Engine.Storage;
using Lance.Engine.Tests.Support;

namespace Lance.Engine.Tests.Storage;

/// <summary>The guarantees the commit path relies on, checked for every store.</summary>
public sealed class ObjectStoreTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Stores => new() { "local", "memory" };

    private IObjectStore Open(string kind) => kind == "local" ? new LocalObjectStore(_temp.Combine("store")) : new InMemoryObjectStore();

    private static async Task<List<string>> KeysAsync(IObjectStore store, string prefix)
    {
        var keys = new List<string>();
        await foreach (var entry in store.ListAsync(prefix))
        {
            keys.Add(entry.Key);
        }

        return keys.Order(StringComparer.Ordinal).ToList();
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Of_racing_conditional_creates_of_one_key_exactly_one_wins_and_its_bytes_are_kept(string kind)
    {
        await using var store = Open(kind);
        for (var round = 0; round < 20; round++)
        {
            var key = $"_versions/{round}.manifest";
            using var start = new ManualResetEventSlim();
            var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                start.Wait();
                return (Writer: w, Won: await store.PutIfAbsentAsync(key, Encoding.UTF8.GetBytes($"writer {w}")));
            })).ToList();
            start.Set();
            var results = await Task.WhenAll(writers);

            var winner = Assert.Single(results, r => r.Won);
            using var reader = await store.OpenReadAsync(key);
            var bytes = new byte[reader.Length];
            await reader.ReadAsync(0, bytes);
            Assert.Equal($"writer {winner.Writer}", Encoding.UTF8.GetString(bytes));
        }

        Assert.Equal(20, (await KeysAsync(store, "_versions/")).Count);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_streamed_write_disposed_without_completing_leaves_no_object(string kind)
    {
        await using var store = Open(kind);
        var writer = await store.CreateAsync("data/abandoned.lance");
        await writer.Stream.WriteAsync(new byte[4096]);
        await writer.DisposeAsync();

        Assert.Null(await store.HeadAsync("data/abandoned.lance"));
        Assert.Empty(await KeysAsync(store, ""));
        if (store is LocalObjectStore local)
        {
            Assert.Empty(Directory.GetFiles(local.PathOf("data")));
        }
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Listing_shows_completed_objects_only_never_writes_in_progress(string kind)
    {
        await using var store = Open(kind);
        await store.PutAsync("_versions/1.manifest", new byte[] { 1 });
        await using var pending = await store.CreateAsync("_versions/2.manifest");
        await pending.Stream.WriteAsync(new byte[] { 2 });
        await pending.Stream.FlushAsync();

        Assert.Equal(["_versions/1.manifest"], await KeysAsync(store, "_versions/"));

        await pending.CompleteAsync();
        Assert.Equal(["_versions/1.manifest", "_versions/2.manifest"], await KeysAsync(store, "_versions/"));
    }

    [Fact]
    public async Task Listing_a_local_folder_ignores_temporaries_a_killed_writer_left()
    {
        await using var store = new LocalObjectStore(_temp.Combine("store"));
        await store.PutAsync("_versions/1.manifest", new byte[] { 1 });
        await File.WriteAllTextAsync(store.PathOf("_versions/.tmp-1234-2.manifest"), "half a manifest");

        Assert.Equal(["_versions/1.manifest"], await KeysAsync(store, "_versions/"));
        Assert.True(await store.PutIfAbsentAsync("_versions/2.manifest", new byte[] { 2 }));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Opening_a_missing_object_is_file_not_found_even_when_its_folder_is_missing_too(string kind)
    {
        await using var store = Open(kind);
        await Assert.ThrowsAsync<FileNotFoundException>(async () => await store.OpenReadAsync("no-such-folder/deeper/x.lance"));
        await store.PutAsync("data/a.lance", new byte[] { 1 });
        await Assert.ThrowsAsync<FileNotFoundException>(async () => await store.OpenReadAsync("data/b.lance"));
        Assert.Null(await store.HeadAsync("no-such-folder/x.lance"));
    }

    [Fact]
    public async Task The_local_store_removes_an_index_folder_once_its_last_file_is_deleted_or_its_only_write_is_abandoned()
    {
        var store = new LocalObjectStore(_temp.Combine("store"));
        await store.PutAsync("_indices/abc/index.idx", new byte[] { 1 });
        await store.PutAsync("data/a.lance", new byte[] { 1 });
        await store.DeleteAsync("_indices/abc/index.idx");
        Assert.False(Directory.Exists(store.PathOf("_indices/abc")));
        await store.DeleteAsync("data/a.lance");
        Assert.True(Directory.Exists(store.PathOf("data")));

        var writer = await store.CreateAsync("_indices/def/index.idx");
        await writer.Stream.WriteAsync(new byte[] { 1, 2, 3 });
        await writer.DisposeAsync();
        Assert.False(Directory.Exists(store.PathOf("_indices/def")));
        Assert.Empty(await KeysAsync(store, ""));
    }
}
