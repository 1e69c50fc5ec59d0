namespace Lance.Bench;

/// <summary>
/// Samples this process's private memory (anonymous resident pages, <c>RssAnon</c> in
/// <c>/proc/self/status</c>: the managed heap, native allocations, stacks; not the file pages mapped
/// from the OS cache) every 10 ms and keeps the peak, which the kernel does not record.
/// </summary>
public sealed class PrivateMemorySampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private long _peak;

    public PrivateMemorySampler()
    {
        _peak = Status("RssAnon");
        _thread = new Thread(() =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Sample();
                _stop.Token.WaitHandle.WaitOne(10);
            }
        }) { IsBackground = true, Name = "private memory sampler" };
        _thread.Start();
    }

    /// <summary>The highest private memory seen so far, in bytes.</summary>
    public long Peak
    {
        get
        {
            Sample();
            return Interlocked.Read(ref _peak);
        }
    }

    /// <summary>A <c>/proc/self/status</c> figure (given there in kB), in bytes.</summary>
    /// <exception cref="InvalidOperationException">No such line (not Linux).</exception>
    public static long Status(string name)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(name + ":", StringComparison.Ordinal))
            {
                var value = line[(name.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(value, System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/self/status has no {name} line: the memory curve needs Linux.");
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }

    private void Sample()
    {
        var now = Status("RssAnon");
        long seen;
        do
        {
            seen = Interlocked.Read(ref _peak);
        }
        while (now > seen && Interlocked.CompareExchange(ref _peak, now, seen) != seen);
    }
}
