using Lance.Orm.Embeddings;

namespace Lance.Orm.Embeddings.Tests;

/// <summary>A user's own function in the attribute form: <c>[Vector(typeof(TypedRecording))]</c>.</summary>
[EmbeddingFunction("typed-recording", Dimensions = 4)]
public sealed class TypedRecording : RecordingFunction
{
    public TypedRecording() : base("typed-recording", 4) { }
}

public partial record TypedDoc : ILanceModel
{
    public long Id { get; init; }
    [Source] public string Text { get; init; } = "";
    [Vector(typeof(TypedRecording))] public float[]? Vector { get; init; }
}

/// <summary>A user class deriving from a built-in, with its own dimension: <c>class TinyClip : OpenClip</c>.</summary>
[EmbeddingFunction("open-clip", Dimensions = TinyClipExport.Dim)]
public sealed class TinyClip : OpenClip
{
    private static readonly Lazy<TinyClipExport> Export = new(() =>
    {
        var export = new TinyClipExport();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => export.Dispose();
        return export;
    });

    public TinyClip() : base(Export.Value.Options) { }
}

public partial record TinyPet : ILanceModel
{
    [Vector(typeof(TinyClip))] public float[]? Vector { get; init; }
    [Source] public string ImageUri { get; init; } = "";
    public string Name { get; init; } = "";
}

public partial record TinyPhoto : ILanceModel
{
    [Vector(typeof(TinyClip))] public float[]? Vector { get; init; }
    [Source] public byte[] Photo { get; init; } = [];
    public string Name { get; init; } = "";
}

public sealed class TypedModelTests : IDisposable
{
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task A_user_function_named_in_the_attribute_embeds_typed_rows()
    {
        var db = await _db.ConnectAsync();
        var docs = await db.CreateTableAsync<TypedDoc>("docs", [new TypedDoc { Id = 1, Text = "abc" }]);

        var stored = await docs.Search("abc").FirstOrDefaultAsync();

        Assert.Equal(new TypedRecording().Embed("abc"), stored!.Vector);
        Assert.Equal("typed-recording", docs.EmbeddingFunctions.Single().Name);
    }

    [Fact]
    public async Task Typed_NaN_vectors_are_filled_when_asked()
    {
        var db = await _db.ConnectAsync();
        var docs = await db.CreateTableAsync<TypedDoc>("docs");

        await docs.AddAsync([new TypedDoc { Id = 1, Text = "x", Vector = [float.NaN, 1, 2, 3] }], new AddOptions { OnBadVectors = BadVectorHandling.Fill, FillValue = -1 });

        var rows = new List<TypedDoc>();
        await foreach (var row in docs.AsAsyncEnumerable()) rows.Add(row);
        Assert.Equal(new float[] { -1, -1, -1, -1 }, rows.Single().Vector);
    }

    [Fact]
    public async Task Typed_rows_with_vectors_of_the_wrong_length_are_dropped_when_asked()
    {
        var db = await _db.ConnectAsync();
        var docs = await db.CreateTableAsync<TypedDoc>("docs");

        await docs.AddAsync([new TypedDoc { Id = 1, Text = "ok" }, new TypedDoc { Id = 2, Text = "bad", Vector = [1, 2] }], new AddOptions { OnBadVectors = BadVectorHandling.Drop });

        Assert.Equal(1, await docs.CountRowsAsync());
    }

    [Fact]
    public async Task Typed_vectors_of_the_wrong_length_are_filled_when_asked()
    {
        var db = await _db.ConnectAsync();
        var docs = await db.CreateTableAsync<TypedDoc>("docs");

        await docs.AddAsync(
            [new TypedDoc { Id = 1, Text = "ok", Vector = [1, 2, 3, 4] }, new TypedDoc { Id = 2, Text = "short", Vector = [1, 2] }, new TypedDoc { Id = 3, Text = "long", Vector = [1, 2, 3, 4, 5] }],
            new AddOptions { OnBadVectors = BadVectorHandling.Fill, FillValue = 0.25f });

        var rows = new List<TypedDoc>();
        await foreach (var row in docs.AsAsyncEnumerable()) rows.Add(row);
        var byId = rows.ToDictionary(r => r.Id);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, byId[1].Vector);
        Assert.Equal(new float[] { 0.25f, 0.25f, 0.25f, 0.25f }, byId[2].Vector);
        Assert.Equal(new float[] { 0.25f, 0.25f, 0.25f, 0.25f }, byId[3].Vector);
    }

    [Fact]
    public async Task Typed_vectors_of_the_wrong_length_become_null_and_are_embedded_from_their_source_when_asked()
    {
        var db = await _db.ConnectAsync();
        var docs = await db.CreateTableAsync<TypedDoc>("docs");

        await docs.AddAsync(
            [new TypedDoc { Id = 1, Text = "kept", Vector = [1, 2, 3, 4] }, new TypedDoc { Id = 2, Text = "short one", Vector = [9, 9] }],
            new AddOptions { OnBadVectors = BadVectorHandling.Null });

        var rows = new List<TypedDoc>();
        await foreach (var row in docs.AsAsyncEnumerable()) rows.Add(row);
        var byId = rows.ToDictionary(r => r.Id);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, byId[1].Vector);
        Assert.Equal(new TypedRecording().Embed("short one"), byId[2].Vector);
    }

    [Fact]
    public async Task A_fill_policy_ends_with_the_add_so_a_later_wrong_length_raises_again()
    {
        var db = await _db.ConnectAsync();
        var docs = await db.CreateTableAsync<TypedDoc>("docs");
        await docs.AddAsync([new TypedDoc { Id = 1, Text = "short", Vector = [1] }], new AddOptions { OnBadVectors = BadVectorHandling.Fill });

        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => docs.AddAsync([new TypedDoc { Id = 2, Text = "bad", Vector = [1, 2] }]));

        Assert.Contains("'vector'", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await docs.CountRowsAsync());
    }

    [Fact]
    public async Task Typed_rows_with_vectors_of_the_wrong_length_raise_by_default()
    {
        var db = await _db.ConnectAsync();
        var docs = await db.CreateTableAsync<TypedDoc>("docs");

        await Assert.ThrowsAsync<LanceSchemaException>(() => docs.AddAsync([new TypedDoc { Id = 2, Text = "bad", Vector = [1, 2] }]));
    }

    [Fact]
    public async Task A_typed_multimodal_table_searches_by_image_and_by_text()
    {
        var db = await _db.ConnectAsync();
        Directory.CreateDirectory(_db.Path);
        var pets = new List<TinyPet>();
        foreach (var (name, r, g, b) in new[] { ("red", (byte)250, (byte)5, (byte)5), ("green", (byte)5, (byte)250, (byte)5) })
        {
            var path = Path.Combine(_db.Path, name + ".bmp");
            await File.WriteAllBytesAsync(path, BmpWriter.Solid(40, 40, r, g, b));
            pets.Add(new TinyPet { ImageUri = path, Name = name });
        }

        var table = await db.CreateTableAsync<TinyPet>("pets", pets);

        var byImage = await table.Search(Image.FromBytes(BmpWriter.Solid(10, 10, 5, 240, 5))).FirstOrDefaultAsync();
        var byText = await table.Search("hello").Limit(2).ToListAsync();
        Assert.Equal("green", byImage!.Name);
        Assert.Equal(2, byText.Count);
    }

    [Fact]
    public async Task A_typed_byte_array_source_is_embedded_as_image_bytes()
    {
        var db = await _db.ConnectAsync();
        var photos = new[] { ("red", (byte)250, (byte)5, (byte)5), ("green", (byte)5, (byte)250, (byte)5) }
            .Select(c => new TinyPhoto { Photo = BmpWriter.Solid(40, 40, c.Item2, c.Item3, c.Item4), Name = c.Item1 })
            .ToList();

        var table = await db.CreateTableAsync<TinyPhoto>("photos", photos);

        Assert.Equal("photo", table.EmbeddingFunctions.Single().SourceColumn);
        var byImage = await table.Search(Image.FromBytes(BmpWriter.Solid(10, 10, 5, 240, 5))).FirstOrDefaultAsync();
        Assert.Equal("green", byImage!.Name);
        Assert.Equal(photos[1].Photo, byImage.Photo);
    }
}
