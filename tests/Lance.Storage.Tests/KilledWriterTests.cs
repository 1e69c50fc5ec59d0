using System.Diagnostics;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;
using Lance.Engine.Dataset;
using Lance.Storage.Cloud;
using Lance.Storage.Tests.Support;
using Xunit.Abstractions;

namespace Lance.Storage.Tests;

/// <summary>
/// A writer process killed at random points of its appends (while writing data files, publishing a
/// manifest, or between commits) leaves every version readable, whole, with no row twice: a data
/// file is only named by a manifest once it is complete, and a manifest appears whole or not at all.
/// CI runs a few rounds per store; <c>LANCE_STORAGE_LONG=1</c> runs 50.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class KilledWriterTests(Emulators emulators, ITestOutputHelper output)
{
    private const int RowsPerCommit = 2_000;

    public static TheoryData<string> Stores => ["azure", "s3"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_writer_killed_at_random_points_leaves_every_version_readable(string kind)
    {
        var rounds = LongRuns.Rounds(ci: 3, full: 50);
        await using var proxy = kind == "s3"
            ? await FaultProxy.StartAsync(emulators.S3.Endpoint, 0, emulateS3ConditionalPut: (emulators.S3.DataDirectory, Emulators.Bucket))
            : null;
        var uri = kind == "s3" ? Emulators.NewS3Uri() : Emulators.NewAzureUri();
        var options = kind == "s3" ? emulators.S3Options(proxy!.Endpoint) : emulators.AzureOptions();
        if (kind == "s3")
        {
            options["aws_conditional_put"] = "etag";
        }

        var schema = new Schema([new Field("id", Int64Type.Default, false), new Field("writer", Int32Type.Default, false)], null);
        await using (var store = ObjectStoreFactory.Open(uri, options))
        await using (await LanceDataset.CreateAsync(uri, schema, [], WriteMode.Create, new DatasetWriteOptions { Store = store }))
        {
        }

        var random = new Random(2026);
        ulong checkedUpTo = 1;
        var killedBeforeACommit = 0;
        var commitsSeen = 0;
        for (var round = 1; round <= rounds; round++)
        {
            // Kill right after the writer opened the table in some rounds, after its first commit plus a
            // random delay (mid-write, mid-publish, or between commits) in the rest.
            var afterCommit = random.NextDouble() < 0.8;
            var delay = TimeSpan.FromMilliseconds(random.Next(0, 400));
            commitsSeen += await RunAndKillAsync(uri, options, round, afterCommit, delay);
            killedBeforeACommit += afterCommit ? 0 : 1;

            await using var check = ObjectStoreFactory.Open(uri, options);
            await using var dataset = await LanceDataset.OpenAsync(uri, new DatasetOpenOptions { Store = check });
            checkedUpTo = await CheckVersionsAsync(dataset, checkedUpTo + 1);
        }

        // Every version once more, from the first.
        await using (var check = ObjectStoreFactory.Open(uri, options))
        await using (var dataset = await LanceDataset.OpenAsync(uri, new DatasetOpenOptions { Store = check }))
        {
            await CheckVersionsAsync(dataset, 1);
            output.WriteLine($"{kind}: {rounds} writers killed ({killedBeforeACommit} right after opening), {commitsSeen} commits reported, {dataset.Version} versions, {dataset.CountRows()} rows");
            Assert.True(dataset.Version >= (ulong)commitsSeen, $"{commitsSeen} commits were reported but the table is at version {dataset.Version}");
        }
    }

    /// <summary>Reads every version from <paramref name="from"/> on: whole commits of distinct rows, each version holding the one before it.</summary>
    private static async Task<ulong> CheckVersionsAsync(LanceDataset dataset, ulong from)
    {
        HashSet<long>? previous = null;
        foreach (var version in (await dataset.ListVersionsAsync()).Where(v => v.Version >= from - 1 && v.Version >= 1).OrderBy(v => v.Version))
        {
            await using var old = await dataset.CheckoutAsync(version.Version);
            var ids = new List<long>();
            await foreach (var batch in old.ScanAsync((IReadOnlyList<string>)["id"]))
            {
                ids.AddRange(((Int64Array)batch.Column(0)).Values.ToArray());
            }

            var distinct = ids.ToHashSet();
            Assert.True(distinct.Count == ids.Count, $"version {version.Version} holds a row twice");
            Assert.True(ids.Count % RowsPerCommit == 0, $"version {version.Version} holds {ids.Count} rows, not whole commits");
            Assert.Equal(version.RowCount, ids.Count);
            if (previous is not null)
            {
                Assert.True(previous.IsSubsetOf(distinct), $"version {version.Version} lost rows of the version before it");
                Assert.Equal(previous.Count + RowsPerCommit, distinct.Count);
            }

            previous = distinct;
        }

        return dataset.Version;
    }

    private async Task<int> RunAndKillAsync(string uri, Dictionary<string, string> options, int round, bool afterCommit, TimeSpan delay)
    {
        var dll = typeof(KilledWriterTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "RaceWriterDll").Value!;
        Assert.True(File.Exists(dll), $"The writer was not built next to the tests: {dll}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(System.Text.Json.JsonSerializer.Serialize(new { uri, storageOptions = options, writer = round, count = 0, batch = RowsPerCommit, endless = true }));
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var commits = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            var wanted = afterCommit ? "committed" : "opened";
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"Writer {round} exited (code {(process.WaitForExit(5_000) ? process.ExitCode : -1)}) before '{wanted}': {await stderr}");
                commits += line.StartsWith("committed", StringComparison.Ordinal) ? 1 : 0;
                if (line.StartsWith(wanted, StringComparison.Ordinal))
                {
                    break;
                }
            }

            // Keep reading its progress while the delay runs, then kill it wherever it is.
            var drain = Task.Run(async () =>
            {
                var more = 0;
                while (await process.StandardOutput.ReadLineAsync() is { } line)
                {
                    more += line.StartsWith("committed", StringComparison.Ordinal) ? 1 : 0;
                }

                return more;
            });
            await Task.Delay(delay);
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(timeout.Token);
            return commits + await drain;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
