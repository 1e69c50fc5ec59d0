using System.Text.Json.Nodes;

namespace Lance.Interop.Tests.Generative;

/// <summary>
/// Every failure category the generative harness found, fixed, kept as the minimal table spec its
/// shrinker printed (<c>Regressions/*.json</c>): LanceDB replays the spec (the same schema, rows and
/// operations) and our engine must read, filter, search and write it exactly as LanceDB does.
/// </summary>
public sealed class GenerativeRegressionTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Generative", "Regressions");

    /// <summary>The spec files, one per category.</summary>
    public static TheoryData<string> Specs()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Folder, "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public async Task A_shrunk_case_the_harness_found_reads_and_writes_as_in_LanceDB(string name)
    {
        var spec = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, name + ".json")))!.AsObject();
        long seed = spec["seed"]?.GetValue<long>() ?? 1;

        var outcome = await new GenerativeDriver(LanceDbPeer.Default).ReplayAsync(seed, spec);

        Assert.True(outcome.Failures.Count == 0, string.Join("\n", outcome.Failures.Select(f => f.ToString())));
        Assert.Equal(1, outcome.Counts.Tables);
        if (name.StartsWith("lancedb-contradicts-", StringComparison.Ordinal))
        {
            // A case where LanceDB's full scan misreads its own table and its filtered scan reads what
            // we read: the contradiction must still be seen (and reported), not silently absorbed.
            Assert.NotEmpty(outcome.Counts.LanceDbContradictions);
        }
    }
}
