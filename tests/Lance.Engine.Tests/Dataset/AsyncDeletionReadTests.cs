using Apache.Arrow;
using Lance.Engine.Dataset;
using Lance.Engine.Storage;
using Lance.Engine.Tests.Support;

namespace Lance.Engine.Tests.Dataset;

/// <summary>The asynchronous queries read the deletion files they need through the store's awaited reads, never its blocking ones.</summary>
public sealed class AsyncDeletionReadTests : IDisposable
{
    private const int Dim = 8;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string TablePath => _temp.Combine("t.lance");

    private async Task<(LanceDataset Dataset, RecordingObjectStore Store)> OpenWithDeletionsAsync()
    {
        var store = new RecordingObjectStore(new InMemoryObjectStore());
        var writer = await LanceDataset.CreateAsync(
            TablePath, Batches.DocSchema(Dim), [Batches.Docs(0, 300, Dim)], WriteMode.Create, new DatasetWriteOptions { Store = store, MaxRowsPerFile = 100 });
        await writer.DeleteAsync("id % 3 = 0");
        await writer.DisposeAsync();
        var dataset = await LanceDataset.OpenAsync(TablePath, new DatasetOpenOptions { Store = store });
        store.Clear();
        return (dataset, store);
    }

    private static bool IsDeletionFile(string key) => key.StartsWith("_deletions/", StringComparison.Ordinal);

    [Fact]
    public async Task A_search_and_a_filtered_count_return_at_once_while_their_deletion_files_are_still_being_read()
    {
        var (dataset, store) = await OpenWithDeletionsAsync();
        await using var open = dataset;
        var query = Enumerable.Range(0, Dim).Select(i => i / 8f).ToArray();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.ReadGate = key => IsDeletionFile(key) ? gate.Task : Task.CompletedTask;

        // A blocking read would hold this thread until the gate opens; the safety net opens it late, so
        // such a call fails the assertions below rather than hanging the test.
        _ = Task.Delay(TimeSpan.FromSeconds(30)).ContinueWith(_ => gate.TrySetResult(), TaskScheduler.Default);
        var search = dataset.SearchAsync(new VectorSearchRequest("vector", query, 10) { Columns = ["id"] });
        var count = dataset.CountRowsAsync("id >= 0");

        Assert.False(search.IsCompleted);
        Assert.False(count.IsCompleted);
        gate.SetResult();
        var hits = await search;
        Assert.Equal(200, await count);
        Assert.Equal(10, hits.Length);
        Assert.All(Enumerable.Range(0, hits.Length), row => Assert.NotEqual(0, ((Int64Array)hits.Column(0)).GetValue(row)!.Value % 3));
        Assert.DoesNotContain(store.BlockingReads, IsDeletionFile);
    }

    [Fact]
    public async Task A_filtered_count_a_scan_and_a_batch_search_each_await_them_on_a_fresh_open()
    {
        var query = Enumerable.Range(0, Dim).Select(i => i / 8f).ToArray();
        var (counting, countStore) = await OpenWithDeletionsAsync();
        await using (counting)
        {
            Assert.Equal(200, await counting.CountRowsAsync("id >= 0"));
        }

        var (scanning, scanStore) = await OpenWithDeletionsAsync();
        long scanned = 0;
        await using (scanning)
        {
            await foreach (var batch in scanning.ScanAsync(["id"]))
            {
                scanned += batch.Length;
            }
        }

        var (batchSearching, batchStore) = await OpenWithDeletionsAsync();
        await using (batchSearching)
        {
            var results = await batchSearching.SearchBatchAsync(new VectorSearchRequest("vector", query, 5) { Columns = ["id"] }, [query, query.Reverse().ToArray()]);
            Assert.Equal(2, results.Count);
        }

        Assert.Equal(200, scanned);
        foreach (var store in new[] { countStore, scanStore, batchStore })
        {
            Assert.Contains(store.Reads, r => IsDeletionFile(r.Key));
            Assert.DoesNotContain(store.BlockingReads, IsDeletionFile);
        }
    }
}
