using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using Microsoft.Extensions.Time.Testing;

namespace Lance.Orm.Embeddings.Tests;

/// <summary>The open-clip function on generated towers shaped like an OpenCLIP export, run by the real ONNX Runtime.</summary>
public sealed class OpenClipTests : IDisposable
{
    private readonly TinyClipExport _export = new();
    private readonly TempDb _db = new();

    public void Dispose()
    {
        _export.Dispose();
        _db.Dispose();
    }

    private static float Normalised(int channel, byte value) => ((value / 255f) - ClipImagePreprocessor.Mean[channel]) / ClipImagePreprocessor.Std[channel];

    [Fact]
    public async Task Text_goes_through_the_tokenizer_and_the_text_tower()
    {
        using var clip = new OpenClip(_export.Options);
        var ids = ClipTokenizer.FromStreams(new MemoryStream(Encoding.UTF8.GetBytes(TinyClipExport.Merges))).EncodeForModel("Hello world");

        var vector = await clip.ComputeQueryEmbeddingAsync("Hello world");

        Assert.Equal(_export.ExpectedText(ids), vector, (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Equal(TinyClipExport.Dim, clip.Dimensions);
    }

    [Fact]
    public async Task Images_go_through_preprocessing_and_the_vision_tower()
    {
        using var clip = new OpenClip(_export.Options);

        var vectors = await clip.ComputeImageEmbeddingsAsync([Image.FromBytes(BmpWriter.Solid(320, 240, 10, 200, 90))]);

        var expected = _export.ExpectedImage(Normalised(0, 10), Normalised(1, 200), Normalised(2, 90));
        Assert.Equal(expected, vectors[0], (a, b) => Math.Abs(a - b) < 1e-4);
    }

    [Fact]
    public async Task Source_strings_are_image_uris()
    {
        using var clip = new OpenClip(_export.Options);
        var path = Path.Combine(_export.Folder, "red.bmp");
        await File.WriteAllBytesAsync(path, BmpWriter.Solid(50, 50, 255, 0, 0));

        var fromPath = await clip.ComputeSourceEmbeddingsAsync([path, new Uri(path).AbsoluteUri]);
        var fromBytes = await clip.ComputeImageEmbeddingsAsync([Image.FromBytes(await File.ReadAllBytesAsync(path))]);

        // Batches of two and of one may sum in another order: equal to float rounding.
        Assert.Equal(fromBytes[0], fromPath[0], (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Equal(fromBytes[0], fromPath[1], (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public async Task Http_image_uris_are_downloaded()
    {
        using var server = new LoopbackServer(_ => new ScriptedResponse(200, BmpWriter.Solid(20, 20, 0, 0, 255), ContentType: "image/bmp"));
        using var clip = new OpenClip(_export.Options);

        var remote = await clip.ComputeSourceEmbeddingsAsync([new Uri(server.BaseUrl, "blue.bmp").AbsoluteUri]);
        var local = await clip.ComputeImageEmbeddingsAsync([Image.FromBytes(BmpWriter.Solid(20, 20, 0, 0, 255))]);

        Assert.Equal(local[0], remote[0], (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public async Task A_missing_export_says_that_no_CLIP_weights_ship_and_what_to_provide()
    {
        using var clip = new OpenClip(new OpenClipOptions { ModelPath = Path.Combine(_export.Folder, "nothing-here") });

        var ex = await Assert.ThrowsAsync<EmbeddingException>(() => clip.ComputeQueryEmbeddingAsync("dog"));

        Assert.Contains("No CLIP weights ship", ex.Message);
        Assert.Contains("textual.onnx", ex.Message);
    }

    [Fact]
    public async Task First_use_downloads_the_export_into_the_cache_and_later_uses_reuse_it()
    {
        using var server = ServeExport();
        var cache = Path.Combine(_export.Folder, "cache");
        var options = new OpenClipOptions { DownloadUrl = new Uri(server.BaseUrl, "exports/tiny/"), CacheDirectory = cache, ModelName = "tiny", Pretrained = "test", IntraOpThreads = 1 };

        using (var first = new OpenClip(options))
        {
            await first.LoadAsync();
        }

        var afterFirst = server.RequestCount;
        using var second = new OpenClip(options);
        var vector = await second.ComputeQueryEmbeddingAsync("hello");

        Assert.Equal(4, afterFirst); // textual.onnx, visual.onnx, merges.txt, and vocab.json (404: optional)
        Assert.Equal(4, server.RequestCount);
        Assert.Equal(["/exports/tiny/textual.onnx", "/exports/tiny/visual.onnx", "/exports/tiny/merges.txt", "/exports/tiny/vocab.json"], server.Requests.Select(r => r.Path));
        Assert.True(File.Exists(Path.Combine(cache, "open-clip", "tiny-test", "visual.onnx")));
        Assert.Empty(Directory.GetFiles(Path.Combine(cache, "open-clip", "tiny-test"), "*.part"));
        Assert.Equal(TinyClipExport.Dim, vector.Length);
    }

    [Fact]
    public async Task Downloads_are_retried_on_transient_errors()
    {
        using var server = ServeExport();
        server.Enqueue(FakeOpenAi.Error(503, "warming up"));
        var time = new FakeTimeProvider();
        var options = new OpenClipOptions
        {
            DownloadUrl = server.BaseUrl, CacheDirectory = Path.Combine(_export.Folder, "cache2"), IntraOpThreads = 1,
            DownloadRetry = new EmbeddingRetryOptions { TimeProvider = time },
        };
        using var clip = new OpenClip(options);

        await FakeClock.RunAsync(time, () => clip.LoadAsync());

        Assert.Equal(5, server.RequestCount);
    }

    [Fact]
    public async Task A_table_embeds_image_uris_and_answers_image_and_text_searches()
    {
        _db.Registry.Register(OpenClip.FunctionName, _ => new OpenClip(_export.Options));
        var db = await _db.ConnectAsync();
        var colours = new (string Name, byte R, byte G, byte B)[] { ("red", 250, 10, 10), ("green", 10, 250, 10), ("blue", 10, 10, 250) };
        var uris = new StringArray.Builder();
        var names = new StringArray.Builder();
        foreach (var (name, r, g, b) in colours)
        {
            var path = Path.Combine(_export.Folder, name + ".bmp");
            await File.WriteAllBytesAsync(path, BmpWriter.Solid(64, 48, r, g, b));
            uris.Append(path);
            names.Append(name);
        }

        var schema = new Schema([new Field("name", StringType.Default, false), new Field("image_uri", StringType.Default, false)], null);
        var table = await db.CreateTableAsync("pets", [new RecordBatch(schema, [names.Build(), uris.Build()], 3)], [new EmbeddingFunctionConfig(OpenClip.FunctionName, null, "image_uri", "vector")]);

        var byImage = await table.Search(Image.FromBytes(BmpWriter.Solid(30, 30, 240, 20, 20))).Limit(1).ToBatchAsync();
        var byText = await table.Search("hello").Limit(3).ToBatchAsync();

        Assert.Equal("red", ((StringArray)byImage.Column("name")).GetString(0));
        Assert.Equal(3, byText.Length);
        Assert.Equal(TinyClipExport.Dim, Table.VectorDimensions(table.Schema, "vector"));
    }

    [Fact]
    public void Configuration_has_LanceDB_open_clip_keys_and_round_trips()
    {
        var clip = new OpenClip(new OpenClipOptions { ModelPath = "/models/clip", MaxBatchSize = 16 });

        var config = clip.GetConfiguration();
        var again = OpenClip.FromConfiguration(config);

        Assert.Equal("ViT-B-32", config["name"]!.GetValue<string>());
        Assert.Equal("laion2b_s34b_b79k", config["pretrained"]!.GetValue<string>());
        Assert.Equal(config.ToJsonString(), again.GetConfiguration().ToJsonString());
    }

    private LoopbackServer ServeExport()
    {
        var files = new[] { OpenClip.TextModelFile, OpenClip.VisionModelFile, OpenClip.MergesFile }
            .ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(_export.Folder, f)));
        return new LoopbackServer(request =>
        {
            var name = request.Path.Split('/').Last();
            return files.TryGetValue(name, out var bytes) ? new ScriptedResponse(200, bytes, ContentType: "application/octet-stream") : FakeOpenAi.Error(404, "no such file");
        });
    }
}
