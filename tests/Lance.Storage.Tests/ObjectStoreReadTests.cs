using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;
using Lance.Engine.Dataset;
using Lance.Storage.Cloud;
using Lance.Storage.Tests.Support;

namespace Lance.Storage.Tests;

/// <summary>
/// Reads that suit object storage, counted by the store's statistics: a query that needs one small
/// column fetches a small part of each data file, not the file; a file's footer and metadata are
/// fetched once however many columns and queries read it later, and its size is never asked for
/// (the manifest records it).
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class ObjectStoreReadTests(Emulators emulators)
{
    private const int Dim = 256;
    private const int RowsPerFile = 1_000;
    private const int Files = 3;

    public static TheoryData<string> Stores => ["azure", "s3"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_query_on_one_small_column_fetches_a_small_part_of_each_file_and_its_metadata_once(string kind)
    {
        var (proxy, uri, options) = await CreateTableAsync(kind);
        await using var proxied = proxy;

        await using var reading = (RemoteObjectStore)ObjectStoreFactory.Open(uri, options);
        long dataBytes = 0;
        await foreach (var item in reading.ListAsync("data/"))
        {
            dataBytes += item.Length;
        }

        await using var dataset = await LanceDataset.OpenAsync(uri, new DatasetOpenOptions { Store = reading });
        var stats = reading.Statistics;
        var (_, _, readBefore, _) = stats.Snapshot();
        var headsBefore = stats.Heads;
        Assert.Equal((Files * RowsPerFile) - 500, await dataset.CountRowsAsync("id >= 500"));
        var idBytes = stats.BytesRead - readBefore;
        Assert.True(idBytes < dataBytes / 10, $"a filter on 'id' read {idBytes} of the {dataBytes} bytes of data files");

        // The manifest records each file's size: no file is asked for it.
        Assert.Equal(0, stats.Heads - headsBefore);

        // Another column of the same files, then another query: no file's size or metadata is asked for again.
        var headsAfterFirst = stats.Heads;
        var getsBefore = stats.Gets;
        var vectors = 0L;
        await foreach (var batch in dataset.ScanAsync((IReadOnlyList<string>)["vector"]))
        {
            vectors += batch.Length;
        }

        Assert.Equal(Files * RowsPerFile, vectors);
        Assert.Equal(headsAfterFirst, stats.Heads);
        var vectorGets = stats.Gets - getsBefore;
        Assert.True(vectorGets >= Files, $"{vectorGets} GETs read {Files} files' vector columns");
        await using var older = await dataset.CheckoutAsync(2);
        Assert.Equal((2 * RowsPerFile) - 500, await older.CountRowsAsync("id >= 500"));
        // Version 2's manifest is read with the size its listing gave; its files are known.
        Assert.Equal(headsAfterFirst, stats.Heads);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Without_a_column_cache_an_exact_search_reads_the_vectors_once_and_returns_them(string kind)
    {
        var (proxy, uri, options) = await CreateTableAsync(kind);
        await using var proxied = proxy;

        await using var reading = (RemoteObjectStore)ObjectStoreFactory.Open(uri, options);
        await using var dataset = await LanceDataset.OpenAsync(uri, new DatasetOpenOptions { Store = reading, CacheBudgetBytes = 0 });
        var query = Enumerable.Range(0, Dim).Select(j => (float)Math.Sin(1234 + j)).ToArray();
        var before = reading.Statistics.BytesRead;
        var hits = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 5));
        var read = reading.Statistics.BytesRead - before;

        // The row whose vector the query is comes first, with its vector; the vectors were fetched once.
        Assert.Equal(1234L, ((Int64Array)hits.Column("id")).GetValue(0));
        var returned = (FixedSizeListArray)hits.Column("vector");
        Assert.Equal(query, ((FloatArray)returned.Values).Values.Slice(0, Dim).ToArray());
        long vectorBytes = Files * RowsPerFile * Dim * sizeof(float);
        Assert.True(read >= vectorBytes && read < vectorBytes * 5 / 4, $"an exact search read {read} bytes; the vector column is {vectorBytes}");
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task With_a_column_cache_the_first_exact_search_reads_every_file_s_vectors_once_and_later_searches_none(string kind)
    {
        var (proxy, uri, options) = await CreateTableAsync(kind);
        await using var proxied = proxy;

        // Each fragment's vector column is fetched exactly once, into the cache later searches lease it from.
        await using var reading = (RemoteObjectStore)ObjectStoreFactory.Open(uri, options);
        await using var dataset = await LanceDataset.OpenAsync(uri, new DatasetOpenOptions { Store = reading });
        var query = Enumerable.Range(0, Dim).Select(j => (float)Math.Sin(2345 + j)).ToArray();
        var before = reading.Statistics.BytesRead;
        var hits = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 5));
        var read = reading.Statistics.BytesRead - before;
        Assert.Equal(2345L, ((Int64Array)hits.Column("id")).GetValue(0));
        long vectorBytes = Files * RowsPerFile * Dim * sizeof(float);
        Assert.True(read >= vectorBytes && read < vectorBytes * 5 / 4, $"the first exact search read {read} bytes; the vector column is {vectorBytes}");

        before = reading.Statistics.BytesRead;
        var again = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 5) { Filter = "id >= 2000" });
        Assert.Equal(2345L, ((Int64Array)again.Column("id")).GetValue(0));
        var idBytes = reading.Statistics.BytesRead - before;
        Assert.True(idBytes < vectorBytes / 10, $"a second search read {idBytes} bytes");
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_refined_indexed_search_reads_only_its_candidates_vectors_and_gives_exact_distances(string kind)
    {
        var (proxy, uri, options) = await CreateTableAsync(kind);
        await using var proxied = proxy;
        await using (var store = ObjectStoreFactory.Open(uri, options))
        await using (var indexing = await LanceDataset.OpenAsync(uri, new DatasetOpenOptions { Store = store }))
        {
            await indexing.CreateIndexAsync("vector", Lance.Orm.IndexConfig.IvfHnswSq(numPartitions: 2));
        }

        await using var reading = (RemoteObjectStore)ObjectStoreFactory.Open(uri, options);
        await using var dataset = await LanceDataset.OpenAsync(uri, new DatasetOpenOptions { Store = reading });
        var query = Enumerable.Range(0, Dim).Select(j => (float)Math.Sin(1777 + j)).ToArray();
        var request = new VectorSearchRequest("vector", query, 5) { Nprobes = 2, RefineFactor = 4, Columns = ["id"] };
        await dataset.SearchAsync(request with { RefineFactor = null }); // the index and the files' metadata, once
        var before = reading.Statistics.BytesRead;
        var hits = await dataset.SearchAsync(request);
        var read = reading.Statistics.BytesRead - before;

        // 20 candidates' vectors (1 KiB each) and the winners' ids, not a column of 3 MB.
        long vectorBytes = Files * RowsPerFile * Dim * sizeof(float);
        Assert.True(read < vectorBytes / 20, $"a refined search read {read} bytes; the vector column is {vectorBytes}");
        var ids = (Int64Array)hits.Column("id");
        var distances = (FloatArray)hits.Column("_distance");
        Assert.Equal(1777L, ids.GetValue(0));
        for (var i = 0; i < hits.Length; i++)
        {
            var id = ids.GetValue(i)!.Value;
            var exact = Enumerable.Range(0, Dim).Sum(j => Math.Pow((float)Math.Sin(id + j) - query[j], 2));
            Assert.Equal(exact, distances.GetValue(i)!.Value, 1e-3);
        }
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task An_exact_search_over_several_files_read_ahead_ranks_every_live_row_as_a_brute_force_scan_does(string kind)
    {
        var (proxy, uri, options) = await CreateTableAsync(kind);
        await using var proxied = proxy;
        await using (var store = ObjectStoreFactory.Open(uri, options))
        await using (var writer = await LanceDataset.OpenAsync(uri, new DatasetOpenOptions { Store = store }))
        {
            // Deleted rows in the middle file: a column scored against another file's deletions would return them.
            Assert.Equal(143, await writer.DeleteAsync("id >= 1000 AND id < 2000 AND id % 7 = 0"));
        }

        // The query lies near rows of every file, so the nearest 60 come from all three (each file's column is read
        // ahead while the one before it is scored).
        var query = Enumerable.Range(0, Dim).Select(j => (float)((Math.Sin(500 + j) + Math.Sin(1400 + j) + Math.Sin(2600 + j)) / 3)).ToArray();
        var expected = Enumerable.Range(0, Files * RowsPerFile)
            .Where(id => !(id >= 1000 && id < 2000 && id % 7 == 0) && id >= 100)
            .Select(id => (Id: (long)id, Distance: Enumerable.Range(0, Dim).Sum(j => Math.Pow((float)Math.Sin(id + j) - query[j], 2))))
            .OrderBy(x => x.Distance).Take(60).ToList();
        Assert.Equal(3, expected.Select(x => x.Id / RowsPerFile).Distinct().Count());

        foreach (var budget in new long?[] { null, 0 })
        {
            await using var reading = (RemoteObjectStore)ObjectStoreFactory.Open(uri, options);
            await using var dataset = await LanceDataset.OpenAsync(uri, new DatasetOpenOptions { Store = reading, CacheBudgetBytes = budget ?? (1L << 30) });
            for (var round = 0; round < 2; round++)
            {
                var hits = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 60) { Filter = "id >= 100", Columns = ["id"] });
                var ids = ((Int64Array)hits.Column("id")).Values.ToArray();
                var distances = ((FloatArray)hits.Column(LanceDataset.DistanceColumn)).Values.ToArray();
                Assert.Equal(expected.Select(x => x.Id), ids);
                for (var i = 0; i < expected.Count; i++)
                {
                    Assert.True(Math.Abs(expected[i].Distance - distances[i]) <= 1e-3 * Math.Max(1, expected[i].Distance), $"row {ids[i]}: {distances[i]} against {expected[i].Distance}");
                }
            }
        }
    }

    // A table of Files data files (RowsPerFile rows each, id + vector) in the store, on S3 through a
    // proxy that adds conditional creates (s3rver ignores them; the caller disposes it); its URI and store options.
    private async Task<(FaultProxy? Proxy, string Uri, Dictionary<string, string> Options)> CreateTableAsync(string kind)
    {
        var proxy = kind == "s3"
            ? await FaultProxy.StartAsync(emulators.S3.Endpoint, 0, emulateS3ConditionalPut: (emulators.S3.DataDirectory, Emulators.Bucket))
            : null;
        var uri = kind == "s3" ? Emulators.NewS3Uri() : Emulators.NewAzureUri();
        var options = kind == "s3" ? emulators.S3Options(proxy!.Endpoint) : emulators.AzureOptions();
        if (kind == "s3")
        {
            options["aws_conditional_put"] = "etag";
        }

        var schema = new Schema(
            [new Field("id", Int64Type.Default, false), new Field("vector", new FixedSizeListType(new Field("item", FloatType.Default, true), Dim), true)], null);
        await using var store = ObjectStoreFactory.Open(uri, options);
        await using var created = await LanceDataset.CreateAsync(uri, schema, [Batch(schema, 0)], WriteMode.Create, new DatasetWriteOptions { Store = store });
        for (var f = 1; f < Files; f++)
        {
            await created.AppendAsync([Batch(schema, f)]);
        }

        return (proxy, uri, options);
    }

    private static RecordBatch Batch(Schema schema, int file)
    {
        var ids = new Int64Array.Builder();
        var vectors = new FixedSizeListArray.Builder(FloatType.Default, Dim);
        var values = (FloatArray.Builder)vectors.ValueBuilder;
        for (var i = 0; i < RowsPerFile; i++)
        {
            var id = ((long)file * RowsPerFile) + i;
            ids.Append(id);
            vectors.Append();
            for (var j = 0; j < Dim; j++)
            {
                values.Append((float)Math.Sin(id + j));
            }
        }

        return new RecordBatch(schema, [ids.Build(), vectors.Build()], RowsPerFile);
    }
}
