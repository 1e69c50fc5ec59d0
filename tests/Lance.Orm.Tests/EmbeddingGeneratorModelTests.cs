using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace Lance.Orm.Tests;

/// <summary>Models whose vectors a Microsoft.Extensions.AI embedding generator computes: <c>[Vector(typeof(G), N)]</c>.</summary>
public sealed class EmbeddingGeneratorModelTests : IDisposable
{
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task A_generator_type_with_a_parameterless_constructor_embeds_rows_and_queries_and_is_disposed_with_the_database()
    {
        var before = CharGenerator.Made.ToHashSet();
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync<CharNote>("notes");
        await table.AddAsync([new CharNote { Id = 1, Text = "hello" }, new CharNote { Id = 2, Text = "a longer text" }]);

        var rows = (await table.Query().ToListAsync()).OrderBy(r => r.Id).ToList();
        Assert.Equal(new float[] { 5, 'h', 1 }, rows[0].Vector);
        Assert.Equal(new float[] { 13, 'a', 1 }, rows[1].Vector);
        var hit = Assert.Single(await table.Search("hellp").Limit(1).ToListAsync());
        Assert.Equal(1, hit.Id);
        var stored = Assert.Single(table.EmbeddingFunctions);
        Assert.Equal("Lance.Orm.Tests.CharGenerator", stored.Name);

        var made = CharGenerator.Made.Where(g => !before.Contains(g)).ToList();
        Assert.NotEmpty(made);
        Assert.All(made, g => Assert.False(g.Disposed));
        await db.DisposeAsync();
        Assert.All(made, g => Assert.True(g.Disposed));
    }

    [Fact]
    public async Task The_generator_interface_on_a_model_needs_a_registered_generator_and_says_how_to_register_one()
    {
        await using var db = await _db.ConnectAsync();

        var error = await Assert.ThrowsAsync<EmbeddingException>(() => db.CreateTableAsync<AppGeneratorNote>("notes"));

        Assert.Contains("RegisterEmbeddingGenerator", error.Message, StringComparison.Ordinal);
        Assert.Contains("'embedding-generator'", error.Message, StringComparison.Ordinal);
        Assert.Empty(await db.TableNamesAsync());
    }

    [Fact]
    public async Task A_registered_generator_embeds_for_models_naming_its_type_stays_its_owners_and_is_found_by_name_on_untyped_opens()
    {
        var generator = new CharGenerator();
        var options = new DatabaseOptions
        {
            Registry = new EmbeddingFunctionRegistry().RegisterEmbeddingGenerator<IEmbeddingGenerator<string, Embedding<float>>>(generator, dimensions: 3),
        };
        await using (var db = await LanceDb.ConnectAsync(_db.Path, options))
        {
            var table = await db.CreateTableAsync<AppGeneratorNote>("notes");
            await table.AddAsync([new AppGeneratorNote { Id = 1, Text = "hello" }, new AppGeneratorNote { Id = 2, Text = "world" }]);
            Assert.Equal(new float[] { 5, 'w', 1 }, (await table.GetAsync(2L))!.Vector);
            Assert.Equal("embedding-generator", Assert.Single(table.EmbeddingFunctions).Name);
        }

        Assert.False(generator.Disposed);
        Assert.True(generator.Calls > 0);

        // Another database with the same registry opens the table untyped and embeds a text query with the generator.
        await using var again = await LanceDb.ConnectAsync(_db.Path, options);
        var untyped = await again.OpenTableAsync("notes");
        var calls = generator.Calls;
        var hit = Assert.Single(await untyped.Search("wormd").Limit(1).ToListAsync<AppGeneratorNote>());
        Assert.Equal(2, hit.Id);
        Assert.True(generator.Calls > calls);
    }
}

public partial record CharNote : ILanceModel
{
    [Key] public long Id { get; init; }
    [Source] public string Text { get; init; } = "";
    [Vector(typeof(CharGenerator), 3)] public float[]? Vector { get; init; }
}

public partial record AppGeneratorNote : ILanceModel
{
    [Key] public long Id { get; init; }
    [Source] public string Text { get; init; } = "";
    [Vector(typeof(IEmbeddingGenerator<string, Embedding<float>>), 3)] public float[]? Vector { get; init; }
}

/// <summary>Embeds a text as (length, first character, 1); remembers every instance made.</summary>
public sealed class CharGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public CharGenerator() => Made.Add(this);

    public static ConcurrentBag<CharGenerator> Made { get; } = [];

    public int Calls { get; private set; }

    public bool Disposed { get; private set; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        Calls++;
        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(new float[] { v.Length, v[0], 1 }))));
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose() => Disposed = true;
}
