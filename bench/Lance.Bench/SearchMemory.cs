using System.Globalization;
using System.Text.Json;

namespace Lance.Bench;

/// <summary>
/// This process's memory around a search loop, from <c>/proc/self/status</c>: resident set (<c>VmRSS</c>,
/// including file pages mapped from the OS cache) and private resident memory (<c>RssAnon</c>), before the
/// dataset is opened, before the first search, and the highest seen after any search (read between
/// queries, outside the timed part). The Node peer (bench-index.mjs) reports the same figures.
/// </summary>
public sealed class SearchMemory
{
    private SearchMemory(long start, long privateStart)
    {
        Start = start;
        PrivateStart = privateStart;
    }

    /// <summary>Resident set before the dataset was opened, in bytes.</summary>
    public long Start { get; }

    /// <summary>Private resident memory before the dataset was opened, in bytes.</summary>
    public long PrivateStart { get; }

    /// <summary>Highest resident set seen while searching, in bytes.</summary>
    public long Peak { get; private set; }

    /// <summary>Highest private resident memory seen while searching, in bytes.</summary>
    public long PrivatePeak { get; private set; }

    /// <summary>Collects garbage (returning freed memory to the OS) and records the starting point.</summary>
    public static SearchMemory Begin()
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return new SearchMemory(PrivateMemorySampler.Status("VmRSS"), PrivateMemorySampler.Status("RssAnon"));
    }

    /// <summary>Takes one reading and keeps the highest.</summary>
    public void Sample()
    {
        Peak = Math.Max(Peak, PrivateMemorySampler.Status("VmRSS"));
        PrivatePeak = Math.Max(PrivatePeak, PrivateMemorySampler.Status("RssAnon"));
    }

    /// <summary>One markdown row: private and resident memory at start and at peak, in MiB.</summary>
    public string Row(string index, string side, double diskBytes)
        => Format(index, side, diskBytes, PrivateStart / 1048576.0, PrivatePeak / 1048576.0, Start / 1048576.0, Peak / 1048576.0);

    /// <summary>The same row from the Node peer's <c>memory</c> object.</summary>
    public static string NodeRow(string index, string side, double diskBytes, JsonElement result)
    {
        var m = result.GetProperty("memory");
        return Format(index, side, diskBytes, m.GetProperty("privateStartMiB").GetDouble(), m.GetProperty("privatePeakMiB").GetDouble(),
            m.GetProperty("startMiB").GetDouble(), m.GetProperty("peakMiB").GetDouble());
    }

    /// <summary>The header of <see cref="Row"/>'s table.</summary>
    public const string Header = "| index | searched by | on disk | private before open | private peak searching | added | RSS before open | RSS peak searching | added |\n|---|---|---|---|---|---|---|---|---|";

    private static string Format(string index, string side, double diskBytes, double privateStart, double privatePeak, double start, double peak)
        => string.Create(CultureInfo.InvariantCulture,
            $"| {index} | {side} | {diskBytes / 1048576.0:F1} MiB | {privateStart:F0} MiB | {privatePeak:F0} MiB | {privatePeak - privateStart:F0} MiB | {start:F0} MiB | {peak:F0} MiB | {peak - start:F0} MiB |");
}
