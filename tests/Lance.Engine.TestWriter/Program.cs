using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;
using Lance.Engine.Dataset;
using Lance.Engine.TestWriter;

// Usage:
//   append <dataset> <writer> <count>   appends <count> one-row batches with ids writer*1,000,000 + i
//   chaos <dataset> <writer> <seed>     appends, deletes and compacts until killed, pausing at random
//                                       points inside commits so that a kill often lands there
//   search <dataset> 0                  prints the kernel width, then the hits of SearchProbe's searches
// Prints "ready" once the dataset is open, then one line per committed write.
var command = args[0];
var path = args[1];
var writer = long.Parse(args[2], CultureInfo.InvariantCulture);
// Each process draws its own pauses; the observer is given to this dataset only.
var random = new Random(command == "chaos" ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0);
var observer = command == "chaos" ? new PausingObserver(random) : null;
await using var dataset = await LanceDataset.OpenAsync(path, new DatasetOpenOptions { CommitObserver = observer });
Console.WriteLine("ready");
switch (command)
{
    case "append":
        var count = int.Parse(args[3], CultureInfo.InvariantCulture);
        for (var i = 0; i < count; i++)
        {
            await dataset.AppendAsync([Row(writer * 1_000_000 + i)]);
            Console.WriteLine(dataset.Version.ToString(CultureInfo.InvariantCulture));
        }

        return 0;
    case "chaos":
        for (var i = 0; ; i++)
        {
            switch (random.Next(10))
            {
                case < 7:
                    await dataset.AppendAsync([Row(writer * 1_000_000 + i)]);
                    break;
                case < 9:
                    var cut = writer * 1_000_000 + random.Next(i + 1);
                    await dataset.DeleteAsync(new LambdaPredicate(["id"], batch =>
                    {
                        var ids = (Int64Array)batch.Column(0);
                        return Enumerable.Range(0, batch.Length).Select(r => ids.GetValue(r) == cut).ToArray();
                    }));
                    break;
                default:
                    await dataset.CompactAsync(new CompactionOptions { TargetRowsPerFragment = 50 });
                    break;
            }

            Console.WriteLine(dataset.Version.ToString(CultureInfo.InvariantCulture));
        }

    case "search":
        Console.WriteLine("width " + SearchProbe.Width);
        foreach (var line in await SearchProbe.LinesAsync(dataset))
        {
            Console.WriteLine(line);
        }

        return 0;
    default:
        Console.Error.WriteLine($"unknown command {command}");
        return 2;
}

static RecordBatch Row(long id)
{
    var schema = new Schema([new Field("id", Int64Type.Default, nullable: false), new Field("text", StringType.Default, nullable: true)], null);
    return new RecordBatch(schema, [new Int64Array.Builder().Append(id).Build(), new StringArray.Builder().Append($"row {id}").Build()], 1);
}

/// <summary>Pauses at random inside commits, so that a kill from the parent often lands there.</summary>
internal sealed class PausingObserver(Random random) : ICommitObserver
{
    public void BeforeAttempt(ulong version) => Pause();

    public void BeforePublish(ulong version) => Pause();

    // Commits run one at a time in this writer, so the main loop's Random is never used concurrently.
    private void Pause()
    {
        if (random.Next(3) == 0)
        {
            Thread.Sleep(random.Next(1, 15));
        }
    }
}
