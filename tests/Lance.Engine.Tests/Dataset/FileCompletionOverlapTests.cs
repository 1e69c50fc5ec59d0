using System.Collections.Concurrent;
using Lance.Engine.Dataset;
using Lance.Engine.Storage;
using Lance.Engine.Tests.Support;
using static Lance.Engine.Tests.Support.Items;

namespace Lance.Engine.Tests.Dataset;

/// <summary>
/// A data file whose bytes are all encoded but whose object is still being completed (a remote store
/// uploads it whole then) gives up its encoding slot: the next file is encoded meanwhile, at most as
/// many files again wait to complete, and nothing is committed before every file is complete.
/// </summary>
public sealed class FileCompletionOverlapTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_next_file_is_encoded_while_an_earlier_one_completes_and_at_most_twice_the_slots_are_unfinished()
    {
        await using var store = new HeldCompletionStore(new InMemoryObjectStore());
        var write = LanceDataset.CreateAsync(_temp.Combine("never-on-disk.lance"), Schema, [Range(0, 300)],
            options: new DatasetWriteOptions { Store = store, MaxRowsPerFile = 100, MaxConcurrentFiles = 1 });

        // One slot: file 1 is encoded and held in completion, so file 2 starts and is held too.
        await store.WaitForHeldAsync(2);
        Assert.Equal(2, store.DataFilesCreated);

        // Two unfinished files (twice the one slot): file 3 waits, and no manifest is written.
        await Task.Delay(200);
        Assert.Equal(2, store.DataFilesCreated);
        Assert.False(write.IsCompleted);
        Assert.DoesNotContain(store.Keys, k => k.Contains("_versions/", StringComparison.Ordinal));

        store.Release();
        var dataset = await write.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, store.DataFilesCreated);
        Assert.Equal(3, dataset.FragmentCount);
        Assert.Equal(300, await dataset.CountRowsAsync(filter: null));
    }

    /// <summary>A store whose data files' completions wait until <see cref="Release"/>.</summary>
    private sealed class HeldCompletionStore(IObjectStore inner) : IObjectStore
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _created;
        private int _held;

        public int DataFilesCreated => Volatile.Read(ref _created);

        public ConcurrentQueue<string> Keys { get; } = new();

        public string Location => inner.Location;

        public void Release() => _gate.TrySetResult();

        public async Task WaitForHeldAsync(int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (Volatile.Read(ref _held) < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"only {_held} files reached completion");
                await Task.Delay(10);
            }
        }

        public ValueTask<IObjectReader> OpenReadAsync(string key, CancellationToken cancellationToken = default) => inner.OpenReadAsync(key, cancellationToken);

        public ValueTask<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken = default) => inner.HeadAsync(key, cancellationToken);

        public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

        public ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            Keys.Enqueue(key);
            return inner.PutAsync(key, data, cancellationToken);
        }

        public async ValueTask<IObjectWriter> CreateAsync(string key, CancellationToken cancellationToken = default)
        {
            Keys.Enqueue(key);
            var writer = await inner.CreateAsync(key, cancellationToken);
            if (!key.StartsWith("data/", StringComparison.Ordinal))
            {
                return writer;
            }

            Interlocked.Increment(ref _created);
            return new Held(this, writer);
        }

        public ValueTask<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            Keys.Enqueue(key);
            return inner.PutIfAbsentAsync(key, data, cancellationToken);
        }

        public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();

        private sealed class Held(HeldCompletionStore store, IObjectWriter inner) : IObjectWriter
        {
            public Stream Stream => inner.Stream;

            public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
            {
                Interlocked.Increment(ref store._held);
                await store._gate.Task.WaitAsync(cancellationToken);
                await inner.CompleteAsync(cancellationToken);
            }

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
