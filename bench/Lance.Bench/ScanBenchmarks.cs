using Apache.Arrow;
using Apache.Arrow.Types;
using BenchmarkDotNet.Attributes;
using Lance.Engine;
using Lance.Engine.Arrow;
using Lance.Engine.DataFiles;
using Lance.Engine.Format;
using System.Numerics.Tensors;

namespace Lance.Bench;

/// <summary>
/// A full scan of a vector column (100k × 384 float32 = 153.6 MB, the file in the page cache),
/// summing every value so that each byte is really read, beside this machine's memory-read
/// bandwidth: the same sum over the same number of floats already in managed memory.
/// </summary>
[MemoryDiagnoser]
public class ScanBenchmarks
{
    /// <summary>Rows in the table.</summary>
    public const int Rows = 100_000;

    private string _folder = "";
    private string _dataFile = "";
    private float[] _resident = [];
    private float[] _copyTarget = [];

    /// <summary>Bytes of vector data one scan reads.</summary>
    public static long VectorBytes => (long)Rows * BenchData.Dimension * sizeof(float);

    [GlobalSetup]
    public async Task Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "lance-bench-scan-" + Guid.NewGuid().ToString("N"));
        var dataset = await LanceDataset.CreateAsync(Path.Combine(_folder, "scan.lance"), Schema(), [Batch(Rows)]);
        _dataFile = Directory.GetFiles(Path.Combine(dataset.Path, "data")).Single();
        _resident = new float[Rows * BenchData.Dimension];
        new Random(1).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_resident.AsSpan()));
        for (int i = 0; i < _resident.Length; i++)
        {
            _resident[i] = (_resident[i] % 1) is var x && float.IsFinite(x) ? x : 0; // finite values, like vectors
        }

        _copyTarget = new float[_resident.Length];
        using (var warm = File.OpenRead(_dataFile))
        {
            warm.CopyTo(Stream.Null); // into the page cache
        }
    }

    /// <summary>Set this environment variable to keep the table (its path is printed) for LanceDB's side: tools/lancedb-peer/bench-scan.mjs.</summary>
    public const string KeepVariable = "LANCE_BENCH_KEEP_SCAN_TABLE";

    [GlobalCleanup]
    public void Cleanup()
    {
        if (Environment.GetEnvironmentVariable(KeepVariable) is { Length: > 0 })
        {
            Console.WriteLine($"// scan table kept: {_folder} (table 'scan')");
            return;
        }

        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Memory-read bandwidth: sum 153.6 MB of floats already in memory.</summary>
    [Benchmark(Baseline = true)]
    public float MemoryReadBaseline() => TensorPrimitives.Sum(_resident);

    /// <summary>Memory copy (read + write) of the same bytes: what any scan into a fresh buffer must at least pay.</summary>
    [Benchmark]
    public void MemoryCopyBaseline() => _resident.AsSpan().CopyTo(_copyTarget);

    /// <summary>Scan into managed memory (one copy from the page cache into the Arrow buffer), then sum.</summary>
    [Benchmark]
    public float ScanRead() => Sum(DataFileReader.Read(_dataFile, columns: ["vector"]));

    /// <summary>Scan with the vector pages memory-mapped (no copy), then sum.</summary>
    [Benchmark]
    public float ScanMapped() => Sum(DataFileReader.Read(_dataFile, columns: ["vector"], mapFlatColumns: true));

    private static float Sum(RecordBatch batch)
    {
        var vectors = (FixedSizeListArray)batch.Column(0);
        float sum = TensorPrimitives.Sum(ArrowTake.FlatValues(vectors));
        GC.KeepAlive(batch);
        return sum;
    }

    private static Schema Schema() => new(
        [
            new Field("id", Int64Type.Default, false),
            new Field("vector", new FixedSizeListType(new Field("item", FloatType.Default, true), BenchData.Dimension), false),
        ],
        null);

    private static RecordBatch Batch(int rows)
    {
        var random = new Random(12345);
        var ids = new Int64Array.Builder();
        var vectors = new FixedSizeListArray.Builder(FloatType.Default, BenchData.Dimension);
        var values = (FloatArray.Builder)vectors.ValueBuilder;
        for (int i = 0; i < rows; i++)
        {
            ids.Append(i);
            vectors.Append();
            for (int d = 0; d < BenchData.Dimension; d++)
            {
                values.Append((float)((random.NextDouble() * 2) - 1));
            }
        }

        return new RecordBatch(Schema(), [ids.Build(), vectors.Build()], rows);
    }
}
