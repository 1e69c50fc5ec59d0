using Apache.Arrow;
using Lance.Engine.Dataset;
using Lance.Engine.Storage;
using Lance.Engine.Tests.Support;

namespace Lance.Engine.Tests.Dataset;

/// <summary>
/// An exact search over a remote store reads the next fragments' vector columns while it scores the current one
/// (<see cref="SearchColumnQueue"/>), with the same rows as a local search, and a read that fails fails the search
/// with its own exception and leaves the dataset as it was.
/// </summary>
public sealed class RemoteSearchReadAheadTests : IDisposable
{
    private const int Dim = 16;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<(LanceDataset Dataset, RecordingObjectStore Store, string[] Files)> OpenAsync(bool remote)
    {
        var inner = new InMemoryObjectStore();
        var path = _temp.Combine("t.lance");
        await using (var writer = await LanceDataset.CreateAsync(
            path, Batches.DocSchema(Dim), [Batches.Docs(0, 400, Dim, withNulls: false)], WriteMode.Create, new DatasetWriteOptions { Store = inner, MaxRowsPerFile = 100 }))
        {
            await writer.DeleteAsync("id % 5 = 0");
        }

        var store = new RecordingObjectStore(inner) { Remote = remote };
        var dataset = await LanceDataset.OpenAsync(path, new DatasetOpenOptions { Store = store });
        var files = dataset.Current.Fragments.Select(f => DatasetFiles.DataKey(f.Files[0].Path)).ToArray();
        Assert.Equal(4, files.Length);
        return (dataset, store, files);
    }

    private static float[] Query => Enumerable.Range(0, Dim).Select(i => MathF.Sin(i * 0.7f)).ToArray();

    private static async Task<(long[] Ids, float[] Distances)> SearchAsync(LanceDataset dataset)
    {
        var hits = await dataset.SearchAsync(new VectorSearchRequest("vector", Query, 40) { Columns = ["id"] });
        return (((Int64Array)hits.Column("id")).Values.ToArray(), ((FloatArray)hits.Column(LanceDataset.DistanceColumn)).Values.ToArray());
    }

    [Fact]
    public async Task The_first_fragment_s_column_is_still_being_read_when_the_next_two_are_read()
    {
        var (local, _, _) = await OpenAsync(remote: false);
        await using (local)
        {
            var expected = await SearchAsync(local);

            var (dataset, store, files) = await OpenAsync(remote: true);
            await using var open = dataset;
            store.Clear();

            // Every read of the first file waits until the second's and the third's have begun: a search that read the
            // files one after another would wait forever, and fails when the safety net gives up instead.
            var others = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var seen = new HashSet<string>();
            store.ReadGate = key =>
            {
                if (key == files[0])
                {
                    return others.Task;
                }

                lock (seen)
                {
                    if ((key == files[1] || key == files[2]) && seen.Add(key) && seen.Count == 2)
                    {
                        others.TrySetResult();
                    }
                }

                return Task.CompletedTask;
            };
            _ = Task.Delay(TimeSpan.FromSeconds(30)).ContinueWith(_ => others.TrySetException(new TimeoutException("the next files were not read while the first was")), TaskScheduler.Default);

            var (ids, distances) = await SearchAsync(dataset);
            Assert.Equal(expected.Ids, ids);
            Assert.Equal(expected.Distances, distances);
            Assert.DoesNotContain(ids, id => id % 5 == 0);
        }
    }

    [Fact]
    public async Task A_read_ahead_that_fails_fails_the_search_with_its_own_error_and_the_next_search_is_right()
    {
        var (local, _, _) = await OpenAsync(remote: false);
        await using (local)
        {
            var expected = await SearchAsync(local);
            var (dataset, store, files) = await OpenAsync(remote: true);
            await using var open = dataset;

            // The third file's reads fail (after a moment, so the read is in flight when it does).
            store.ReadGate = key => key == files[2]
                ? Task.Delay(20).ContinueWith(_ => throw new IOException($"injected: {key}"), TaskScheduler.Default)
                : Task.CompletedTask;
            var error = await Assert.ThrowsAnyAsync<IOException>(() => SearchAsync(dataset));
            Assert.Contains("injected", error.Message + error.InnerException?.Message, StringComparison.Ordinal);

            store.ReadGate = null;
            var (ids, distances) = await SearchAsync(dataset);
            Assert.Equal(expected.Ids, ids);
            Assert.Equal(expected.Distances, distances);
        }
    }
}
