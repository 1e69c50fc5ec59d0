using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;

namespace Lance.Interop.Tests.VectorIndexes;

/// <summary>
/// An IVF_FLAT index LanceDB builds with the hamming distance over uint8 vectors is used by us: it is not
/// ignored, our plan names it, and at the same nprobes our rows and distances are LanceDB's (distances are
/// whole bit counts, so ties at the last distance may be cut either way), also once we append rows the index
/// does not cover (searched exactly beside it). Our optimise rebuilds it over every row (k-modes, as LanceDB's does),
/// and LanceDB then searches the rebuilt index with our rows and distances.
/// </summary>
public sealed class LanceDbHammingIvfFlatInDotNetTests : IDisposable
{
    private const int Dim = 16;
    private readonly TempCopy _db = TempCopy.Empty();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task LanceDBs_hamming_IVF_FLAT_index_answers_our_searches_with_its_rows()
    {
        var peer = new VectorIndexPeer(_db.Path, "t");
        var batch = Batch(0, 2000, seed: 3);
        await (await LanceDataset.CreateAsync(peer.DatasetPath, batch.Schema, [batch])).DisposeAsync();
        Assert.Equal(["IvfFlat"], await peer.IndexAsync("ivf_flat", "hamming", partitions: 8));
        var queries = Queries(batch, 6);

        await using (var dataset = await LanceDataset.OpenAsync(peer.DatasetPath))
        {
            Assert.Empty(dataset.IgnoredIndices);
            var plan = await dataset.ExplainPlanAsync(Request(queries[0], nprobes: 2));
            Assert.Equal("vector_idx", plan.VectorIndex);
            await CompareAsync(peer, dataset, queries, nprobes: 2);
            await CompareAsync(peer, dataset, queries, nprobes: 8);

            var more = Batch(2000, 300, seed: 4);
            await dataset.AppendAsync([more]);
        }

        await using (var dataset = await LanceDataset.OpenAsync(peer.DatasetPath))
        {
            Assert.Equal(300L, Assert.Single(dataset.ListIndices()).UnindexedRows);
            await CompareAsync(peer, dataset, queries, nprobes: 3);

            // Optimising folds the appended rows in: the index we rebuild covers every row, and LanceDB uses it.
            await dataset.OptimizeIndexAsync();
            Assert.Equal(0L, Assert.Single(dataset.ListIndices()).UnindexedRows);
            await CompareAsync(peer, dataset, queries, nprobes: 3);
        }
    }

    internal static VectorSearchRequest Request(float[] query, int nprobes) => new("vector", query, 10)
    {
        Metric = DistanceMetric.Hamming,
        Nprobes = nprobes,
        Columns = ["id"],
    };

    internal static async Task CompareAsync(VectorIndexPeer peer, LanceDataset dataset, float[][] queries, int nprobes)
    {
        using var doc = await new LanceDbPeer(LanceDbPeer.Default.PeerDirectory).RunAsync(
            "vector-index", new { op = "search", db = peer.Db, table = peer.Table, queries, metric = "hamming", k = 10, nprobes });
        var theirIds = doc.RootElement.GetProperty("ids").EnumerateArray().Select(a => a.EnumerateArray().Select(x => x.GetInt64()).ToArray()).ToArray();
        var theirDistances = doc.RootElement.GetProperty("distances").EnumerateArray().Select(a => a.EnumerateArray().Select(x => x.GetSingle()).ToArray()).ToArray();
        for (var q = 0; q < queries.Length; q++)
        {
            var ours = await dataset.SearchAsync(Request(queries[q], nprobes));
            var ids = (Int64Array)ours.Column("id");
            var distances = ((FloatArray)ours.Column(LanceDataset.DistanceColumn)).Values.ToArray();
            Assert.Equal(theirDistances[q], distances);
            var last = distances[^1];
            Assert.Equal(
                theirIds[q].Where((_, i) => theirDistances[q][i] < last).Order(),
                Enumerable.Range(0, ours.Length).Where(i => distances[i] < last).Select(i => ids.GetValue(i)!.Value).Order());
        }
    }

    /// <summary>Queries near rows of the table: a row's bytes with a few bits flipped.</summary>
    internal static float[][] Queries(RecordBatch batch, int count)
    {
        var bytes = ((UInt8Array)((FixedSizeListArray)batch.Column(1)).Values).Values.ToArray();
        var random = new Random(21);
        return Enumerable.Range(0, count).Select(q =>
        {
            var row = (q * 97) + 1;
            var query = bytes.AsSpan(row * Dim, Dim).ToArray();
            for (var flip = 0; flip < 6; flip++)
            {
                query[random.Next(Dim)] ^= (byte)(1 << random.Next(8));
            }

            return query.Select(b => (float)b).ToArray();
        }).ToArray();
    }

    /// <summary>id and vector (uint8 × 16): rows drawn around 8 random byte patterns with some bits flipped.</summary>
    internal static RecordBatch Batch(int firstId, int rows, int seed)
    {
        var random = new Random(seed);
        var patterns = Enumerable.Range(0, 8).Select(_ => { var p = new byte[Dim]; new Random(99 + _).NextBytes(p); return p; }).ToArray();
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
}
