using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Tests.Support;

namespace Lance.Engine.Tests.Index;

/// <summary>
/// Hamming IVF_FLAT indexes over uint8 vectors built here (k-modes partitions, the vectors' bytes kept whole), and the
/// combinations LanceDB does not build refused with the column and the distance named.
/// </summary>
public sealed class HammingIndexTests : IDisposable
{
    private const int Dim = 16;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>id and vector (uint8 × 16): rows drawn around 8 random byte patterns with 20 bits flipped.</summary>
    internal static RecordBatch BinaryBatch(int firstId, int rows, int seed)
    {
        var random = new Random(seed);
        var patterns = Enumerable.Range(0, 8).Select(p => { var bytes = new byte[Dim]; new Random(99 + p).NextBytes(bytes); return bytes; }).ToArray();
        var vectors = new FixedSizeListArray.Builder(UInt8Type.Default, Dim);
        for (var row = 0; row < rows; row++)
        {
            var value = (byte[])patterns[random.Next(patterns.Length)].Clone();
            for (var flip = 0; flip < 20; flip++)
            {
                value[random.Next(Dim)] ^= (byte)(1 << random.Next(8));
            }

            vectors.Append();
            ((UInt8Array.Builder)vectors.ValueBuilder).AppendRange(value);
        }

        var ids = new Int64Array.Builder().AppendRange(Enumerable.Range(firstId, rows).Select(i => (long)i)).Build();
        var arrays = new IArrowArray[] { ids, vectors.Build() };
        var schema = new Schema([new Field("id", Int64Type.Default, false), new Field("vector", arrays[1].Data.DataType, true)], null);
        return new RecordBatch(schema, arrays, rows);
    }

    private static float[] Query(RecordBatch batch, int row)
        => ((UInt8Array)((FixedSizeListArray)batch.Column(1)).Values).Values.Slice(row * Dim, Dim).ToArray().Select(b => (float)(b ^ 0x11)).ToArray();

    private static async Task<(long[] Ids, float[] Distances)> SearchAsync(LanceDataset dataset, float[] query, int nprobes, bool exact = false)
    {
        var batch = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 10) { Metric = DistanceMetric.Hamming, Nprobes = nprobes, BypassIndex = exact, Columns = ["id"] });
        var ids = (Int64Array)batch.Column("id");
        return (Enumerable.Range(0, batch.Length).Select(i => ids.GetValue(i)!.Value).ToArray(), ((FloatArray)batch.Column(LanceDataset.DistanceColumn)).Values.ToArray());
    }

    [Fact]
    public async Task A_hamming_IVF_FLAT_is_built_listed_and_searched_and_probing_every_partition_is_exact()
    {
        var batch = BinaryBatch(0, 2000, seed: 3);
        await using (var dataset = await LanceDataset.CreateAsync(_temp.Combine("t.lance"), batch.Schema, [batch]))
        {
            var built = await dataset.CreateIndexAsync("vector", IndexConfig.IvfFlat(8, DistanceMetric.Hamming));

            Assert.Equal((VectorIndexKind.IvfFlat, DistanceMetric.Hamming, 8, 2000L), (built.Kind, built.Metric, built.NumPartitions, built.IndexedRows));
            Assert.Equal(new IndexStatistics(2000, 0, "IVF_FLAT", "hamming", 1), await dataset.IndexStatsAsync("vector_idx"));
        }

        await using var reopened = await LanceDataset.OpenAsync(_temp.Combine("t.lance"));
        Assert.Empty(reopened.IgnoredIndices);
        Assert.Equal("vector_idx", (await reopened.ExplainPlanAsync(new VectorSearchRequest("vector", Query(batch, 1), 10) { Metric = DistanceMetric.Hamming })).VectorIndex);
        foreach (var row in new[] { 1, 500, 1999 })
        {
            var exact = await SearchAsync(reopened, Query(batch, row), 1, exact: true);
            var all = await SearchAsync(reopened, Query(batch, row), 8);
            var one = await SearchAsync(reopened, Query(batch, row), 1);
            Assert.Equal(exact.Distances, all.Distances);
            Assert.All(one.Distances.Zip(exact.Distances), p => Assert.True(p.First >= p.Second));
        }
    }

    [Fact]
    public async Task Optimising_a_hamming_index_folds_appended_rows_in()
    {
        var batch = BinaryBatch(0, 1000, seed: 4);
        await using var dataset = await LanceDataset.CreateAsync(_temp.Combine("t.lance"), batch.Schema, [batch]);
        await dataset.CreateIndexAsync("vector", IndexConfig.IvfFlat(4, DistanceMetric.Hamming));
        var more = BinaryBatch(1000, 300, seed: 5);
        await dataset.AppendAsync([more]);
        Assert.Equal(300L, Assert.Single(dataset.ListIndices()).UnindexedRows);

        await dataset.OptimizeIndexAsync("vector_idx");

        var index = Assert.Single(dataset.ListIndices());
        Assert.Equal((0L, DistanceMetric.Hamming, 1300L), (index.UnindexedRows, index.Metric, index.IndexedRows));
        var exact = await SearchAsync(dataset, Query(more, 7), 1, exact: true);
        Assert.Equal(exact.Distances, (await SearchAsync(dataset, Query(more, 7), 4)).Distances);
    }

    public static TheoryData<bool, VectorIndexKind, DistanceMetric> Refused()
    {
        var data = new TheoryData<bool, VectorIndexKind, DistanceMetric>();
        foreach (var kind in new[] { VectorIndexKind.IvfFlat, VectorIndexKind.IvfPq, VectorIndexKind.IvfSq, VectorIndexKind.IvfHnswSq })
        {
            // Hamming on float vectors: LanceDB cannot train its partitions.
            data.Add(false, kind, DistanceMetric.Hamming);

            // uint8 vectors: LanceDB's PQ and SQ refuse them, and l2, cosine and dot do not measure them.
            if (kind != VectorIndexKind.IvfFlat)
            {
                data.Add(true, kind, DistanceMetric.Hamming);
            }
        }

        foreach (var metric in new[] { DistanceMetric.L2, DistanceMetric.Cosine, DistanceMetric.Dot })
        {
            data.Add(true, VectorIndexKind.IvfFlat, metric);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Combinations_LanceDB_does_not_build_are_refused_with_the_column_and_distance_named(bool binary, VectorIndexKind kind, DistanceMetric metric)
    {
        var batch = binary ? BinaryBatch(0, 200, seed: 6) : IndexData.Batch(IndexData.Vectors(200, Dim, seed: 6), 0);
        await using var dataset = await LanceDataset.CreateAsync(_temp.Combine("t.lance"), batch.Schema, [batch]);
        var config = kind switch
        {
            VectorIndexKind.IvfFlat => IndexConfig.IvfFlat(4, metric),
            VectorIndexKind.IvfPq => IndexConfig.IvfPq(4, 4, metric),
            VectorIndexKind.IvfSq => IndexConfig.IvfSq(4, metric),
            _ => IndexConfig.IvfHnswSq(4, metric),
        };

        var error = await Assert.ThrowsAsync<LanceIndexException>(() => dataset.CreateIndexAsync("vector", config));

        Assert.Contains("column 'vector'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"the {metric.ToString().ToLowerInvariant()} distance", error.Message, StringComparison.Ordinal);
        Assert.Empty(dataset.ListIndices());
    }
}
