using System.Diagnostics;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Tests.Support;

namespace Lance.Engine.Tests.Dataset;

/// <summary>Writers in separate processes: racing commits, and writers killed mid-commit.</summary>
public sealed class MultiProcessTests : IDisposable
{
    private static readonly Schema RowSchema = new([new Field("id", Int64Type.Default, nullable: false), new Field("text", StringType.Default, nullable: true)], null);

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string TablePath => _temp.Combine("shared.lance");

    [Fact]
    public async Task Two_processes_appending_200_times_each_land_all_400_appends_and_every_version_reads()
    {
        await LanceDataset.CreateAsync(TablePath, RowSchema);

        using var first = Start("append", 1, "200");
        using var second = Start("append", 2, "200");
        await Task.WhenAll(WaitAsync(first, TimeSpan.FromMinutes(4)), WaitAsync(second, TimeSpan.FromMinutes(4)));

        var dataset = await LanceDataset.OpenAsync(TablePath);
        Assert.Equal(401UL, dataset.Version);
        var expected = Enumerable.Range(0, 200).Select(i => 1_000_000L + i).Concat(Enumerable.Range(0, 200).Select(i => 2_000_000L + i)).Order();
        Assert.Equal(expected, (await ReadIdsAsync(dataset)).Order());

        // Every version holds one more row than the one before it.
        var versions = await dataset.ListVersionsAsync();
        Assert.Equal(Enumerable.Range(1, 401).Select(v => (ulong)v), versions.Select(v => v.Version));
        Assert.Equal(Enumerable.Range(0, 401).Select(v => (long)v), versions.Select(v => v.RowCount));
        foreach (var version in new ulong[] { 2, 57, 200, 333, 400 })
        {
            var ids = await ReadIdsAsync(await dataset.CheckoutAsync(version));
            Assert.Equal((int)version - 1, ids.Distinct().Count());
        }
    }

    [Fact]
    public async Task A_writer_killed_at_random_points_leaves_every_committed_version_readable()
    {
        await LanceDataset.CreateAsync(TablePath, RowSchema);
        var random = new Random(7);
        var committed = 1UL;
        for (var round = 0; round < 8; round++)
        {
            using var writer = Start("chaos", round + 1, random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("ready", await writer.StandardOutput.ReadLineAsync());
            Assert.NotNull(await writer.StandardOutput.ReadLineAsync()); // its first commit: the machine may be slow to start it
            await Task.Delay(random.Next(20, 500));
            writer.Kill(entireProcessTree: true);
            await writer.WaitForExitAsync();

            var dataset = await LanceDataset.OpenAsync(TablePath);
            Assert.True(dataset.Version >= committed, $"version went back from {committed} to {dataset.Version}");
            committed = dataset.Version;
            var ids = await ReadIdsAsync(dataset);
            Assert.Equal(ids.Count, ids.Distinct().Count());
            Assert.Equal(dataset.CountRows(), ids.Count);
            foreach (var version in await dataset.ListVersionsAsync())
            {
                Assert.Equal(version.RowCount, (await dataset.CheckoutAsync(version.Version)).CountRows());
            }
        }

        Assert.True(committed >= 9, $"only {committed} versions were committed: the writers hardly ran");

        // Whatever the killed writers left half-written is cleaned up without touching committed data.
        var final = await LanceDataset.OpenAsync(TablePath);
        var before = (await ReadIdsAsync(final)).Order().ToList();
        await final.CleanupOldVersionsAsync(TimeSpan.FromDays(1), deleteUnverified: true);
        Assert.Empty(Directory.GetFiles(Path.Combine(TablePath, "_versions"), ".tmp-*"));
        Assert.Equal(before, (await ReadIdsAsync(await LanceDataset.OpenAsync(TablePath))).Order());
        var referenced = Directory.GetFiles(Path.Combine(TablePath, "data")).Length;
        Assert.True(referenced > 0);
    }

    private Process Start(string command, int writer, string argument)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Lance.Engine.TestWriter.dll");
        Assert.True(File.Exists(dll), $"The test writer is missing at '{dll}'.");
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { dll, command, TablePath, writer.ToString(System.Globalization.CultureInfo.InvariantCulture), argument })
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("The test writer did not start.");
    }

    private static async Task WaitAsync(Process process, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var output = process.StandardOutput.ReadToEndAsync(cts.Token);
        var errors = process.StandardError.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, $"The writer failed ({process.ExitCode}): {await errors}");
        _ = await output;
    }

    private static async Task<List<long>> ReadIdsAsync(LanceDataset dataset)
    {
        var ids = new List<long>();
        await foreach (var batch in dataset.ScanAsync(["id"]))
        {
            ids.AddRange(((Int64Array)batch.Column(0)).Values.ToArray());
        }

        return ids;
    }
}
