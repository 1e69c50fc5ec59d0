using System.IO.MemoryMappedFiles;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Dataset;
using Lance.Engine.Storage;
using Lance.Engine.Tests.Support;

namespace Lance.Engine.Tests.Dataset;

public sealed class ColumnCacheTests : IDisposable
{
    private const int Rows = 1000;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    // Every test column is Rows int32 values, all equal to the key's field id, so its cost is the same.
    private static readonly long Unit = ColumnCache.CostOf(Column(0));

    private static ColumnKey Key(int id) => new("file", id);

    private static IReadOnlyList<IArrowArray> Column(int id) => [new Int32Array.Builder().AppendRange(Enumerable.Repeat(id, Rows)).Build()];

    private static void Use(ColumnCache cache, int id, Action<ColumnKey>? onLoad = null)
    {
        using var lease = cache.Lease(Key(id), key =>
        {
            onLoad?.Invoke(key);
            return Column(key.FieldId);
        });
        Assert.Equal(id, ((Int32Array)lease.Array).GetValue(Rows - 1));
    }

    [Fact]
    public void A_decoded_column_costs_its_buffers_bytes()
    {
        Assert.InRange(Unit, Rows * sizeof(int), (Rows * sizeof(int)) + 128);
    }

    [Fact]
    public void The_least_recently_used_column_is_evicted_first()
    {
        var cache = new ColumnCache((2 * Unit) + (Unit / 2));
        Use(cache, 1);
        Use(cache, 2);
        Use(cache, 1); // 2 is now the least recently used

        Use(cache, 3);

        Assert.True(cache.Contains(Key(1)));
        Assert.False(cache.Contains(Key(2)));
        Assert.True(cache.Contains(Key(3)));
        Assert.Equal(1, cache.Evictions);
    }

    [Fact]
    public void The_cache_stays_within_its_budget_once_leases_are_disposed()
    {
        var cache = new ColumnCache(5 * Unit);
        for (var i = 0; i < 50; i++)
        {
            Use(cache, i % 17);
            Assert.InRange(cache.CachedBytes, 0, cache.BudgetBytes);
        }

        Assert.Equal(5, cache.Count);
        Assert.Equal(5 * Unit, cache.CachedBytes);
    }

    [Fact]
    public void A_column_in_use_is_not_evicted_and_goes_once_released()
    {
        var cache = new ColumnCache(0);
        var held = cache.Lease(Key(1), key => Column(key.FieldId));

        Use(cache, 2);

        Assert.True(cache.Contains(Key(1)));
        Assert.False(cache.Contains(Key(2)));
        Assert.Equal(Unit, cache.CachedBytes);
        Assert.Equal(1, ((Int32Array)held.Array).GetValue(0));

        held.Dispose();
        held.Dispose(); // twice does nothing

        Assert.False(cache.Contains(Key(1)));
        Assert.Equal(0, cache.CachedBytes);
    }

    [Fact]
    public void A_cached_column_is_not_loaded_again()
    {
        var cache = new ColumnCache(long.MaxValue);
        var loads = 0;

        Use(cache, 7, _ => loads++);
        Use(cache, 7, _ => loads++);

        Assert.Equal(1, loads);
    }

    [Fact]
    public void A_failed_load_is_not_kept_and_the_next_lease_loads_again()
    {
        var cache = new ColumnCache(long.MaxValue);

        Assert.Throws<IOException>(() => cache.Lease(Key(1), _ => throw new IOException("disk")));

        Assert.False(cache.Contains(Key(1)));
        Assert.Equal(0, cache.CachedBytes);
        Use(cache, 1);
        Assert.True(cache.Contains(Key(1)));
    }

    [Fact]
    public void A_column_mapped_from_a_file_costs_nothing_against_the_budget()
    {
        var path = _temp.Combine("mapped.bin");
        File.WriteAllBytes(path, new byte[Rows * sizeof(int)]);
        using var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var memory = MappedFileMemory.Map(file, 0, Rows * sizeof(int));
        var data = new ArrayData(Int32Type.Default, Rows, 0, 0, [ArrowBuffer.Empty, new ArrowBuffer(memory.Memory)]);
        var cache = new ColumnCache(0);

        using (var lease = cache.Lease(Key(1), _ => [new Int32Array(data)]))
        {
            Assert.Equal(0, ((Int32Array)lease.Array).GetValue(Rows - 1));
        }

        Assert.Equal(0, ColumnCache.CostOf([new Int32Array(data)]));
        Assert.True(cache.Contains(Key(1)));
        Assert.Equal(0, cache.CachedBytes);
    }

    [Fact]
    public async Task Several_threads_asking_for_one_column_at_once_load_it_once()
    {
        var cache = new ColumnCache(long.MaxValue);
        using var gate = new ManualResetEventSlim();
        var loads = 0;
        var readers = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            using var lease = cache.Lease(Key(3), key =>
            {
                Interlocked.Increment(ref loads);
                gate.Wait(TimeSpan.FromSeconds(30));
                return Column(key.FieldId);
            });
            return ((Int32Array)lease.Array).GetValue(0);
        })).ToArray();

        SpinWait.SpinUntil(() => Volatile.Read(ref loads) > 0, TimeSpan.FromSeconds(30));
        gate.Set();

        Assert.All(await Task.WhenAll(readers), value => Assert.Equal(3, value));
        Assert.Equal(1, loads);
    }

    [Fact]
    public void Concurrent_leases_and_evictions_never_hand_out_a_wrong_column_and_end_within_budget()
    {
        var cache = new ColumnCache(4 * Unit);
        var maxPinned = 0L;
        Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var id = (i * 7919) % 23;
            using var lease = cache.Lease(Key(id), key => Column(key.FieldId));
            var values = ((Int32Array)lease.Array).Values;
            Assert.Equal(Rows, values.Length);
            Assert.Equal(id, values[0]);
            Assert.Equal(id, values[^1]);
            var cached = cache.CachedBytes;
            long seen;
            do
            {
                seen = Interlocked.Read(ref maxPinned);
            }
            while (cached > seen && Interlocked.CompareExchange(ref maxPinned, cached, seen) != seen);
        });

        // While in use the cache may exceed its budget by at most the pinned columns (8 threads).
        Assert.InRange(maxPinned, 0, (4 + 8) * Unit);
        Assert.InRange(cache.CachedBytes, 0, cache.BudgetBytes);
        Assert.True(cache.Evictions > 0);
    }

    // A column of Rows int32 zeros whose values lie in native memory, as a search reads unmapped vectors.
    private static IReadOnlyList<IArrowArray> NativeColumn(NativeColumnMemory memory)
    {
        memory.GetSpan().Clear();
        return [new Int32Array(new ArrayData(Int32Type.Default, Rows, 0, 0, [ArrowBuffer.Empty, new ArrowBuffer(memory.Memory)]))];
    }

    [Fact]
    public void Evicting_a_column_in_native_memory_frees_its_buffer_at_once()
    {
        var cache = new ColumnCache(Unit + (Unit / 2));
        var memory = new NativeColumnMemory(Rows * sizeof(int));
        using (var lease = cache.Lease(Key(1), _ => NativeColumn(memory)))
        {
            Assert.Equal(0, ((Int32Array)lease.Array).GetValue(Rows - 1));
        }

        Assert.False(memory.IsFreed); // still cached, within the budget

        Use(cache, 2); // over the budget: column 1 is evicted

        Assert.False(cache.Contains(Key(1)));
        Assert.True(memory.IsFreed);
        Assert.Equal(Unit, cache.CachedBytes);
    }

    [Fact]
    public void A_native_column_out_of_the_cache_is_freed_only_when_its_last_lease_is_disposed()
    {
        var cache = new ColumnCache(0);
        var memory = new NativeColumnMemory(Rows * sizeof(int));
        var first = cache.Lease(Key(1), _ => NativeColumn(memory));
        var second = cache.Lease(Key(1), _ => throw new InvalidOperationException("loaded twice"));

        first.Dispose();

        Assert.False(memory.IsFreed);
        Assert.Equal(0, ((Int32Array)second.Array).GetValue(Rows - 1));

        second.Dispose();

        Assert.False(cache.Contains(Key(1)));
        Assert.True(memory.IsFreed);
    }

    [Fact]
    public void Clearing_the_cache_frees_unpinned_native_columns_now_and_pinned_ones_when_released()
    {
        var cache = new ColumnCache(long.MaxValue);
        var pinned = new NativeColumnMemory(Rows * sizeof(int));
        var unpinned = new NativeColumnMemory(Rows * sizeof(int));
        var held = cache.Lease(Key(1), _ => NativeColumn(pinned));
        cache.Lease(Key(2), _ => NativeColumn(unpinned)).Dispose();

        cache.Clear();

        Assert.True(unpinned.IsFreed);
        Assert.False(pinned.IsFreed);
        Assert.Equal(0, ((Int32Array)held.Array).GetValue(0));

        held.Dispose();

        Assert.True(pinned.IsFreed);
    }

    [Fact]
    public void A_managed_column_is_left_to_the_collector_when_evicted()
    {
        var cache = new ColumnCache(0);
        IReadOnlyList<IArrowArray>? arrays = null;
        using (var lease = cache.Lease(Key(5), key => arrays = Column(key.FieldId)))
        {
        }

        Assert.False(cache.Contains(Key(5)));
        Assert.Equal(5, ((Int32Array)arrays![0]).GetValue(Rows - 1)); // still readable: only native buffers are freed
    }

    [Fact]
    public void A_negative_budget_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ColumnCache(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DatasetOpenOptions { CacheBudgetBytes = -1 });
    }
}
