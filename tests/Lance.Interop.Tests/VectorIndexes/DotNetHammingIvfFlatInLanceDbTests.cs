using System.Text.Json.Nodes;
using Lance.Engine;
using Lance.Engine.DataFiles;
using Lance.Engine.Format;
using Lance.Engine.Format.Protos.VectorIndex;
using Lance.Engine.Index.Vector;

namespace Lance.Interop.Tests.VectorIndexes;

/// <summary>
/// A hamming IVF_FLAT index we build over uint8 vectors is written as LanceDB writes its own (the same files, columns,
/// schema metadata, uint8 centroid tensor and manifest details), LanceDB lists it with its statistics and searches
/// through it: probing every partition its answers over our index are its answers over its own index of the same rows,
/// at two probes they are the exact top-10 and never worse than over its own index (whose randomly seeded partitions
/// may split a group of similar rows), and always ours (distances are whole bit counts: rows tied at the last distance
/// may be cut either way).
/// Combinations LanceDB refuses to build over uint8 vectors we refuse too.
/// </summary>
public sealed class DotNetHammingIvfFlatInLanceDbTests : IDisposable
{
    private readonly TempCopy _db = TempCopy.Empty();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task LanceDB_searches_our_hamming_IVF_FLAT_as_it_searches_its_own()
    {
        var ours = new VectorIndexPeer(_db.Path, "ours");
        var theirs = new VectorIndexPeer(_db.Path, "theirs");
        var batch = LanceDbHammingIvfFlatInDotNetTests.Batch(0, 2000, seed: 3);
        await (await LanceDataset.CreateAsync(theirs.DatasetPath, batch.Schema, [batch])).DisposeAsync();
        Assert.Equal(["IvfFlat"], await theirs.IndexAsync("ivf_flat", "hamming", partitions: 8));
        await using var dataset = await LanceDataset.CreateAsync(ours.DatasetPath, batch.Schema, [batch]);
        await dataset.CreateIndexAsync("vector", IndexConfig.IvfFlat(8, DistanceMetric.Hamming));

        AssertSameLayout(theirs.DatasetPath, ours.DatasetPath);
        var stats = await ours.StatsAsync("vector_idx");
        Assert.Equal(
            ("IVF_FLAT", "hamming", 2000, 0),
            (stats.GetProperty("indexType").GetString(), stats.GetProperty("distanceType").GetString(), stats.GetProperty("numIndexedRows").GetInt32(), stats.GetProperty("numUnindexedRows").GetInt32()));
        var queries = LanceDbHammingIvfFlatInDotNetTests.Queries(batch, 8);
        var plan = await ours.ExplainAsync(queries[0], "hamming", nprobes: 2);
        Assert.Contains("vector_idx", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("KNNVectorDistance", plan, StringComparison.Ordinal);

        var exact = new List<(long[] Ids, float[] Distances)>();
        foreach (var query in queries)
        {
            var batch2 = await dataset.SearchAsync(LanceDbHammingIvfFlatInDotNetTests.Request(query, 1) with { BypassIndex = true });
            var ids = (Apache.Arrow.Int64Array)batch2.Column("id");
            exact.Add((Enumerable.Range(0, batch2.Length).Select(i => ids.GetValue(i)!.Value).ToArray(), ((Apache.Arrow.FloatArray)batch2.Column(LanceDataset.DistanceColumn)).Values.ToArray()));
        }

        foreach (var nprobes in new[] { 2, 8 })
        {
            var onOurs = await ours.SearchWithDistancesAsync(queries, "hamming", 10, nprobes);
            var onTheirs = await theirs.SearchWithDistancesAsync(queries, "hamming", 10, nprobes);
            for (var q = 0; q < queries.Length; q++)
            {
                // Our partitions hold each group of similar rows whole: two probes already give the exact top-10.
                AssertSameTopK(exact[q].Ids, exact[q].Distances, onOurs.Ids[q], onOurs.Distances[q], $"query {q} at nprobes {nprobes}: exact vs LanceDB over our index");
                if (nprobes == 8)
                {
                    // Every partition probed: LanceDB's answer over its own index is the same.
                    AssertSameTopK(onTheirs.Ids[q], onTheirs.Distances[q], onOurs.Ids[q], onOurs.Distances[q], $"query {q} at nprobes {nprobes}: LanceDB over its index vs over ours");
                }
                else
                {
                    // LanceDB's own k-modes (randomly seeded) may split a group between partitions; over ours it does no worse.
                    Assert.All(onTheirs.Distances[q].Zip(onOurs.Distances[q]), p => Assert.True(p.First >= p.Second, $"query {q} at nprobes {nprobes}: LanceDB found nearer rows over its own index"));
                }
            }

            // Our engine over our index answers as LanceDB does over it.
            await LanceDbHammingIvfFlatInDotNetTests.CompareAsync(ours, dataset, queries, nprobes);
        }
    }

    [Theory]
    [InlineData("ivf_pq", "hamming")]
    [InlineData("ivf_hnsw_sq", "hamming")]
    [InlineData("ivf_flat", "l2")]
    [InlineData("ivf_flat", "cosine")]
    public async Task What_LanceDB_refuses_to_build_over_uint8_vectors_we_refuse_with_the_column_and_distance_named(string kind, string metric)
    {
        var peer = new VectorIndexPeer(_db.Path, "t");
        var batch = LanceDbHammingIvfFlatInDotNetTests.Batch(0, 500, seed: 5);
        await using var dataset = await LanceDataset.CreateAsync(peer.DatasetPath, batch.Schema, [batch]);
        var distance = Enum.Parse<DistanceMetric>(metric, ignoreCase: true);
        var config = kind switch
        {
            "ivf_pq" => IndexConfig.IvfPq(4, 4, distance),
            "ivf_hnsw_sq" => IndexConfig.IvfHnswSq(4, distance),
            _ => IndexConfig.IvfFlat(4, distance),
        };

        await Assert.ThrowsAsync<LanceDbPeerException>(() => peer.IndexAsync(kind, metric, partitions: 4, subVectors: kind == "ivf_pq" ? 4 : null));
        var error = await Assert.ThrowsAsync<LanceIndexException>(() => dataset.CreateIndexAsync("vector", config));

        Assert.Contains("column 'vector'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"the {metric} distance", error.Message, StringComparison.Ordinal);
        Assert.Empty(dataset.ListIndices());
    }

    private static void AssertSameTopK(long[] expectedIds, float[] expectedDistances, long[] ids, float[] distances, string what)
    {
        Assert.True(expectedDistances.SequenceEqual(distances), $"{what}: distances [{string.Join(", ", expectedDistances)}] vs [{string.Join(", ", distances)}]");
        var last = distances[^1];
        Assert.Equal(
            expectedIds.Where((_, i) => expectedDistances[i] < last).Order(),
            ids.Where((_, i) => distances[i] < last).Order());
    }

    /// <summary>Both index folders hold the same two files with the same columns, schema metadata keys and values (but the
    /// centroids), a uint8 centroid tensor of one shape, and the manifest entry records hamming over a flat store.</summary>
    private static void AssertSameLayout(string theirs, string ours)
    {
        var (theirFiles, theirEntry) = IndexFiles(theirs);
        var (ourFiles, ourEntry) = IndexFiles(ours);
        Assert.Equal(theirFiles.Keys.Order(), ourFiles.Keys.Order());
        foreach (var name in theirFiles.Keys)
        {
            using var a = DataFileReader.FromBytes(theirFiles[name], name);
            using var b = DataFileReader.FromBytes(ourFiles[name], name);
            Assert.Equal(a.Schema.AllFields.Select(f => (f.Name, f.LogicalType)), b.Schema.AllFields.Select(f => (f.Name, f.LogicalType)));
            Assert.Equal(a.Schema.Metadata.Keys.Order(), b.Schema.Metadata.Keys.Order());
            foreach (var key in a.Schema.Metadata.Keys)
            {
                // JSON values compared as JSON (an escaped quote is the same quote), plain words as text.
                var theirValue = AsJson(a.Schema.Metadata[key]);
                var ourValue = AsJson(b.Schema.Metadata[key]);
                Assert.True(JsonNode.DeepEquals(theirValue, ourValue), $"{name} '{key}': {theirValue?.ToJsonString()} vs {ourValue?.ToJsonString()}");
            }

            var theirIvf = IndexFileBuffers.Message(theirFiles[name], a.Schema, "lance:ivf", IVF.Parser, name);
            var ourIvf = IndexFileBuffers.Message(ourFiles[name], b.Schema, "lance:ivf", IVF.Parser, name);
            if (name == LanceVectorDetails.IndexFileName)
            {
                Assert.Equal(Tensor.Types.DataType.Uint8, theirIvf.CentroidsTensor.DataType);
            }

            Assert.Equal(theirIvf.CentroidsTensor?.DataType, ourIvf.CentroidsTensor?.DataType);
            Assert.Equal(theirIvf.CentroidsTensor?.Shape, ourIvf.CentroidsTensor?.Shape);
            Assert.Equal(theirIvf.Lengths.Count, ourIvf.Lengths.Count);
        }

        Assert.Equal(theirEntry.DetailsTypeUrl, ourEntry.DetailsTypeUrl);
        var theirDetails = VectorIndexDetails.Parser.ParseFrom(theirEntry.Details);
        var ourDetails = VectorIndexDetails.Parser.ParseFrom(ourEntry.Details);
        Assert.Equal((VectorMetricType.Hamming, VectorIndexDetails.CompressionOneofCase.Flat), (theirDetails.MetricType, theirDetails.CompressionCase));
        Assert.Equal((theirDetails.MetricType, theirDetails.CompressionCase, theirDetails.HnswIndexConfig), (ourDetails.MetricType, ourDetails.CompressionCase, ourDetails.HnswIndexConfig));
        Assert.Equal(theirEntry.Fields, ourEntry.Fields);
        Assert.Equal(theirEntry.Fragments, ourEntry.Fragments);
    }

    private static JsonNode? AsJson(byte[] value)
    {
        try
        {
            return JsonNode.Parse(value);
        }
        catch (System.Text.Json.JsonException)
        {
            return JsonValue.Create(System.Text.Encoding.UTF8.GetString(value));
        }
    }

    private static (Dictionary<string, byte[]> Files, IndexMetadata Entry) IndexFiles(string dataset)
    {
        var manifest = Directory.GetFiles(Path.Combine(dataset, "_versions"), "*.manifest").Select(f => ManifestCodec.Decode(File.ReadAllBytes(f))).MaxBy(m => m.Version)!;
        var entry = Assert.Single(manifest.Indices);
        var folder = Path.Combine(dataset, "_indices", entry.FolderName);
        return (Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes), entry);
    }
}
