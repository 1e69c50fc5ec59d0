using System.Diagnostics;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Tests.Support;
using Lance.Engine.TestWriter;

namespace Lance.Engine.Tests.Kernels;

/// <summary>
/// The same searches in a child process whose JIT is told to leave out the wider instruction sets
/// (as on a machine without them, or on ARM64 with only 128-bit NEON) return the same ids and the
/// same distance bits as this process.
/// </summary>
public sealed class SimdDisabledProcessTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, string[]> Settings() => new()
    {
        // .NET 10 reads AVX-512 as one group (EnableAVX512); earlier runtimes read EnableAVX512F.
        { "Vector256", ["DOTNET_EnableAVX512F=0", "DOTNET_EnableAVX512=0"] },
        { "Vector128", ["DOTNET_EnableAVX512F=0", "DOTNET_EnableAVX512=0", "DOTNET_EnableAVX2=0"] },
        { "Scalar", ["DOTNET_EnableHWIntrinsic=0"] },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public async Task Searches_with_the_wider_simd_paths_disabled_return_the_same_ids_and_distance_bits(string widest, string[] environment)
    {
        var path = await CreateDatasetAsync();
        var expected = await SearchProbe.LinesAsync(await LanceDataset.OpenAsync(path));

        var (width, lines) = await RunChildAsync(path, environment);

        // The child may run narrower than asked (a machine without AVX2, or ARM64), never wider.
        Assert.True(Order(width) <= Order(widest), $"The child ran at {width} with {string.Join(' ', environment)}.");
        Assert.True(expected.Count > 100, "The probe's searches found almost nothing.");
        Assert.Equal(expected, lines);
    }

    private static int Order(string width) => width switch
    {
        "Scalar" => 0,
        "Vector128" => 1,
        "Vector256" => 2,
        _ => 3,
    };

    // 600 indexed rows in one fragment, then a fragment the index does not cover with rows of
    // zeros, infinities, NaN and subnormals, which the exact kernels score.
    private async Task<string> CreateDatasetAsync()
    {
        var path = _temp.Combine("probe.lance");
        var random = new Random(11);
        var plain = Rows(0, 600, _ => Enumerable.Range(0, SearchProbe.Dimension).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray());
        var dataset = await LanceDataset.CreateAsync(path, plain.Schema, [plain]);
        await dataset.CreateIndexAsync("vector", new IvfPqOptions { NumPartitions = 4, NumSubVectors = 3, MaxIterations = 5 });
        var special = Rows(600, 40, i =>
        {
            var v = Enumerable.Range(0, SearchProbe.Dimension).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
            switch (i % 5)
            {
                case 0: System.Array.Clear(v); break;
                case 1: v[i % SearchProbe.Dimension] = float.PositiveInfinity; break;
                case 2: v[i % SearchProbe.Dimension] = float.NaN; break;
                case 3: for (var d = 0; d < v.Length; d += 2) v[d] = float.Epsilon * (d + 1); break;
            }

            return v;
        });
        await dataset.AppendAsync([special]);
        return path;
    }

    private static RecordBatch Rows(int start, int count, Func<int, float[]> vector)
    {
        var ids = new Int64Array.Builder();
        var vectors = new FixedSizeListArray.Builder(FloatType.Default, SearchProbe.Dimension);
        var values = (FloatArray.Builder)vectors.ValueBuilder;
        for (var i = start; i < start + count; i++)
        {
            ids.Append(i);
            vectors.Append();
            values.AppendRange(vector(i));
        }

        var schema = new Schema(
            [
                new Field("id", Int64Type.Default, nullable: false),
                new Field("vector", new FixedSizeListType(new Field("item", FloatType.Default, true), SearchProbe.Dimension), nullable: true),
            ],
            null);
        return new RecordBatch(schema, [ids.Build(), vectors.Build()], count);
    }

    private static async Task<(string Width, List<string> Lines)> RunChildAsync(string path, string[] environment)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Lance.Engine.TestWriter.dll");
        Assert.True(File.Exists(dll), $"The probe is missing at '{dll}'.");
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { dll, "search", path, "0" })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var setting in environment)
        {
            var (name, value) = (setting[..setting.IndexOf('=')], setting[(setting.IndexOf('=') + 1)..]);
            info.Environment[name] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("The probe did not start.");
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var output = process.StandardOutput.ReadToEndAsync(cts.Token);
        var errors = process.StandardError.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, $"The probe failed ({process.ExitCode}): {await errors}");
        var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        Assert.Equal("ready", lines[0]);
        Assert.StartsWith("width ", lines[1], StringComparison.Ordinal);
        return (lines[1]["width ".Length..], lines.Skip(2).ToList());
    }
}
