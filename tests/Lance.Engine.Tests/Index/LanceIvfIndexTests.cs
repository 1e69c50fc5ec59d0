using Lance.Engine.Index;
using Lance.Engine.Index.Vector;
using Lance.Engine.Tests.Support;

namespace Lance.Engine.Tests.Index;

/// <summary>IVF_FLAT, IVF_SQ and IVF_HNSW_SQ built, written in Lance's format, reopened and searched by us.</summary>
public sealed class LanceIvfIndexTests : IDisposable
{
    private const int Dim = 32;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<(LanceDataset Dataset, float[][] Vectors)> CreateAsync(int rows = 4000, int seed = 3)
    {
        var vectors = IndexData.Vectors(rows, Dim, seed);
        var batch = IndexData.Batch(vectors, 0);
        var dataset = await LanceDataset.CreateAsync(_temp.Combine("t.lance"), batch.Schema, [batch], options: new DatasetWriteOptions { MaxRowsPerFile = 1500 });
        return (dataset, vectors);
    }

    private static async Task<double> RecallAsync(LanceDataset dataset, float[][] vectors, DistanceMetric metric, int nprobes, int? refine = null, int? ef = null, int queries = 20)
    {
        var queryVectors = IndexData.Vectors(queries, Dim, seed: 99);
        double found = 0;
        foreach (var query in queryVectors)
        {
            var expected = IndexData.Exact(vectors, query, 10, metric);
            var hits = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 10) { Metric = metric, Nprobes = nprobes, RefineFactor = refine, Ef = ef });
            found += IndexData.Ids(hits).Intersect(expected).Count();
        }

        return found / (queries * 10.0);
    }

    public static TheoryData<VectorIndexKind, DistanceMetric> Kinds()
    {
        var data = new TheoryData<VectorIndexKind, DistanceMetric>();
        foreach (var kind in new[] { VectorIndexKind.IvfFlat, VectorIndexKind.IvfSq, VectorIndexKind.IvfHnswSq })
        {
            foreach (var metric in new[] { DistanceMetric.L2, DistanceMetric.Cosine, DistanceMetric.Dot })
            {
                data.Add(kind, metric);
            }
        }

        return data;
    }

    private static IndexConfig Config(VectorIndexKind kind, DistanceMetric metric) => kind switch
    {
        VectorIndexKind.IvfFlat => IndexConfig.IvfFlat(16, metric),
        VectorIndexKind.IvfSq => IndexConfig.IvfSq(16, metric),
        _ => IndexConfig.IvfHnswSq(16, metric),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task An_index_probing_every_partition_finds_nearly_every_exact_neighbour_and_one_probe_fewer(VectorIndexKind kind, DistanceMetric metric)
    {
        var (dataset, vectors) = await CreateAsync();
        await using var _ = dataset;
        var info = await dataset.CreateIndexAsync("vector", Config(kind, metric));
        Assert.Equal((kind, metric, 16, 4000L), (info.Kind, info.Metric, info.NumPartitions, info.IndexedRows));

        var full = await RecallAsync(dataset, vectors, metric, nprobes: 16, ef: 100);
        var one = await RecallAsync(dataset, vectors, metric, nprobes: 1);
        Assert.True(full >= (kind == VectorIndexKind.IvfFlat ? 0.999 : 0.9), $"{kind} {metric}: recall {full:0.000} probing every partition");
        Assert.True(one < full, $"{kind} {metric}: recall {one:0.000} at one probe, {full:0.000} at all: the index was not used");
        Assert.True(await RecallAsync(dataset, vectors, metric, nprobes: 16, refine: 10, ef: 100) >= 0.97);
    }

    [Theory]
    [InlineData(VectorIndexKind.IvfFlat)]
    [InlineData(VectorIndexKind.IvfSq)]
    [InlineData(VectorIndexKind.IvfHnswSq)]
    public async Task A_reopened_dataset_reads_the_index_files_and_finds_the_same_rows(VectorIndexKind kind)
    {
        var (dataset, _) = await CreateAsync();
        var query = IndexData.Vectors(1, Dim, seed: 7)[0];
        var request = new VectorSearchRequest("vector", query, 10) { Nprobes = 4 };
        long[] before;
        await using (dataset)
        {
            await dataset.CreateIndexAsync("vector", Config(kind, DistanceMetric.L2));
            before = IndexData.Ids(await dataset.SearchAsync(request));
        }

        await using var reopened = await LanceDataset.OpenAsync(_temp.Combine("t.lance"));
        var index = Assert.Single(reopened.ListIndices());
        Assert.Equal((kind, 16, 4000L), (index.Kind, index.NumPartitions, index.IndexedRows));
        Assert.Empty(reopened.IgnoredIndices);
        Assert.Equal(before, IndexData.Ids(await reopened.SearchAsync(request)));
    }

    [Fact]
    public async Task Deleted_and_appended_rows_are_respected_and_optimize_folds_new_rows_in()
    {
        var (dataset, vectors) = await CreateAsync();
        await using var _ = dataset;
        await dataset.CreateIndexAsync("vector", IndexConfig.IvfHnswSq(16));
        var query = vectors[123];
        await dataset.DeleteAsync("id = 123");
        var hits = IndexData.Ids(await dataset.SearchAsync(new VectorSearchRequest("vector", query, 5) { Nprobes = 4 }));
        Assert.DoesNotContain(123L, hits);

        var extra = IndexData.Vectors(300, Dim, seed: 11);
        await dataset.AppendAsync([IndexData.Batch(extra, 10_000)]);
        Assert.Equal(300L, Assert.Single(dataset.ListIndices()).UnindexedRows);
        var first = IndexData.Ids(await dataset.SearchAsync(new VectorSearchRequest("vector", extra[5], 1) { Nprobes = 4 }));
        Assert.Equal(new[] { 10_005L }, first);

        await dataset.OptimizeIndexAsync();
        var index = Assert.Single(dataset.ListIndices());
        Assert.Equal((0L, 4299L, VectorIndexKind.IvfHnswSq), (index.UnindexedRows, index.IndexedRows, index.Kind));
        Assert.Equal(new[] { 10_005L }, IndexData.Ids(await dataset.SearchAsync(new VectorSearchRequest("vector", extra[5], 1) { Nprobes = 4 })));
    }

    [Fact]
    public async Task A_prefiltered_hnsw_search_returns_only_passing_rows()
    {
        var (dataset, vectors) = await CreateAsync();
        await using var _ = dataset;
        await dataset.CreateIndexAsync("vector", IndexConfig.IvfHnswSq(16));

        var hits = IndexData.Ids(await dataset.SearchAsync(new VectorSearchRequest("vector", vectors[10], 10) { Nprobes = 16, Filter = "id % 2 = 0" }));
        Assert.Equal(10, hits.Length);
        Assert.All(hits, id => Assert.Equal(0, id % 2));
        Assert.Equal(10L, hits[0]);
    }

    [Fact]
    public async Task A_hamming_config_is_refused_with_the_column_named()
    {
        var (dataset, _) = await CreateAsync(rows: 100);
        await using var _d = dataset;
        var error = await Assert.ThrowsAsync<LanceIndexException>(() => dataset.CreateIndexAsync("vector", IndexConfig.IvfHnswSq(4, DistanceMetric.Hamming)));
        Assert.Contains("'vector'", error.Message, StringComparison.Ordinal);
        Assert.Empty(dataset.ListIndices());
    }

    [Fact]
    public void Scalar_quantisation_saturates_and_scales_distances_back()
    {
        var sq = ScalarQuantizer.Train([-1f, 0f, 1f]);
        var codes = new byte[4];
        sq.Encode([-1f, 1f, 2f, 0f], codes);
        Assert.Equal(new byte[] { 0, 255, 255, 127 }, codes);
        Assert.Equal(4f, ScalarQuantizer.SquaredDistance(new byte[] { 0 }, new byte[] { 255 }) * sq.Scale, 3);
    }

    [Fact]
    public void Squared_distances_between_codes_match_a_plain_loop_at_every_length()
    {
        var random = new Random(7);
        for (var length = 0; length <= 400; length += length < 70 ? 1 : 37)
        {
            var a = new byte[length];
            var b = new byte[length];
            random.NextBytes(a);
            random.NextBytes(b);
            if (length > 0)
            {
                (a[0], b[0]) = (0, 255);
                (a[^1], b[^1]) = (255, 0);
            }

            var expected = 0;
            for (var i = 0; i < length; i++)
            {
                expected += (a[i] - b[i]) * (a[i] - b[i]);
            }

            Assert.Equal(expected, ScalarQuantizer.SquaredDistance(a, b));
        }
    }

    [Fact]
    public void An_hnsw_graph_finds_the_nearest_points_of_a_line()
    {
        var points = Enumerable.Range(0, 500).Select(i => (float)((i * 7919) % 500)).ToArray();
        var graph = HnswBuilder.Build(points.Length, (a, b) => Math.Abs(points[a] - points[b]), m: 8, efConstruction: 50, maxLevel: 7, seed: 1, CancellationToken.None);
        var found = new List<int>();
        graph.Search(i => Math.Abs(points[i] - 250.2f), 20, null, (_, node) => found.Add(node));
        Assert.Contains(Array.IndexOf(points, 250f), found);
        Assert.Contains(Array.IndexOf(points, 251f), found);
        Assert.Null(graph.Levels[0].Nodes);
        Assert.Equal(points.Length, graph.Levels[0].Count);
        Assert.True(graph.Levels[6].Contains(0));
    }

    [Fact]
    public void An_hnsw_search_by_sq_codes_finds_what_the_delegate_search_finds()
    {
        const int dim = 128; // wide enough for every SIMD width of the code distance
        var column = (Apache.Arrow.FixedSizeListArray)IndexData.Batch(IndexData.Vectors(3000, dim, seed: 11), 0).Column("vector");
        var index = LanceIvfBuilder.Build([new IndexSource(0, column, [])], dim, 2, LanceIvfKind.HnswSq, IndexConfig.IvfHnswSq(2), CancellationToken.None).ForSearch();
        var codes = new byte[dim];
        foreach (var (ef, k) in new[] { (15, 10), (75, 50), (200, 10) })
        {
            foreach (var query in IndexData.Vectors(20, dim, seed: 12))
            {
                index.Quantizer.Encode(query, codes);
                for (var p = 0; p < index.Partitions; p++)
                {
                    var rows = index.RowIds[p];
                    var allowed = Enumerable.Range(0, rows.Length).Select(i => i % 3 != 0).ToArray();
                    foreach (var mask in new[] { null, allowed })
                    {
                        var before = new Lance.Engine.Query.TopK(k);
                        index.Graphs![p]!.Search(index.Measure(p, query, codes), ef, mask is null ? null : i => mask[i], rows, before);
                        var after = new Lance.Engine.Query.TopK(k);
                        index.Graphs[p]!.Search(new SqL2Distance(index.Codes![p], codes, index.Quantizer.Scale), ef, mask, rows, after);
                        Assert.Equal(before.ToSortedArray(), after.ToSortedArray());
                    }
                }
            }
        }
    }

    [Fact]
    public void An_hnsw_graph_read_back_has_the_built_links_flat_and_keeps_no_distances()
    {
        var vectors = IndexData.Vectors(3000, Dim, seed: 5);
        var column = (Apache.Arrow.FixedSizeListArray)IndexData.Batch(vectors, 0).Column("vector");
        var built = LanceIvfBuilder.Build([new IndexSource(0, column, [])], Dim, 4, LanceIvfKind.HnswSq, IndexConfig.IvfHnswSq(4), CancellationToken.None);
        var (indexBytes, auxBytes) = LanceIvfWriter.Encode(built, CancellationToken.None);
        using var indexFile = Lance.Engine.DataFiles.DataFileReader.FromBytes(indexBytes, "index.idx");
        using var auxFile = Lance.Engine.DataFiles.DataFileReader.FromBytes(auxBytes, "auxiliary.idx");
        var read = LanceIvfReader.Read(indexFile, "index.idx", auxFile, "auxiliary.idx", [0]);

        var (builtCodes, readCodes) = (built.Codes!, read.Codes!);
        Assert.Equal(builtCodes.Select(c => c.Length), readCodes.Select(c => c.Length));
        Assert.All(builtCodes.Zip(readCodes), p => Assert.Equal(p.First, p.Second));
        for (var p = 0; p < built.Partitions; p++)
        {
            var (mine, theirs) = (built.Graphs![p]!, read.Graphs![p]!);
            Assert.Equal(mine.Count, theirs.Count);
            Assert.Equal(mine.Levels.Length, theirs.Levels.Length);
            foreach (var (a, b) in mine.Levels.Zip(theirs.Levels))
            {
                Assert.Equal(a.Nodes, b.Nodes);
                Assert.Equal(a.Offsets, b.Offsets);
                Assert.Equal(a.Links, b.Links);
                Assert.NotNull(a.Distances);
                Assert.Null(b.Distances);
            }
        }

        // A graph read for searching is written again (as a remap keeps it) with its distances measured anew.
        var (againIndex, againAux) = LanceIvfWriter.Encode(read, CancellationToken.None);
        Assert.Equal(indexBytes, againIndex);
        Assert.Equal(auxBytes, againAux);
    }
}
