using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Lance.Interop.Tests.Generative;

/// <summary>
/// The generative differential harness: LanceDB (Node 0.31) makes random tables over every Arrow
/// type it accepts, runs random operations on them, and answers for every version, filter and
/// search; our engine must read every value, count and id the same, and what it writes must read
/// back in LanceDB the same as LanceDB's own writes. Any difference or refusal fails the test, with
/// each category shrunk to a minimal spec to paste into a regression test.
/// </summary>
/// <remarks>
/// CI runs the fixed seeds below (about a minute). Long mode: <c>LANCE_FUZZ_SECONDS=1800</c> runs
/// seeds from <c>LANCE_FUZZ_SEED</c> (default: from the clock) upwards for that long;
/// <c>LANCE_FUZZ_REPORT=file</c> appends progress and the catalogue there as it goes;
/// <c>LANCE_FUZZ_TYPES=int32,utf8,list</c> draws columns from those kinds only (to look past a known category).
/// <c>LANCE_FUZZ_SHRINK=a;b</c> shrinks only the categories whose signature contains one of those (all when unset).
/// </remarks>
public sealed class GenerativeHarnessTests(ITestOutputHelper output)
{
    /// <summary>The seeds CI runs, so that a CI failure reproduces anywhere.</summary>
    public static readonly long[] CiSeeds = [1, 2, 3, 4, 5, 6];

    private static readonly GenerativeSettings CiSettings = new(Tables: 2, Rows: 40, Ops: 6, Filters: 20);

    private static readonly GenerativeSettings LongSettings = new(Tables: 3, Rows: 80, Ops: 10, Filters: 20);

    [Fact]
    public async Task Generated_tables_read_and_write_exactly_as_in_LanceDB()
    {
        var longSeconds = Environment.GetEnvironmentVariable("LANCE_FUZZ_SECONDS") is { Length: > 0 } s ? double.Parse(s, CultureInfo.InvariantCulture) : 0;
        var firstSeed = Environment.GetEnvironmentVariable("LANCE_FUZZ_SEED") is { Length: > 0 } f
            ? long.Parse(f, CultureInfo.InvariantCulture)
            : DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 1_000_000;
        var reportPath = Environment.GetEnvironmentVariable("LANCE_FUZZ_REPORT");
        var only = Environment.GetEnvironmentVariable("LANCE_FUZZ_SHRINK") is { Length: > 0 } o ? o.Split(';') : null;
        var types = Environment.GetEnvironmentVariable("LANCE_FUZZ_TYPES") is { Length: > 0 } t ? t.Split(',', StringSplitOptions.TrimEntries) : null;
        var longMode = longSeconds > 0;
        void Log(string line)
        {
            output.WriteLine(line);
            if (reportPath is not null)
            {
                File.AppendAllText(reportPath, line + "\n");
            }
        }

        var driver = new GenerativeDriver(LanceDbPeer.Default);
        var catalogue = new FailureCatalogue();
        var clock = Stopwatch.StartNew();
        foreach (var seed in longMode ? SeedsFrom(firstSeed) : CiSeeds)
        {
            if (longMode && clock.Elapsed.TotalSeconds > longSeconds)
            {
                break;
            }

            SeedOutcome outcome;
            try
            {
                outcome = await driver.RunSeedAsync(seed, (longMode ? LongSettings : CiSettings) with { Types = types });
            }
            catch (LanceDbPeerException e)
            {
                // The generator itself failed: a harness bug, and a failure like any other.
                catalogue.Add(new GenerativeFailure(seed, "-", "-", false, "generator", e.Message.Split('\n')[0], "LanceDbPeerException"), null);
                Log($"seed {seed}: the generator failed: {e.Message.Split('\n')[0]}");
                continue;
            }

            foreach (var failure in catalogue.Add(outcome))
            {
                Log($"NEW [{failure.Signature}] {failure}");
            }

            Log($"seed {seed}: {outcome.Counts}; {outcome.Failures.Count} failures; {catalogue.CategoryCount} categories so far ({clock.Elapsed.TotalSeconds:0} s)");
        }

        // One shrunk case per category: a short budget each in CI, a longer one in long mode (where
        // shrinking may take another third of the time asked for, at least two minutes).
        await catalogue.ShrinkAsync(
            new GenerativeShrinker(driver),
            TimeSpan.FromSeconds(longMode ? 45 : 5),
            longMode ? clock.Elapsed + TimeSpan.FromSeconds(Math.Max(120, longSeconds / 3)) : TimeSpan.FromSeconds(50),
            clock,
            Log,
            only);

        var report = catalogue.Render();
        Log(report);
        Assert.True(catalogue.CategoryCount == 0, report);
    }

    private static IEnumerable<long> SeedsFrom(long first)
    {
        for (long seed = first; ; seed++)
        {
            yield return seed;
        }
    }
}
