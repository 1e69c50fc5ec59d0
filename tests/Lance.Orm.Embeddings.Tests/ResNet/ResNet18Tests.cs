using System.Numerics.Tensors;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Embeddings.Tests;

public sealed class ResNetFixture : IDisposable
{
    public ResNet18 Model { get; } = new();

    public void Dispose() => Model.Dispose();
}

/// <summary>resnet18 with its real ImageNet weights, on pictures the tests draw.</summary>
public sealed class ResNet18Tests(ResNetFixture fixture) : IClassFixture<ResNetFixture>, IDisposable
{
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    private static byte[] Stripes(int size, int period) =>
        BmpWriter.Encode(size, size, (x, _) => (x / period) % 2 == 0 ? ((byte)20, (byte)20, (byte)20) : ((byte)235, (byte)235, (byte)235));

    private static byte[] Disk(int size) =>
        BmpWriter.Encode(size, size, (x, y) => ((x - (size / 2)) * (x - (size / 2))) + ((y - (size / 2)) * (y - (size / 2))) < size * size / 9
            ? ((byte)220, (byte)30, (byte)30)
            : ((byte)40, (byte)160, (byte)60));

    [Fact]
    public async Task Vectors_are_512_non_negative_unit_norm_features()
    {
        var vectors = await fixture.Model.ComputeImageEmbeddingsAsync([Image.FromBytes(Stripes(224, 16))]);

        Assert.Equal(512, vectors[0].Length);
        Assert.All(vectors[0], v => Assert.True(v >= 0 && float.IsFinite(v)));
        Assert.Equal(1.0, TensorPrimitives.Norm(vectors[0]), 1e-4);
    }

    [Fact]
    public async Task The_same_picture_at_another_size_is_nearer_than_a_different_picture()
    {
        var vectors = await fixture.Model.ComputeImageEmbeddingsAsync(
            [Image.FromBytes(Stripes(224, 16)), Image.FromBytes(Stripes(448, 32)), Image.FromBytes(Disk(224))]);

        var same = TensorPrimitives.CosineSimilarity(vectors[0], vectors[1]);
        var different = TensorPrimitives.CosineSimilarity(vectors[0], vectors[2]);
        Assert.True(same > different + 0.1f, $"same {same}, different {different}");
        Assert.True(same > 0.9f, $"same {same}");
    }

    [Fact]
    public async Task Text_queries_are_refused_with_a_pointer_to_image_search()
    {
        var ex = await Assert.ThrowsAsync<EmbeddingException>(() => fixture.Model.ComputeQueryEmbeddingAsync("a dog"));

        Assert.Contains("images only", ex.Message);
    }

    [Fact]
    public async Task A_table_of_image_uris_finds_a_picture_by_image()
    {
        _db.Registry.Register(ResNet18.FunctionName, _ => fixture.Model);
        var db = await _db.ConnectAsync();
        Directory.CreateDirectory(_db.Path);
        var pictures = new[] { ("stripes", Stripes(256, 16)), ("disk", Disk(256)), ("dots", BmpWriter.Encode(256, 256, (x, y) => x % 24 < 6 && y % 24 < 6 ? ((byte)0, (byte)0, (byte)200) : ((byte)250, (byte)250, (byte)200))) };
        var uris = new StringArray.Builder();
        var names = new StringArray.Builder();
        foreach (var (name, bytes) in pictures)
        {
            var path = Path.Combine(_db.Path, name + ".bmp");
            await File.WriteAllBytesAsync(path, bytes);
            uris.Append(path);
            names.Append(name);
        }

        var schema = new Schema([new Field("name", StringType.Default, false), new Field("image_uri", StringType.Default, false)], null);
        var table = await db.CreateTableAsync("pictures", [new RecordBatch(schema, [names.Build(), uris.Build()], pictures.Length)], [new EmbeddingFunctionConfig(ResNet18.FunctionName, null, "image_uri", "vector")]);

        var hits = await table.Search(Image.FromBytes(Disk(300))).Limit(1).ToBatchAsync();

        Assert.Equal("disk", ((StringArray)hits.Column("name")).GetString(0));
    }

    [Fact]
    public async Task Missing_weights_name_the_package()
    {
        using var model = new ResNet18(Path.Combine(Path.GetTempPath(), "no-resnet-here"));

        var ex = await Assert.ThrowsAsync<EmbeddingException>(() => model.ComputeImageEmbeddingsAsync([Image.FromBytes(Disk(32))]));

        Assert.Contains("Microsoft.ML.DnnImageFeaturizer.ResNet18", ex.Message);
    }
}
