using Microsoft.Extensions.Time.Testing;

namespace Lance.Orm.Embeddings.Tests;

/// <summary>Drives work that waits on a <see cref="FakeTimeProvider"/>: the clock jumps forward while the work is pending, so no test sleeps through a backoff.</summary>
public static class FakeClock
{
    public static async Task<T> RunAsync<T>(FakeTimeProvider time, Func<Task<T>> work, TimeSpan? step = null)
    {
        var task = work();
        var stride = step ?? TimeSpan.FromSeconds(1);
        for (var i = 0; !task.IsCompleted && i < 100_000; i++)
        {
            await Task.WhenAny(task, Task.Delay(2));
            if (!task.IsCompleted)
            {
                time.Advance(stride);
            }
        }

        return await task;
    }

    public static async Task RunAsync(FakeTimeProvider time, Func<Task> work, TimeSpan? step = null)
        => await RunAsync(time, async () => { await work(); return 0; }, step);
}
