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

/// <summary>An ILogger that keeps what was logged.</summary>
public sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
{
    private readonly List<(Microsoft.Extensions.Logging.LogLevel Level, string Message, Exception? Error)> _entries = [];

    public IReadOnlyList<(Microsoft.Extensions.Logging.LogLevel Level, string Message, Exception? Error)> Entries
    {
        get { lock (_entries) { return _entries.ToArray(); } }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add((logLevel, formatter(state, exception), exception));
        }
    }
}
