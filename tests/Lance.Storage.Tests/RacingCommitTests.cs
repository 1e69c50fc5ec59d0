using System.Diagnostics;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;
using Lance.Engine.Dataset;
using Lance.Storage.Cloud;
using Lance.Storage.Tests.Support;

namespace Lance.Storage.Tests;

/// <summary>
/// Two processes append to one dataset at the same time, one row per commit: every append must be
/// there exactly once and every version must be readable. On Azurite the service's conditional
/// creates decide each race; on s3rver (which ignores them) the proxy decides them in its place.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class RacingCommitTests(Emulators emulators)
{
    private const int PerWriter = 100;

    public static TheoryData<string> Stores => ["azure", "s3"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Two_processes_each_appending_100_times_leave_200_rows_and_every_version_readable(string kind)
    {
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

        var writers = await Task.WhenAll(RunWriterAsync(uri, options, 1), RunWriterAsync(uri, options, 2));
        Assert.All(writers, w => Assert.Equal(PerWriter, w.GetProperty("appended").GetInt32()));

        await using var check = ObjectStoreFactory.Open(uri, options);
        await using var dataset = await LanceDataset.OpenAsync(uri, new DatasetOpenOptions { Store = check });
        Assert.Equal((ulong)(1 + (2 * PerWriter)), dataset.Version);
        var ids = new List<long>();
        await foreach (var batch in dataset.ScanAsync((IReadOnlyList<string>)["id"]))
        {
            ids.AddRange(((Int64Array)batch.Column(0)).Values.ToArray());
        }

        var expected = Enumerable.Range(0, PerWriter).SelectMany(i => new[] { 1_000_000L + i, 2_000_000L + i }).Order();
        Assert.Equal(expected, ids.Order());

        // Each commit added one row: version v holds v - 1 rows, whoever made it.
        foreach (var version in await dataset.ListVersionsAsync())
        {
            await using var old = await dataset.CheckoutAsync(version.Version);
            Assert.Equal((long)version.Version - 1, await old.CountRowsAsync((string?)null));
        }
    }

    private static async Task<JsonElement> RunWriterAsync(string uri, Dictionary<string, string> options, int writer)
    {
        var dll = typeof(RacingCommitTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "RaceWriterDll").Value!;
        Assert.True(File.Exists(dll), $"The racing writer was not built next to the tests: {dll}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(JsonSerializer.Serialize(new { uri, storageOptions = options, writer, count = PerWriter }));
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Writer {writer} did not finish within 8 minutes: {await stderr}");
        }

        Assert.True(process.ExitCode == 0, $"Writer {writer} failed with exit code {process.ExitCode}: {await stderr}");
        return JsonDocument.Parse(await stdout).RootElement.Clone();
    }
}
