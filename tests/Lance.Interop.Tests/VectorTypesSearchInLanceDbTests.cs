using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// Exact search over vectors of float16 and float64 (l2, cosine, dot) and of uint8 (hamming) answers
/// as LanceDB does on the same table: the same rows, the same distances to float precision; and the
/// pairings LanceDB refuses (l2 over uint8, hamming over floats) are refused here too.
/// </summary>
public sealed class VectorTypesSearchInLanceDbTests
{
    private const int Rows = 300;
    private const int Dim = 8;
    private static readonly float[] FloatQuery = [0.5f, -1f, 1.5f, 2f, -0.25f, 0.75f, 3f, -2f];
    private static readonly float[] ByteQuery = [1, 2, 200, 77, 0, 255, 128, 9];

    [Theory]
    [InlineData("h", "l2")]
    [InlineData("h", "cosine")]
    [InlineData("h", "dot")]
    [InlineData("d", "l2")]
    [InlineData("d", "cosine")]
    [InlineData("d", "dot")]
    [InlineData("u", "hamming")]
    public async Task Exact_search_over_float16_float64_and_uint8_vectors_finds_LanceDBs_rows_at_its_distances(string column, string metric)
    {
        using var db = TempCopy.Empty();
        var dataset = await LanceDataset.CreateAsync(Path.Combine(db.Path, "vectors.lance"), Batch().Schema, [Batch()]);
        var query = column == "u" ? ByteQuery : FloatQuery;

        var peer = await LanceDbPeer.Default.SearchAsync(db.Path, "vectors", query, 12, metric, columns: ["id"], column: column);
        var ours = await dataset.SearchAsync(new VectorSearchRequest(column, query, 12) { Metric = Metric(metric), Columns = ["id"], Prefilter = true });

        var ourIds = (Int64Array)ours.Column("id");
        var ourDistances = (FloatArray)ours.Column(LanceDataset.DistanceColumn);
        Assert.Equal(peer.Rows.Count, ours.Length);
        var last = peer.Rows[^1].Distance;
        for (var i = 0; i < ours.Length; i++)
        {
            var expected = peer.Rows[i].Distance;
            Assert.True(Math.Abs(expected - ourDistances.GetValue(i)!.Value) <= 1e-4 * Math.Max(1, Math.Abs(expected)), $"row {i}: LanceDB {expected}, we {ourDistances.GetValue(i)}");
        }

        // Rows nearer than the last distance are the same; at the last distance ties may be cut either way.
        Assert.Equal(
            peer.Rows.Where(r => r.Distance < last - (1e-4 * Math.Max(1, Math.Abs(last)))).Select(r => r.GetInt64("id")).Order(),
            Enumerable.Range(0, ours.Length).Where(i => ourDistances.GetValue(i)!.Value < last - (1e-4 * Math.Max(1, Math.Abs(last)))).Select(i => ourIds.GetValue(i)!.Value).Order());
    }

    [Theory]
    [InlineData("u", "l2")]
    [InlineData("u", "cosine")]
    [InlineData("h", "hamming")]
    [InlineData("d", "hamming")]
    public async Task A_metric_LanceDB_refuses_for_a_vector_type_is_refused_with_a_schema_error(string column, string metric)
    {
        using var db = TempCopy.Empty();
        var dataset = await LanceDataset.CreateAsync(Path.Combine(db.Path, "vectors.lance"), Batch().Schema, [Batch()]);
        var query = column == "u" ? ByteQuery : FloatQuery;

        await Assert.ThrowsAnyAsync<Exception>(() => LanceDbPeer.Default.SearchAsync(db.Path, "vectors", query, 5, metric, column: column));
        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => dataset.SearchAsync(new VectorSearchRequest(column, query, 5) { Metric = Metric(metric) }));
        Assert.Contains($"'{column}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(Metric(metric).ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hamming_query_that_is_not_bytes_and_a_hamming_index_are_refused_with_typed_errors()
    {
        using var db = TempCopy.Empty();
        var dataset = await LanceDataset.CreateAsync(Path.Combine(db.Path, "vectors.lance"), Batch().Schema, [Batch()]);

        var query = await Assert.ThrowsAsync<LanceSchemaException>(() => dataset.SearchAsync(new VectorSearchRequest("u", FloatQuery, 5) { Metric = DistanceMetric.Hamming }));
        Assert.Contains("not a byte", query.Message, StringComparison.Ordinal);
        var index = await Assert.ThrowsAsync<LanceIndexException>(() => dataset.CreateIndexAsync("u", new IvfPqOptions { Metric = DistanceMetric.Hamming, NumPartitions = 2, NumSubVectors = 2 }));
        Assert.Contains("hamming", index.Message, StringComparison.Ordinal);
    }

    private static DistanceMetric Metric(string name) => name switch
    {
        "cosine" => DistanceMetric.Cosine,
        "dot" => DistanceMetric.Dot,
        "hamming" => DistanceMetric.Hamming,
        _ => DistanceMetric.L2,
    };

    /// <summary>id, h (float16 vectors), d (float64 vectors), u (uint8 vectors); every 11th row's vectors are null.</summary>
    private static RecordBatch Batch()
    {
        var random = new Random(13);
        var half = new FixedSizeListArray.Builder(HalfFloatType.Default, Dim);
        var wide = new FixedSizeListArray.Builder(DoubleType.Default, Dim);
        var bytes = new FixedSizeListArray.Builder(UInt8Type.Default, Dim);
        for (var row = 0; row < Rows; row++)
        {
            if (row % 11 == 5)
            {
                half.AppendNull();
                wide.AppendNull();
                bytes.AppendNull();
                continue;
            }

            half.Append();
            wide.Append();
            bytes.Append();
            for (var d = 0; d < Dim; d++)
            {
                ((HalfFloatArray.Builder)half.ValueBuilder).Append((Half)((random.NextDouble() * 8) - 4));
                ((DoubleArray.Builder)wide.ValueBuilder).Append((random.NextDouble() * 8) - 4);
                ((UInt8Array.Builder)bytes.ValueBuilder).Append((byte)random.Next(256));
            }
        }

        var ids = new Int64Array.Builder().AppendRange(Enumerable.Range(0, Rows).Select(i => (long)i)).Build();
        var arrays = new IArrowArray[] { ids, half.Build(), wide.Build(), bytes.Build() };
        var schema = new Schema(
            [
                new Field("id", Int64Type.Default, false),
                new Field("h", arrays[1].Data.DataType, true),
                new Field("d", arrays[2].Data.DataType, true),
                new Field("u", arrays[3].Data.DataType, true),
            ],
            null);
        return new RecordBatch(schema, arrays, Rows);
    }
}
