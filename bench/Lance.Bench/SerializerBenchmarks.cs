using Apache.Arrow;
using BenchmarkDotNet.Attributes;

namespace Lance.Bench;

/// <summary>
/// Generated serializers against the reflection baseline and a raw copy of the vector bytes, at two
/// row counts so that allocated bytes per row show what does (and does not) grow with N:
/// <c>dotnet run -c Release --project bench/Lance.Bench -- --filter *ModelSerializer* --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class ModelSerializerBenchmarks
{
    private ScalarRow[] _scalars = [];
    private VectorRow[] _vectors = [];
    private RecordBatch _scalarBatch = null!;
    private RecordBatch _vectorBatch = null!;
    private float[] _flatVectors = [];
    private float[] _copyTarget = [];

    [Params(10_000, 100_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _scalars = SerializerData.Scalars(Rows);
        _vectors = SerializerData.Vectors(Rows);
        _scalarBatch = ScalarRow.ToRecordBatch(_scalars);
        _vectorBatch = VectorRow.ToRecordBatch(_vectors);
        _flatVectors = _vectors.SelectMany(v => v.Vector).ToArray();
        _copyTarget = new float[_flatVectors.Length];
    }

    [Benchmark(Description = "write scalars: generated")]
    public RecordBatch WriteScalarsGenerated() => ScalarRow.ToRecordBatch(_scalars);

    [Benchmark(Description = "write scalars: reflection")]
    public RecordBatch WriteScalarsReflection() => ReflectionSerializer.Write(_scalars, 0);

    [Benchmark(Description = "write with vector: generated")]
    public RecordBatch WriteVectorsGenerated() => VectorRow.ToRecordBatch(_vectors);

    [Benchmark(Description = "write with vector: reflection")]
    public RecordBatch WriteVectorsReflection() => ReflectionSerializer.Write(_vectors, SerializerData.Dimension);

    [Benchmark(Description = "memcpy of the vector bytes")]
    public float[] CopyVectorBytes()
    {
        _flatVectors.AsSpan().CopyTo(_copyTarget);
        return _copyTarget;
    }

    [Benchmark(Description = "read with vector: generated")]
    public int ReadVectorsGenerated()
    {
        var rows = new List<VectorRow>(Rows);
        VectorRow.ReadRecordBatch(_vectorBatch, rows);
        return rows.Count;
    }

    [Benchmark(Description = "read with vector: reflection")]
    public int ReadVectorsReflection() => ReflectionSerializer.Read<VectorRow>(_vectorBatch).Count;

    [Benchmark(Description = "read scalars: generated")]
    public int ReadScalarsGenerated()
    {
        var rows = new List<ScalarRow>(Rows);
        ScalarRow.ReadRecordBatch(_scalarBatch, rows);
        return rows.Count;
    }

    [Benchmark(Description = "scan with vector: BatchView (no rows)")]
    public double ScanVectorsView()
    {
        var view = new VectorRow.BatchView(_vectorBatch);
        var sum = 0.0;
        for (var i = 0; i < view.RowCount; i++)
        {
            sum += view.Score(i) + view.Vector(i)[0] + view.NameUtf8(i).Length;
        }

        return sum;
    }
}
