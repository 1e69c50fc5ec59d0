using System.Collections.Concurrent;
using Lance.Engine.Storage;

namespace Lance.Engine.Tests.Storage;

public class ConcurrentReadsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(40)]
    public void Every_item_is_read_once(int count)
    {
        var items = Enumerable.Range(100, count).ToList();
        var seen = new ConcurrentBag<int>();
        ConcurrentReads.ForEach(items, seen.Add);
        Assert.Equal(items, seen.Order());
    }

    [Fact]
    public void The_reads_run_side_by_side()
    {
        // Three reads that each wait for the other two: done only when all three run at once.
        using var barrier = new Barrier(3);
        var met = new ConcurrentBag<bool>();
        ConcurrentReads.ForEach([1, 2, 3], _ => met.Add(barrier.SignalAndWait(TimeSpan.FromSeconds(20))));
        Assert.Equal([true, true, true], met);
    }

    [Fact]
    public void A_failed_read_is_rethrown_as_thrown_and_stops_the_reads_not_started()
    {
        var started = 0;
        var error = Assert.Throws<InvalidDataException>(() => ConcurrentReads.ForEach(Enumerable.Range(0, 1000).ToList(), i =>
        {
            Interlocked.Increment(ref started);
            if (i == 3)
            {
                throw new InvalidDataException("item 3");
            }

            Thread.Sleep(1);
        }));
        Assert.Equal("item 3", error.Message);
        Assert.True(started < 1000, $"{started} of 1000 reads started after one failed");
    }
}
