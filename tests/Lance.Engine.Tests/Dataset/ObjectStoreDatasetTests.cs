using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Dataset;
using Lance.Engine.Storage;
using Lance.Engine.Tests.Support;
using static Lance.Engine.Tests.Support.Items;

namespace Lance.Engine.Tests.Dataset;

/// <summary>
/// The commit path through the object-store seam, with the dataset's history (manifests,
/// transactions, tags) in an <see cref="InMemoryObjectStore"/>. Data and deletion files are still
/// written to the dataset folder: they move onto the store with the file-format work.
/// </summary>
public sealed class ObjectStoreDatasetTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string TablePath => _temp.Combine("items.lance");

    private static async Task<List<string>> KeysAsync(IObjectStore store, string prefix)
    {
        var keys = new List<string>();
        await foreach (var entry in store.ListAsync(prefix))
        {
            keys.Add(entry.Key);
        }

        return keys;
    }

    [Fact]
    public async Task Create_append_delete_update_and_checkout_commit_every_version_through_the_store()
    {
        var store = new InMemoryObjectStore();
        var dataset = await LanceDataset.CreateAsync(TablePath, Items.Schema, [Range(0, 10)], options: new DatasetWriteOptions { Store = store });
        await dataset.AppendAsync([Range(10, 10)]);
        Assert.Equal(5, await dataset.DeleteAsync("id < 5"));
        Assert.Equal(3, await dataset.UpdateAsync("id >= 17", new Dictionary<string, object?> { ["name"] = "changed" }));

        // Every manifest and transaction is in the store; nothing of the history is on disk.
        Assert.Equal(4, (await KeysAsync(store, "_versions/")).Count);
        Assert.Equal(4, (await KeysAsync(store, "_transactions/")).Count);
        Assert.False(Directory.Exists(Path.Combine(TablePath, "_versions")));
        Assert.False(LanceDataset.Exists(TablePath));

        var reopened = await LanceDataset.OpenAsync(TablePath, new DatasetOpenOptions { Store = store });
        Assert.Equal(4UL, reopened.Version);
        Assert.Equal(15, reopened.CountRows());
        Assert.Equal(["changed", "changed", "changed"], (await ReadAsync(reopened)).Where(r => r.Id >= 17).Select(r => r.Name));
        Assert.Equal([1UL, 2UL, 3UL, 4UL], (await reopened.ListVersionsAsync()).Select(v => v.Version));

        var second = await reopened.CheckoutAsync(2);
        Assert.True(second.IsReadOnly);
        Assert.Equal(20, second.CountRows());
        Assert.Equal(ToRows(Range(0, 20)).ToList(), await ReadAsync(second));

        await second.RestoreAsync();
        Assert.Equal(5UL, second.Version);
        Assert.Equal(5, (await KeysAsync(store, "_versions/")).Count);
    }

    [Fact]
    public async Task Tags_live_in_the_store_and_a_tag_name_can_be_created_once()
    {
        var store = new InMemoryObjectStore();
        var dataset = await LanceDataset.CreateAsync(TablePath, Items.Schema, [Range(0, 10)], options: new DatasetWriteOptions { Store = store });
        await dataset.AppendAsync([Range(10, 10)]);

        await dataset.CreateTagAsync("first", 1);

        Assert.Equal(["_refs/tags/first.json"], await KeysAsync(store, "_refs/"));
        await Assert.ThrowsAsync<LanceException>(() => dataset.CreateTagAsync("first", 2));
        Assert.Equal(10, (await dataset.CheckoutAsync("first")).CountRows());
    }

    [Fact]
    public async Task A_commit_observer_sees_each_attempt_before_it_is_published_and_only_its_own_dataset_reports_to_it()
    {
        var observer = new RecordingObserver();
        var dataset = await LanceDataset.CreateAsync(TablePath, Items.Schema, [Range(0, 10)], options: new DatasetWriteOptions { CommitObserver = observer });
        var other = await LanceDataset.OpenAsync(TablePath);

        await dataset.AppendAsync([Range(10, 5)]);
        await other.AppendAsync([Range(15, 5)]);
        await dataset.DeleteAsync("id = 3");

        // The delete found version 3 taken by the other dataset's append (nothing published), checked it, and won version 4.
        Assert.Equal(
            ["attempt 1", "publish 1", "attempt 2", "publish 2", "attempt 3", "attempt 4", "publish 4"],
            observer.Steps);
        Assert.Equal(4UL, dataset.Version);
    }

    [Fact]
    public async Task A_commit_observer_that_throws_stops_the_commit_before_anything_is_published()
    {
        var dataset = await LanceDataset.CreateAsync(TablePath, Items.Schema, [Range(0, 10)]);
        var failing = await LanceDataset.OpenAsync(TablePath, new DatasetOpenOptions { CommitObserver = new RecordingObserver { FailOnPublish = true } });

        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.AppendAsync([Range(10, 5)]));

        await dataset.RefreshAsync();
        Assert.Equal(1UL, dataset.Version);
        Assert.Equal(10, dataset.CountRows());
    }

    [Fact]
    public async Task Disposing_twice_is_harmless_and_any_use_after_disposal_throws_naming_the_dataset()
    {
        var dataset = await LanceDataset.CreateAsync(TablePath, Items.Schema, [Range(0, 10)]);
        Assert.Equal(10, (await ReadAsync(dataset)).Count);

        await dataset.DisposeAsync();
        await dataset.DisposeAsync();

        var error = Assert.Throws<ObjectDisposedException>(() => dataset.CountRows());
        Assert.Contains(TablePath, error.Message, StringComparison.Ordinal);
        Assert.Throws<ObjectDisposedException>(() => dataset.Schema);
        Assert.Throws<ObjectDisposedException>(() => dataset.ScanAsync());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => dataset.AppendAsync([Range(10, 5)]));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => dataset.ListVersionsAsync());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => dataset.SearchAsync(new VectorSearchRequest("vector", new float[] { 1, -1 }, 3)));
        Assert.Equal(10, (await ReadAsync(await LanceDataset.OpenAsync(TablePath))).Count);
    }

    [Fact]
    public async Task Disposing_a_checked_out_version_leaves_the_dataset_it_came_from_usable()
    {
        await using var dataset = await LanceDataset.CreateAsync(TablePath, Items.Schema, [Range(0, 10)]);
        await dataset.AppendAsync([Range(10, 5)]);

        await using (var first = await dataset.CheckoutAsync(1))
        {
            Assert.Equal(10, (await ReadAsync(first)).Count);
        }

        Assert.Equal(15, (await ReadAsync(dataset)).Count);
    }

    private sealed class RecordingObserver : ICommitObserver
    {
        public List<string> Steps { get; } = [];

        public bool FailOnPublish { get; init; }

        public void BeforeAttempt(ulong version) => Steps.Add($"attempt {version}");

        public void BeforePublish(ulong version)
        {
            Steps.Add($"publish {version}");
            if (FailOnPublish)
            {
                throw new InvalidOperationException("stop here");
            }
        }
    }
}
