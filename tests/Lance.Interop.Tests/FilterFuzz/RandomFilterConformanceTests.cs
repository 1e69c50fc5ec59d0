using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Lance.Interop.Tests.FilterFuzz;

/// <summary>
/// The random filter harness: seeded filters over <see cref="FilterFuzzTable"/>, each run by LanceDB
/// and by us (rows and count), must agree. Fixed seeds run in CI; set <c>LANCE_FILTER_FUZZ_SECONDS</c>
/// to keep drawing new seeds for that long, from <c>LANCE_FILTER_FUZZ_SEED</c> (default: from the clock) upwards
/// (the seeds and every disagreement are written to the output).
/// </summary>
public sealed class RandomFilterConformanceTests(ITestOutputHelper output)
{
    private static readonly int[] FixedSeeds = [1, 2, 3];

    [Fact]
    public async Task Random_filters_over_every_type_answer_as_LanceDB_does()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("LANCE_FILTER_FUZZ_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 0;
        var clock = Stopwatch.StartNew();
        var mismatches = new List<string>();
        var (compared, refused, seeds) = (0, 0, 0);
        var seed = seconds <= 0 ? 0
            : int.TryParse(Environment.GetEnvironmentVariable("LANCE_FILTER_FUZZ_SEED"), CultureInfo.InvariantCulture, out var first) ? first : Environment.TickCount & 0xFFFF;
        foreach (var next in seconds > 0 ? Seeds(seed) : FixedSeeds)
        {
            if (seconds > 0 && clock.Elapsed.TotalSeconds > seconds)
            {
                break;
            }

            var verdicts = await FilterJudge.JudgeAsync(FilterFuzzTable.Batch(next, 200), RandomFilterGenerator.Filters(next, seconds > 0 ? 600 : 250));
            (compared, refused, seeds) = (compared + verdicts.Compared, refused + verdicts.PeerErrors, seeds + 1);
            mismatches.AddRange(verdicts.Mismatches.Select(m => $"seed {next}: {m}"));
            foreach (var contradiction in verdicts.SelfContradictions)
            {
                output.WriteLine($"seed {next}: LanceDB contradicts itself: {contradiction}");
            }
        }

        output.WriteLine($"seeds {(seconds > 0 ? $"{seed}–{seed + seeds - 1}" : string.Join(", ", FixedSeeds))}: {seeds} seeds, {compared} filters compared ({refused} refused by LanceDB), {mismatches.Count} mismatches, {clock.Elapsed.TotalSeconds:F0} s");
        foreach (var mismatch in mismatches)
        {
            output.WriteLine(mismatch);
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} filters differ from LanceDB:\n{string.Join("\n", mismatches.Take(40))}");
    }

    private static IEnumerable<int> Seeds(int start)
    {
        for (var seed = start; ; seed++)
        {
            yield return seed;
        }
    }
}
