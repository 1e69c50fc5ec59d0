using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Dataset;
using Lance.Engine.Format;
using Lance.Engine.Index.FullText;
using Lance.Engine.Tests.Support;
using Microsoft.Extensions.Logging;
using static Lance.Engine.Tests.Support.ScannedIds;

namespace Lance.Engine.Tests.Index;

/// <summary>
/// Compaction keeps the indexes over the fragments it rewrites, as Lance does: each such index entry is remapped to
/// the rows' new addresses and recorded under a new id, with the new fragments in its fragment bitmap; deleted rows
/// leave it. Fragments the indexes cover are never merged with fragments they do not cover.
/// </summary>
public sealed class IndexesAfterCompactionTests : IDisposable
{
    private const int Dim = 16;
    private const string Deleted = "id % 5 = 1 OR (id >= 420 AND id < 480)";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Path => _temp.Combine("t.lance");

    private static Schema Schema() => new(
        [
            new Field("id", Int64Type.Default, nullable: false),
            new Field("bucket", StringType.Default, nullable: true),
            new Field("tags", new ListType(new Field("item", StringType.Default, true)), nullable: true),
            new Field("vector", new FixedSizeListType(new Field("item", FloatType.Default, true), Dim), nullable: true),
        ],
        null);

    private static RecordBatch Rows(float[][] vectors, int first, int count)
    {
        var ids = new Int64Array.Builder();
        var buckets = new StringArray.Builder();
        var tags = new ListArray.Builder(StringType.Default);
        var tagValues = (StringArray.Builder)tags.ValueBuilder;
        var vectorColumn = new FixedSizeListArray.Builder(FloatType.Default, Dim);
        var values = (FloatArray.Builder)vectorColumn.ValueBuilder;
        for (var id = first; id < first + count; id++)
        {
            ids.Append(id);
            if (id % 11 == 0)
            {
                buckets.AppendNull();
                tags.AppendNull();
            }
            else
            {
                buckets.Append("b" + (id % 7));
                tags.Append();
                tagValues.Append("t" + (id % 3));
                tagValues.Append("u" + (id % 4));
            }

            vectorColumn.Append();
            values.AppendRange(vectors[id]);
        }

        return new RecordBatch(Schema(), [ids.Build(), buckets.Build(), tags.Build(), vectorColumn.Build()], count);
    }

    private Manifest LatestManifest()
        => Directory.GetFiles(System.IO.Path.Combine(Path, "_versions"), "*.manifest").Select(f => ManifestCodec.Decode(File.ReadAllBytes(f))).MaxBy(m => m.Version)!;

    private static bool IsDeleted(long id) => id % 5 == 1 || id is >= 420 and < 480;

    /// <summary>Three indexed fragments of 300 rows (ids 0–899), then 100 rows (900–999) no index covers, then the deletes.</summary>
    private async Task<(LanceDataset Dataset, float[][] Vectors)> CreateAsync(Func<LanceDataset, Task> index)
    {
        var vectors = IndexData.Vectors(1000, Dim, seed: 11);
        var dataset = await LanceDataset.CreateAsync(Path, Schema(), [Rows(vectors, 0, 900)], options: new DatasetWriteOptions { MaxRowsPerFile = 300 });
        await index(dataset);
        await dataset.AppendAsync([Rows(vectors, 900, 100)]);
        await dataset.DeleteAsync(Deleted);
        return (dataset, vectors);
    }

    [Fact]
    public async Task Compaction_remaps_btree_bitmap_and_label_list_indexes_so_filters_through_them_answer_as_a_scan()
    {
        var (dataset, _) = await CreateAsync(async d =>
        {
            await d.CreateScalarIndexAsync("id", ScalarIndexKind.BTree);
            await d.CreateScalarIndexAsync("bucket", ScalarIndexKind.Bitmap);
            await d.CreateScalarIndexAsync("tags", ScalarIndexKind.LabelList);
        });
        await using var _ = dataset;
        var before = LatestManifest().Indices.ToDictionary(i => i.Name, i => i.Uuid);
        string[] filters = ["id BETWEEN 250 AND 650", "id > 890", "bucket = 'b3'", "bucket IS NULL", "bucket IN ('b1', 'b6') AND id < 500", "array_has_any(tags, ['t1'])", "array_has_all(tags, ['t2', 'u3'])"];
        var expected = new List<long[]>();
        foreach (var filter in filters)
        {
            expected.Add(await IdsAsync(dataset, filter, useIndex: false));
        }

        await dataset.CompactAsync(new CompactionOptions { TargetRowsPerFragment = 1000 });

        // The three indexed fragments became one; the unindexed one was rewritten alone (it lost a fifth of its rows).
        var manifest = LatestManifest();
        Assert.Equal([4UL, 5UL], manifest.Fragments.Select(f => f.Id));
        Assert.Equal(["bucket_idx", "id_idx", "tags_idx"], manifest.Indices.Select(i => i.Name).Order());
        Assert.All(manifest.Indices, i => Assert.Equal([4UL], i.Fragments));
        Assert.All(manifest.Indices, i => Assert.NotEqual(before[i.Name], i.Uuid));
        var indexed = 900 - Enumerable.Range(0, 900).Count(id => IsDeleted(id));
        foreach (var name in before.Keys)
        {
            var stats = await dataset.IndexStatsAsync(name);
            Assert.Equal((indexed, 80L), (stats!.NumIndexedRows, stats.NumUnindexedRows));
        }

        await using var reopened = await LanceDataset.OpenAsync(Path);
        foreach (var target in new[] { dataset, reopened })
        {
            for (var f = 0; f < filters.Length; f++)
            {
                var ids = await IdsAsync(target, filters[f], useIndex: true);
                Assert.Equal(expected[f], ids);
                Assert.DoesNotContain(ids, IsDeleted);
            }
        }

        var plan = await reopened.ExplainPlanAsync(new ScanRequest { Filter = "id < 700 AND bucket = 'b2'" });
        Assert.Equal(["bucket_idx", "id_idx"], plan.ScalarIndexes.Order());
        Assert.Equal(1, plan.FragmentsFromIndex);
    }

    [Theory]
    [InlineData("ivf_flat")]
    [InlineData("ivf_sq")]
    [InlineData("ivf_pq")]
    [InlineData("ivf_hnsw_sq")]
    public async Task Compaction_remaps_the_vector_index_so_searches_through_it_find_what_they_found_before(string kind)
    {
        var config = kind switch
        {
            "ivf_flat" => IndexConfig.IvfFlat(4),
            "ivf_sq" => IndexConfig.IvfSq(4),
            "ivf_pq" => IndexConfig.IvfPq(4, 4),
            _ => IndexConfig.IvfHnswSq(4),
        };
        var (dataset, vectors) = await CreateAsync(d => d.CreateIndexAsync("vector", config));
        await using var _ = dataset;
        var oldUuid = Assert.Single(LatestManifest().Indices).Uuid;
        int[] queries = [3, 250, 333, 610, 777, 950];
        VectorSearchRequest Request(int q) => new("vector", vectors[q], 10) { Nprobes = 4, RefineFactor = kind == "ivf_pq" ? 10 : null, Ef = kind == "ivf_hnsw_sq" ? 200 : null };
        var before = new List<long[]>();
        foreach (var q in queries)
        {
            before.Add(IndexData.Ids(await dataset.SearchAsync(Request(q))));
        }

        await dataset.CompactAsync(new CompactionOptions { TargetRowsPerFragment = 1000 });

        var entry = Assert.Single(LatestManifest().Indices);
        Assert.NotEqual(oldUuid, entry.Uuid);
        Assert.Equal([4UL], entry.Fragments);
        var stats = await dataset.IndexStatsAsync("vector_idx");
        Assert.Equal((900L - Enumerable.Range(0, 900).Count(id => IsDeleted(id)), 80L), (stats!.NumIndexedRows, stats.NumUnindexedRows));

        await using var reopened = await LanceDataset.OpenAsync(Path);
        Assert.Equal("vector_idx", (await reopened.ExplainPlanAsync(Request(3))).VectorIndex);
        var live = Enumerable.Range(0, 1000).Where(id => !IsDeleted(id)).ToArray();
        for (var i = 0; i < queries.Length; i++)
        {
            var after = IndexData.Ids(await reopened.SearchAsync(Request(queries[i])));
            Assert.DoesNotContain(after, IsDeleted);
            if (kind == "ivf_flat")
            {
                // Exact distances: the very same list.
                Assert.Equal(before[i], after);
                continue;
            }

            // Quantised distances can tie, and the partitions of an IVF_HNSW_SQ that lost rows have new graphs: the same
            // neighbours up to that, and near the exact ones.
            var exact = IndexData.Exact(live.Select(id => vectors[id]).ToArray(), vectors[queries[i]], 10, DistanceMetric.L2).Select(r => (long)live[r]);
            Assert.True(after.Intersect(before[i]).Count() >= 9, $"query {queries[i]}: {string.Join(',', after)} after, {string.Join(',', before[i])} before");
            Assert.True(after.Intersect(exact).Count() >= 8, $"query {queries[i]}: {string.Join(',', after)} vs exact {string.Join(',', exact)}");
        }
    }

    [Fact]
    public async Task A_compaction_that_loses_the_race_to_an_append_remaps_again_on_the_new_fragment_ids()
    {
        var (dataset, vectors) = await CreateAsync(d => d.CreateScalarIndexAsync("id", ScalarIndexKind.BTree));
        await using var _ = dataset;
        await using (var other = await LanceDataset.OpenAsync(Path))
        {
            // Another writer appends after our dataset read its version: the planned fragment ids are taken.
            await other.AppendAsync([Rows(vectors, 0, 10)]);
        }

        await dataset.CompactAsync(new CompactionOptions { TargetRowsPerFragment = 1000 });

        var manifest = LatestManifest();
        var entry = Assert.Single(manifest.Indices);
        Assert.DoesNotContain(entry.Fragments, f => f < 5);
        Assert.All(entry.Fragments, f => Assert.Contains(f, manifest.Fragments.Select(x => x.Id)));
        Assert.Equal(Enumerable.Range(250, 401).Where(id => !IsDeleted(id)).Select(id => (long)id), await IdsAsync(dataset, "id BETWEEN 250 AND 650", useIndex: true));
        Assert.Equal(await IdsAsync(dataset, "id < 20", useIndex: false), await IdsAsync(dataset, "id < 20", useIndex: true));
    }

    [Fact]
    public async Task Compaction_remaps_a_hamming_IVF_FLAT_over_uint8_vectors()
    {
        var batch = HammingIndexTests.BinaryBatch(0, 900, seed: 6);
        await using var dataset = await LanceDataset.CreateAsync(Path, batch.Schema, [batch], options: new DatasetWriteOptions { MaxRowsPerFile = 300 });
        await dataset.CreateIndexAsync("vector", IndexConfig.IvfFlat(4, DistanceMetric.Hamming));
        await dataset.DeleteAsync("id % 5 = 1");
        var bytes = ((UInt8Array)((FixedSizeListArray)batch.Column(1)).Values).Values.ToArray();
        float[] Query(int row) => bytes.AsSpan(row * 16, 16).ToArray().Select(b => (float)(b ^ 0x21)).ToArray();
        async Task<(long[] Ids, float[] Distances)> SearchAsync(LanceDataset target, int row, bool exact)
        {
            var hits = await target.SearchAsync(new VectorSearchRequest("vector", Query(row), 10) { Metric = DistanceMetric.Hamming, Nprobes = 4, BypassIndex = exact, Columns = ["id"] });
            return (IndexData.Ids(hits), ((FloatArray)hits.Column(LanceDataset.DistanceColumn)).Values.ToArray());
        }

        await dataset.CompactAsync(new CompactionOptions { TargetRowsPerFragment = 1000 });

        var entry = Assert.Single(LatestManifest().Indices);
        Assert.Equal([3UL], entry.Fragments);
        Assert.Equal(new IndexStatistics(720, 0, "IVF_FLAT", "hamming", 1), await dataset.IndexStatsAsync("vector_idx"));
        await using var reopened = await LanceDataset.OpenAsync(Path);
        foreach (var row in new[] { 0, 301, 777 })
        {
            var (ids, distances) = await SearchAsync(reopened, row, exact: false);
            Assert.DoesNotContain(ids, id => id % 5 == 1);
            Assert.Equal((await SearchAsync(reopened, row, exact: true)).Distances, distances);
        }
    }

    [Fact]
    public async Task Compaction_carries_a_full_text_index_over_to_the_new_fragments_with_the_same_answers()
    {
        var (dataset, _) = await CreateAsync(d => d.CreateFtsIndexAsync("bucket"));
        await using var _d = dataset;
        var old = Assert.Single(LatestManifest().Indices);
        var request = new FullTextSearchRequest(new MatchQuery("b3", "bucket")) { Limit = 1000, Columns = ["id"] };
        var before = IndexData.Ids(await dataset.FullTextSearchAsync(request));

        await dataset.CompactAsync(new CompactionOptions { TargetRowsPerFragment = 1000 });

        var entry = Assert.Single(LatestManifest().Indices);
        Assert.NotEqual(old.Uuid, entry.Uuid);
        Assert.Equal([4UL], entry.Fragments);
        await using var reopened = await LanceDataset.OpenAsync(Path);
        var after = IndexData.Ids(await reopened.FullTextSearchAsync(request));
        var expected = Enumerable.Range(0, 1000).Where(id => !IsDeleted(id) && id % 11 != 0 && id % 7 == 3).Select(id => (long)id);
        Assert.Equal(expected, after.Order());
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task On_a_stable_row_id_dataset_compaction_keeps_the_old_rule_and_the_log_names_each_index_it_does_not_remap()
    {
        var vectors = IndexData.Vectors(600, Dim, seed: 3);
        var options = new DatasetWriteOptions { EnableStableRowIds = true, MaxRowsPerFile = 300 };
        await using (var created = await LanceDataset.CreateAsync(Path, Schema(), [Rows(vectors, 0, 600)], options: options))
        {
            await created.CreateScalarIndexAsync("id", ScalarIndexKind.BTree);
            await created.DeleteAsync("id % 5 = 1");
        }

        var log = new ListLogger();
        await using var logged = await LanceDataset.OpenAsync(Path, new DatasetOpenOptions { Logger = log });
        await logged.CompactAsync(new CompactionOptions { TargetRowsPerFragment = 1000 });

        var line = Assert.Single(log.Lines, l => l.Contains("id_idx", StringComparison.Ordinal));
        Assert.Contains("stable row ids", line, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 600).Where(id => id % 5 != 1 && id > 500).Select(id => (long)id), await IdsAsync(logged, "id > 500", useIndex: true));
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add(formatter(state, exception));
            }
        }
    }
}
