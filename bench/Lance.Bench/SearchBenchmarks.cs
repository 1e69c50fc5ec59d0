using BenchmarkDotNet.Attributes;
using Lance.Engine;
using Lance.Orm;

namespace Lance.Bench;

/// <summary>Exact search over 100k x 384 vectors (one fragment), per metric.</summary>
[MemoryDiagnoser]
public class SearchBenchmarks
{
    private string _path = "";
    private Table<BenchRow> _table = null!;
    private float[] _query = [];

    [Params(DistanceMetric.L2, DistanceMetric.Cosine, DistanceMetric.Dot)]
    public DistanceMetric Metric { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), "lance-bench-search-" + Guid.NewGuid().ToString("N"));
        var db = await LanceDb.ConnectAsync(_path);
        _table = await db.CreateTableAsync<BenchRow>("bench", BenchData.Rows(100_000));
        _query = BenchData.Queries(1)[0];
        await _table.Search(_query).ToBatchAsync();
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_path, recursive: true);

    [Benchmark]
    public Task<Apache.Arrow.RecordBatch> Search() => _table.Search(_query).DistanceType(Metric).ToBatchAsync();
}

/// <summary>Generated serializer: 100k typed rows to one Arrow record batch.</summary>
[MemoryDiagnoser]
public class SerializerBenchmarks
{
    private BenchRow[] _rows = [];

    [Params(10_000, 100_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup() => _rows = BenchData.Rows(Rows);

    [Benchmark]
    public Apache.Arrow.RecordBatch ToRecordBatch() => BenchRow.ToRecordBatch(_rows);
}
