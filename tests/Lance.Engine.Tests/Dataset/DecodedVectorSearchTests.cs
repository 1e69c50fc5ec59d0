using Apache.Arrow;
using Lance.Engine.DataFiles;
using Lance.Engine.Dataset;
using Lance.Engine.Tests.Support;

namespace Lance.Engine.Tests.Dataset;

/// <summary>
/// Exact search over vectors decoded rather than mapped (as on Windows) under a cache budget smaller
/// than the vectors: what fits is kept, the rest is streamed from the files in chunks and not kept.
/// </summary>
public sealed class DecodedVectorSearchTests : IDisposable
{
    private const int Dim = 256; // 1 KiB a row
    private const int RowsPerFile = 3000; // about 3 MiB of vectors a fragment: several chunks of a streamed read
    private const long Budget = 4L << 20; // one fragment's vectors fit, two do not
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string TablePath => _temp.Combine("t.lance");

    private async Task CreateAsync()
    {
        // Vectors without nulls are stored as flat pages, which a search can stream.
        var dataset = await LanceDataset.CreateAsync(
            TablePath, Batches.DocSchema(Dim), [Batches.Docs(0, 3 * RowsPerFile, Dim, withNulls: false)], WriteMode.Create, new DatasetWriteOptions { MaxRowsPerFile = RowsPerFile });
        await dataset.DeleteAsync("id % 10 = 3");
        await dataset.DisposeAsync();
    }

    private static IEnumerable<string> Lines(RecordBatch batch)
        => Batches.Rows([batch]).Select(r => string.Join("|", r.Select(v => v?.ToString())));

    private static float[] Query(int seed) => Enumerable.Range(0, Dim).Select(i => MathF.Sin((i + 1) * seed)).ToArray();

    private static IEnumerable<VectorSearchRequest> Requests()
    {
        yield return new VectorSearchRequest("vector", Query(1), 10);
        yield return new VectorSearchRequest("vector", Query(2), 7) { Columns = ["id"], Metric = DistanceMetric.Cosine, Offset = 3 };
        yield return new VectorSearchRequest("vector", Query(3), 10) { Filter = "id >= 2500 AND id < 7000" };
        yield return new VectorSearchRequest("vector", Query(4), 10) { Filter = "id % 2 = 0", Prefilter = false, Columns = ["id", "vector"] };
        yield return new VectorSearchRequest("vector", Query(5), 5) { Metric = DistanceMetric.Dot };
    }

    [Fact]
    public async Task Searches_that_stream_what_the_budget_cannot_hold_return_what_an_unlimited_cache_returns()
    {
        await CreateAsync();
        await using var small = await LanceDataset.OpenAsync(TablePath, new DatasetOpenOptions { CacheBudgetBytes = Budget, MapColumns = false });
        await using var full = await LanceDataset.OpenAsync(TablePath, new DatasetOpenOptions { CacheBudgetBytes = long.MaxValue, MapColumns = false });
        await using var mapped = await LanceDataset.OpenAsync(TablePath);

        for (var round = 0; round < 2; round++)
        {
            foreach (var request in Requests())
            {
                var expected = Lines(await mapped.SearchAsync(request)).ToList();
                Assert.NotEmpty(expected);
                Assert.Equal(expected, Lines(await full.SearchAsync(request)));
                Assert.Equal(expected, Lines(await small.SearchAsync(request)));
                Assert.InRange(small.CachedBytes, 0, Budget);
            }
        }
    }

    [Fact]
    public async Task Batched_searches_that_stream_what_the_budget_cannot_hold_return_the_single_searches_answers()
    {
        await CreateAsync();
        await using var small = await LanceDataset.OpenAsync(TablePath, new DatasetOpenOptions { CacheBudgetBytes = Budget, MapColumns = false });
        await using var mapped = await LanceDataset.OpenAsync(TablePath);
        ReadOnlyMemory<float>[] queries = [Query(1), Query(2), Query(3)];
        var requests = new[]
        {
            new VectorSearchRequest("vector", Query(9), 10) { Columns = ["id"] },
            new VectorSearchRequest("vector", Query(9), 6) { Columns = ["id"], Metric = DistanceMetric.Cosine, Offset = 2, Filter = "id >= 2500 AND id < 7000" },
        };

        foreach (var request in requests)
        {
            var batched = await small.SearchBatchAsync(request, queries);
            Assert.InRange(small.CachedBytes, 0, Budget);
            for (var q = 0; q < queries.Length; q++)
            {
                var single = await mapped.SearchAsync(request with { Query = queries[q] });
                var ids = (Int64Array)batched[q].Column("id");
                Assert.Equal(((Int64Array)single.Column("id")).ToArray(), ids.ToArray());
                Assert.NotEmpty(ids.ToArray());
            }
        }
    }

    [Fact]
    public async Task A_search_keeps_the_fragments_that_fit_and_streams_the_others_without_evicting()
    {
        await CreateAsync();
        await using var small = await LanceDataset.OpenAsync(TablePath, new DatasetOpenOptions { CacheBudgetBytes = Budget, MapColumns = false });
        var request = new VectorSearchRequest("vector", Query(1), 10) { Columns = ["id"] };

        await small.SearchAsync(request);
        var held = small.CachedBytes;
        await small.SearchAsync(request);

        // One fragment's vectors (RowsPerFile rows of Dim floats) stay, beside the winners' id columns; the other
        // two fragments' vectors were streamed, not cached.
        var vectors = (long)RowsPerFile * Dim * sizeof(float);
        Assert.InRange(held, vectors, vectors + (3L * RowsPerFile * sizeof(long)));
        Assert.Equal(held, small.CachedBytes);
    }

    [Fact]
    public async Task With_a_zero_budget_nothing_is_cached_and_every_fragment_is_streamed()
    {
        await CreateAsync();
        await using var none = await LanceDataset.OpenAsync(TablePath, new DatasetOpenOptions { CacheBudgetBytes = 0, MapColumns = false });
        await using var mapped = await LanceDataset.OpenAsync(TablePath);
        var request = new VectorSearchRequest("vector", Query(6), 10);

        Assert.Equal(Lines(await mapped.SearchAsync(request)), Lines(await none.SearchAsync(request)));
        Assert.Equal(0, none.CachedBytes);
    }

    [Fact]
    public async Task A_streamed_read_reuses_one_buffer_per_worker_and_returns_them_all()
    {
        await CreateAsync();
        var file = Directory.GetFiles(Path.Combine(TablePath, "data"), "*.lance")[0];
        var reader = DataFileReader.Open(file);
        var field = reader.Schema.FindField("vector")!;
        var layout = reader.TryFlatColumnLayout(field);
        Assert.NotNull(layout);
        var expected = (FixedSizeListArray)reader.ReadColumn(field);
        using var streamed = new StreamedVectors(reader, layout, chunkBytes: 64 * 1024);
        var seen = new int[RowsPerFile];
        var mismatches = 0;

        streamed.ForEachChunk(
            () => 0,
            (chunk, firstRow, _) =>
            {
                var values = ((FloatArray)chunk.Values).Values;
                var want = ((FloatArray)expected.Values).Values.Slice(firstRow * Dim, chunk.Length * Dim);
                if (!values.SequenceEqual(want))
                {
                    Interlocked.Increment(ref mismatches);
                }

                for (var row = firstRow; row < firstRow + chunk.Length; row++)
                {
                    Interlocked.Increment(ref seen[row]);
                }
            },
            _ => { },
            CancellationToken.None);

        Assert.Equal(0, mismatches);
        Assert.All(seen, count => Assert.Equal(1, count));
        Assert.True(streamed.ChunkCount > Environment.ProcessorCount, $"{streamed.ChunkCount} chunks");
        Assert.InRange(streamed.BuffersRented, 1, Environment.ProcessorCount);
        Assert.Equal(0, streamed.BuffersOutstanding);
    }
}
