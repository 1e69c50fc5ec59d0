using System.Diagnostics;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// Cancelling an append of one large batch (one data file) stops within a page of the cancellation:
/// nothing is committed, no data file is left behind, and the dataset reads as before — in our engine
/// and in LanceDB.
/// </summary>
public sealed class CancellationTests : IDisposable
{
    private const int Dimension = 128;

    private readonly TempCopy _db = TempCopy.Empty();

    public void Dispose() => _db.Dispose();

    public static TheoryData<string> StorageVersions() => ["2.0", "2.1"];

    [Theory]
    [MemberData(nameof(StorageVersions))]
    public async Task A_cancelled_append_of_one_large_batch_stops_promptly_and_commits_nothing(string storageVersion)
    {
        var path = Path.Combine(_db.Path, "rows.lance");
        var dataset = await LanceDataset.CreateAsync(path, Batch(0, 10).Schema, [Batch(0, 10)], options: new DatasetWriteOptions { DataStorageVersion = storageVersion });
        var version = dataset.Version;
        var files = Directory.GetFiles(Path.Combine(path, "data")).Order(StringComparer.Ordinal).ToList();
        var big = Batch(10, 200_000);

        using var cancel = new CancellationTokenSource();
        var cancelledAt = new Stopwatch();
        cancel.Token.Register(cancelledAt.Start);

        // Cancel once the new data file has bytes in it, so the cancellation lands mid-write. A timer
        // would not do: on a busy machine its callback can wait on the thread pool past the whole write.
        var watcher = new Thread(() => CancelWhenWriteStarts(Path.Combine(path, "data"), files, cancel)) { IsBackground = true };
        watcher.Start();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dataset.AppendAsync([big], cancellationToken: cancel.Token));
        watcher.Join();

        // Within a page: a generous bound for a shared machine running other tests, below writing the whole file.
        Assert.True(cancelledAt.Elapsed < TimeSpan.FromSeconds(5), $"the append ran on for {cancelledAt.Elapsed} after it was cancelled");
        Assert.Equal(version, dataset.Version);
        var reopened = await LanceDataset.OpenAsync(path);
        Assert.Equal(version, reopened.Version);
        Assert.Equal(10, await reopened.CountRowsAsync(null));
        Assert.Equal(files, Directory.GetFiles(Path.Combine(path, "data")).Order(StringComparer.Ordinal).ToList());
        Assert.Equal(10, await LanceDbPeer.Default.CountAsync(_db.Path, "rows"));

        // And the dataset still takes the next append.
        await reopened.AppendAsync([Batch(10, 5)]);
        Assert.Equal(15, await LanceDbPeer.Default.CountAsync(_db.Path, "rows"));
    }

    private static void CancelWhenWriteStarts(string dataFolder, List<string> before, CancellationTokenSource cancel)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(1))
        {
            var started = Directory.GetFiles(dataFolder).Except(before, StringComparer.Ordinal).Any(HasBytes);
            if (started)
            {
                break;
            }

            Thread.Sleep(1);
        }

        cancel.Cancel();
    }

    private static bool HasBytes(string file)
    {
        try
        {
            return new FileInfo(file).Length > 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static RecordBatch Batch(int start, int count)
    {
        var ids = new Int64Array.Builder();
        var texts = new StringArray.Builder();
        var vectors = new FixedSizeListArray.Builder(FloatType.Default, Dimension);
        var items = (FloatArray.Builder)vectors.ValueBuilder;
        for (var i = start; i < start + count; i++)
        {
            ids.Append(i);
            texts.Append($"row {i} " + new string((char)('a' + (i % 26)), i % 64));
            vectors.Append();
            for (var d = 0; d < Dimension; d++)
            {
                items.Append((i * 31 + d) % 97 / 97f);
            }
        }

        var schema = new Schema(
            [
                new Field("id", Int64Type.Default, false),
                new Field("text", StringType.Default, true),
                new Field("vector", new FixedSizeListType(new Field("item", FloatType.Default, true), Dimension), true),
            ],
            null);
        return new RecordBatch(schema, [ids.Build(), texts.Build(), vectors.Build()], count);
    }
}
