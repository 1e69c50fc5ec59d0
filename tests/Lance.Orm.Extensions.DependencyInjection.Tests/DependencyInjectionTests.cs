using System.Text.Json.Nodes;
using Lance.Orm;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Lance.Orm.Extensions.DependencyInjection.Tests;

public sealed class DependencyInjectionTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "lance-di-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private IConfiguration Configuration(params (string Key, string Value)[] values)
        => new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public async Task AddLanceDb_binds_options_from_a_configuration_section()
    {
        var configuration = Configuration(
            ("LanceDb:Uri", Path.Combine(_root, "main")),
            ("LanceDb:MaxRowsPerFile", "1000"),
            ("LanceDb:CacheBudgetBytes", "1048576"),
            ("LanceDb:EmbeddingMaxRetries", "2"),
            ("LanceDb:Variables:API_KEY", "secret"),
            ("LanceDb:StorageOptions:timeout", "30s"));
        var services = new ServiceCollection();
        services.AddLanceDb(configuration.GetSection(LanceDbOptions.DefaultSectionName));
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var options = provider.GetRequiredService<IOptions<LanceDbOptions>>().Value;
        Assert.Equal(1000, options.MaxRowsPerFile);
        Assert.Equal(1048576, options.CacheBudgetBytes);
        Assert.Equal("30s", options.StorageOptions["timeout"]);

        var database = provider.GetRequiredService<Database>();
        Assert.Same(database, provider.GetRequiredService<Database>());
        Assert.Equal(Path.GetFullPath(Path.Combine(_root, "main")), database.Uri);
        Assert.Equal("secret", provider.GetRequiredService<EmbeddingFunctionRegistry>().GetVar("API_KEY"));
        Assert.NotSame(EmbeddingFunctionRegistry.Default, provider.GetRequiredService<EmbeddingFunctionRegistry>());

        var table = await database.CreateTableAsync("points", [new Point { Id = 1, Vector = [1, 0] }]);
        Assert.Equal(1, await table.CountRowsAsync());
    }

    [Fact]
    public async Task Keyed_databases_are_separate_with_their_own_registries()
    {
        var services = new ServiceCollection();
        services.AddKeyedLanceDb("a", o => o.Uri = Path.Combine(_root, "a"))
            .ConfigureRegistry(r => r.SetVar("WHO", "a"));
        services.AddKeyedLanceDb("b", Configuration(("Uri", Path.Combine(_root, "b")), ("Variables:WHO", "b")));
        await using var provider = services.BuildServiceProvider();

        var a = provider.GetRequiredKeyedService<Database>("a");
        var b = provider.GetRequiredKeyedService<Database>("b");
        Assert.EndsWith("a", a.Uri, StringComparison.Ordinal);
        Assert.EndsWith("b", b.Uri, StringComparison.Ordinal);
        Assert.Equal("a", provider.GetRequiredKeyedService<EmbeddingFunctionRegistry>("a").GetVar("WHO"));
        Assert.Equal("b", provider.GetRequiredKeyedService<EmbeddingFunctionRegistry>("b").GetVar("WHO"));
        Assert.Null(provider.GetService<Database>());
        Assert.Equal(Path.Combine(_root, "b"), provider.GetRequiredService<IOptionsMonitor<LanceDbOptions>>().Get("b").Uri);
    }

    [Fact]
    public void A_database_without_a_uri_says_which_setting_is_missing()
    {
        var services = new ServiceCollection();
        services.AddLanceDb(Configuration());
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<Database>());
        Assert.Contains("LanceDb:Uri", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Typed_tables_are_services_opened_or_created_on_first_use()
    {
        var services = new ServiceCollection();
        services.AddSingleton<Counter>();
        services.AddLanceDb(Path.Combine(_root, "main"))
            .AddEmbeddingFunction<CountingEmbedding>()
            .AddTable<Note>("notes")
            .AddTable<Note>("archive", serviceKey: "archive");
        await using (var provider = services.BuildServiceProvider())
        {
            var notes = provider.GetRequiredService<Table<Note>>();
            Assert.Same(notes, provider.GetRequiredService<Table<Note>>());
            Assert.Equal("notes", notes.Name);
            Assert.Equal("archive", provider.GetRequiredKeyedService<Table<Note>>("archive").Name);

            // The model's [Vector(typeof(CountingEmbedding))] function was built by the container (its Counter injected).
            await notes.AddAsync([new Note { Id = 1, Text = "hello" }, new Note { Id = 2, Text = "world" }]);
            Assert.Equal(2, provider.GetRequiredService<Counter>().Embedded);
            Assert.Equal(1, (await notes.Search("hello").Limit(1).ToListAsync())[0].Id);
        }

        // A second container opens the table it created.
        var again = new ServiceCollection();
        again.AddSingleton<Counter>();
        again.AddLanceDb(Path.Combine(_root, "main")).AddEmbeddingFunction<CountingEmbedding>().AddTable<Note>("notes");
        await using var second = again.BuildServiceProvider();
        Assert.Equal(2, await second.GetRequiredService<Table<Note>>().CountRowsAsync());

        // An untyped open finds the function by its stored name in the database's registry.
        var untyped = await second.GetRequiredService<Database>().OpenTableAsync("notes");
        Assert.Single(await untyped.Search("world").Limit(1).ToListAsync<Note>());
    }

    [Fact]
    public async Task An_embedding_generator_from_the_container_becomes_a_named_function()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(new LengthGenerator());
        services.AddKeyedSingleton<IEmbeddingGenerator<string, Embedding<float>>>("other", new LengthGenerator(offset: 100));
        services.AddLanceDb(Path.Combine(_root, "main"))
            .AddEmbeddingGenerator("length")
            .AddEmbeddingGenerator("other-length", generatorKey: "other");
        await using var provider = services.BuildServiceProvider();

        var registry = provider.GetRequiredService<EmbeddingFunctionRegistry>();
        var function = registry.Create("length", new JsonObject { ["name"] = "len" });
        Assert.Equal(3, function.Dimensions);
        Assert.Equal(new float[] { 5, 1, 0 }, await function.ComputeQueryEmbeddingAsync("hello"));
        Assert.Equal(new float[] { 105, 1, 0 }, await registry.Create("other-length").ComputeQueryEmbeddingAsync("hello"));
        Assert.Equal("len", function.GetConfiguration()["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_model_naming_the_generator_interface_embeds_with_the_containers_generator()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(new LengthGenerator(offset: 10));
        services.AddLanceDb(Path.Combine(_root, "main"))
            .AddEmbeddingGenerator<IEmbeddingGenerator<string, Embedding<float>>>()
            .AddTable<GeneratedNote>("notes");
        await using var provider = services.BuildServiceProvider();

        var notes = provider.GetRequiredService<Table<GeneratedNote>>();
        await notes.AddAsync([new GeneratedNote { Id = 1, Text = "hi" }, new GeneratedNote { Id = 2, Text = "hello" }]);

        Assert.Equal(new float[] { 15, 1, 0 }, (await notes.Query().Where(x => x.Id == 2).ToListAsync())[0].Vector);
        Assert.Equal(2, (await notes.Search("hallo").Limit(1).ToListAsync())[0].Id);
        var untyped = await provider.GetRequiredService<Database>().OpenTableAsync("notes");
        Assert.Equal(1, (await untyped.Search("ho").Limit(1).ToListAsync<GeneratedNote>())[0].Id);
    }

    [Fact]
    public async Task The_health_check_reports_the_database_and_its_tables()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddLanceDb(Path.Combine(_root, "main")).AddTable<Point>("points");
        services.AddKeyedLanceDb("broken", o => o.Uri = Path.Combine(_root, "file.txt"));
        services.AddHealthChecks().AddLanceDb(tables: ["points"]).AddLanceDb("broken");
        Directory.CreateDirectory(_root);
        await File.WriteAllTextAsync(Path.Combine(_root, "file.txt"), "not a folder");
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<Table<Point>>().AddAsync([new Point { Id = 1, Vector = [1, 1] }]);

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var main = report.Entries["lancedb"];
        Assert.Equal(HealthStatus.Healthy, main.Status);
        Assert.Equal(1, main.Data["tables"]);
        Assert.Equal(1L, main.Data["rows.points"]);
        var broken = report.Entries["lancedb:broken"];
        Assert.Equal(HealthStatus.Unhealthy, broken.Status);
        Assert.Contains("'broken' is not usable", broken.Description, StringComparison.Ordinal);
        Assert.IsType<LanceException>(broken.Exception);
    }
}
