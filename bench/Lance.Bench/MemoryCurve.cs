using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;
using Lance.Engine.Dataset;

namespace Lance.Bench;

/// <summary>
/// The memory scale curve: for each row count, a table of 384-d vectors is written from a stream of
/// batches (never all in memory) and searched exactly, each step in a fresh process that reports its
/// ingest rows/s or query median beside its peak private memory (anonymous pages, sampled from
/// <c>/proc/self/status</c> RssAnon) and its peak resident size (VmHWM, which also counts the
/// data file pages mapped from the OS cache). Then, on the first size, search with a 256 MB column
/// cache against an unlimited one.
/// </summary>
/// <remarks>
/// <c>memory-curve [--dir FOLDER] [--queries N] [ROWS ...]</c>; rows default to 1M 2M 4M 10M. Each
/// table is deleted once measured. Linux only (it reads /proc).
/// </remarks>
public static class MemoryCurve
{
    private const int Dimension = BenchData.Dimension;
    private const int BatchRows = 16 * 1024;

    public static async Task RunAsync(string[] args)
    {
        var dir = Path.GetTempPath();
        var queries = 5;
        var sizes = new List<long>();
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--dir": dir = args[++i]; break;
                case "--queries": queries = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
                default: sizes.Add(long.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture)); break;
            }
        }

        if (sizes.Count == 0)
        {
            sizes = [1_000_000, 2_000_000, 4_000_000, 10_000_000];
        }

        Console.WriteLine($"memory-curve: {Dimension}-d float vectors + int64 id, {Environment.ProcessorCount} cores, {Environment.OSVersion}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine("rows | data GB | ingest rows/s | write: peak private / peak resident MB | exact query median ms | search: peak private / peak resident MB");
        var first = true;
        foreach (var rows in sizes)
        {
            var path = Path.Combine(dir, $"memory-curve-{rows}-{Guid.NewGuid():N}.lance");
            try
            {
                var write = Child("write", path, rows.ToString(System.Globalization.CultureInfo.InvariantCulture), "0", "0");
                var gb = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) / 1e9;
                var search = Child("search", path, queries.ToString(System.Globalization.CultureInfo.InvariantCulture), long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), "0");
                Console.WriteLine($"{rows:N0} | {gb:0.00} | {write.GetProperty("rowsPerSecond").GetDouble():N0} | {Mb(write, "peakPrivate")} / {Mb(write, "peakResident")} | "
                    + $"{search.GetProperty("medianMs").GetDouble():N0} | {Mb(search, "peakPrivate")} / {Mb(search, "peakResident")}");
                if (first)
                {
                    first = false;
                    var budget = 256L << 20;
                    var limited = Child("search", path, queries.ToString(System.Globalization.CultureInfo.InvariantCulture), budget.ToString(System.Globalization.CultureInfo.InvariantCulture), "0");
                    Console.WriteLine($"  {rows:N0} rows, cache budget 256 MB: query median {limited.GetProperty("medianMs").GetDouble():N0} ms "
                        + $"({limited.GetProperty("medianMs").GetDouble() / search.GetProperty("medianMs").GetDouble():0.00}× the unlimited cache's), "
                        + $"peak private {Mb(limited, "peakPrivate")} MB, peak resident {Mb(limited, "peakResident")} MB");
                    var decoded = Child("search", path, queries.ToString(System.Globalization.CultureInfo.InvariantCulture), budget.ToString(System.Globalization.CultureInfo.InvariantCulture), "1");
                    var decodedFull = Child("search", path, queries.ToString(System.Globalization.CultureInfo.InvariantCulture), long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), "1");
                    Console.WriteLine($"  same, vectors decoded into memory (not mapped): budget 256 MB {decoded.GetProperty("medianMs").GetDouble():N0} ms, peak private {Mb(decoded, "peakPrivate")} MB; "
                        + $"unlimited {decodedFull.GetProperty("medianMs").GetDouble():N0} ms, peak private {Mb(decodedFull, "peakPrivate")} MB "
                        + $"(ratio {decoded.GetProperty("medianMs").GetDouble() / decodedFull.GetProperty("medianMs").GetDouble():0.00}×)");
                }
            }
            finally
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }
            }
        }
    }

    /// <summary>One measurement in this process (the <c>memory-curve-child</c> mode); prints JSON.</summary>
    public static async Task RunChildAsync(string[] args)
    {
        var (mode, path, count, budget, decoded) = (args[1], args[2], long.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture), args[5] == "1");
        using var sampler = new PrivateMemorySampler();
        var result = new Dictionary<string, double>();
        if (mode == "write")
        {
            var clock = Stopwatch.StartNew();
            await using (var dataset = await LanceDataset.CreateAsync(path, Schema(), Batches(count)))
            {
                result["rowsPerSecond"] = dataset.CountRows() / clock.Elapsed.TotalSeconds;
            }
        }
        else
        {
            await using var dataset = await LanceDataset.OpenAsync(path, new DatasetOpenOptions { CacheBudgetBytes = budget, MapColumns = !decoded });
            var times = new List<double>();
            var qs = BenchData.Queries((int)count + 1);
            foreach (var query in qs)
            {
                var clock = Stopwatch.StartNew();
                var hits = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 10) { Columns = ["id"] });
                if (hits.Length != 10)
                {
                    throw new InvalidOperationException($"a search returned {hits.Length} rows");
                }

                times.Add(clock.Elapsed.TotalMilliseconds);
            }

            result["medianMs"] = BenchSupport.Median(times.Skip(1)); // the first query warms the cache
        }

        result["peakPrivate"] = sampler.Peak;
        result["peakResident"] = PrivateMemorySampler.Status("VmHWM");
        Console.WriteLine(JsonSerializer.Serialize(result));
    }

    private static Schema Schema() => new(
        [
            new Field("id", Int64Type.Default, nullable: false),
            new Field("vector", new FixedSizeListType(new Field("item", FloatType.Default, true), Dimension), nullable: true),
        ], null);

    // Deterministic vectors in [-1, 1), made batch by batch as the writer asks for them.
    private static async IAsyncEnumerable<RecordBatch> Batches(long rows, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var state = 0x9E3779B97F4A7C15UL;
        for (long start = 0; start < rows; start += BatchRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = (int)Math.Min(BatchRows, rows - start);
            var ids = new Int64Array.Builder();
            var values = new float[count * Dimension];
            for (var i = 0; i < values.Length; i++)
            {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                values[i] = ((state >> 40) / (float)(1 << 24) * 2) - 1;
            }

            for (var i = 0; i < count; i++)
            {
                ids.Append(start + i);
            }

            var floats = new FloatArray(new ArrowBuffer(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray()), ArrowBuffer.Empty, values.Length, 0, 0);
            var listType = (FixedSizeListType)Schema().GetFieldByName("vector").DataType;
            var vectors = new FixedSizeListArray(new ArrayData(listType, count, 0, 0, [ArrowBuffer.Empty], [floats.Data]));
            yield return new RecordBatch(Schema(), [ids.Build(), vectors], count);
            await Task.Yield();
        }
    }

    private static string Mb(JsonElement result, string name) => (result.GetProperty(name).GetDouble() / (1 << 20)).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    private static JsonElement Child(string mode, string path, string count, string budget, string decoded)
    {
        var self = Environment.ProcessPath!;
        var arguments = Path.GetFileNameWithoutExtension(self) == "dotnet" ? new List<string> { typeof(MemoryCurve).Assembly.Location } : [];
        arguments.AddRange(["memory-curve-child", mode, path, count, budget, decoded]);
        using var process = Process.Start(new ProcessStartInfo(self, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the {mode} child failed: {stderr.Result}{stdout.Result}");
        }

        return JsonDocument.Parse(stdout.Result.Trim().Split('\n')[^1]).RootElement.Clone();
    }
}
