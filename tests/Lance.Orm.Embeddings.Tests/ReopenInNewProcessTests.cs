using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using Apache.Arrow;

namespace Lance.Orm.Embeddings.Tests;

/// <summary>A table created here is opened by another process (the probe), whose functions come back from the metadata alone.</summary>
public sealed class ReopenInNewProcessTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "lance-reopen-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_path, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_MiniLM_table_searches_by_text_in_a_new_process()
    {
        EmbeddingFunctionRegistry.Default.AddLanceOrmEmbeddings();
        var db = await LanceDb.ConnectAsync(_path);
        await db.CreateTableAsync("docs",
            [Batches.TextOnly((1, "A puppy plays in the garden."), (2, "Interest rates rose again."), (3, "The soup needs more salt."))],
            [new EmbeddingFunctionConfig("sentence-transformers", new MiniLm().GetConfiguration(), "text", "vector")]);

        var result = await ProbeAsync("docs", "young dog playing");

        Assert.Equal("sentence-transformers", result["functions"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(1, result["hits"]![0]!.GetValue<long>());
        Assert.Equal(3, result["rows"]!.GetValue<long>());
    }

    [Fact]
    public async Task An_openai_table_resolves_its_key_from_the_new_process_environment()
    {
        using var server = new LoopbackServer(r => FakeOpenAi.Answer(r, 4));
        Environment.SetEnvironmentVariable("LANCE_PROBE_KEY", "sk-creator"); // the creator has the key in its environment too
        var function = new OpenAiEmbeddings(new OpenAiOptions { BaseUrl = server.BaseUrl, Model = "local", Dimensions = 4, ApiKeyVariable = "LANCE_PROBE_KEY", ApiKey = "sk-creator" });
        var registry = new EmbeddingFunctionRegistry();
        registry.Register("openai", _ => function);
        var db = await LanceDb.ConnectAsync(_path, new DatabaseOptions { Registry = registry });
        await db.CreateTableAsync("docs", [Batches.TextOnly((1, "a"), (2, "abcd"), (3, "abcdefgh"))], [new EmbeddingFunctionConfig("openai", function.GetConfiguration(), "text", "vector")]);
        var metadata = await File.ReadAllTextAsync(Directory.EnumerateFiles(Path.Combine(_path, "docs.lance", "_versions")).Single());

        var result = await ProbeAsync("docs", "abcd", ("LANCE_PROBE_KEY", "sk-child"));

        Assert.Equal("$var:LANCE_PROBE_KEY", result["functions"]![0]!["model"]!["api_key"]!.GetValue<string>());
        Assert.DoesNotContain("sk-creator", metadata);
        Assert.Equal(2, result["hits"]![0]!.GetValue<long>());
        Assert.Equal("Bearer sk-child", server.Requests[^1].Authorization);
    }

    [Fact]
    public async Task Without_the_key_variable_the_new_process_says_which_one_is_missing()
    {
        var registry = new EmbeddingFunctionRegistry();
        var function = new OpenAiEmbeddings(new OpenAiOptions { BaseUrl = new Uri("http://127.0.0.1:9/"), Model = "local", Dimensions = 4, ApiKeyVariable = "LANCE_PROBE_UNSET_KEY" });
        registry.Register("openai", _ => function);
        var db = await LanceDb.ConnectAsync(_path, new DatabaseOptions { Registry = registry });
        await db.CreateTableAsync("docs", Batches.Schema(4), [new EmbeddingFunctionConfig("openai", function.GetConfiguration(), "text", "vector")]);

        var (code, _, error) = await RunProbeAsync("docs", "x");

        Assert.Equal(1, code);
        Assert.Contains("LANCE_PROBE_UNSET_KEY", error);
    }

    private async Task<JsonObject> ProbeAsync(string table, string query, params (string Name, string Value)[] environment)
    {
        var (code, output, error) = await RunProbeAsync(table, query, environment);
        Assert.True(code == 0, $"probe exited {code}: {error}");
        return JsonNode.Parse(output)!.AsObject();
    }

    private async Task<(int Code, string Output, string Error)> RunProbeAsync(string table, string query, params (string Name, string Value)[] environment)
    {
        var probe = typeof(ReopenInNewProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ReopenProbe").Value!;
        Assert.True(File.Exists(probe), $"the probe was not built at {probe}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { probe, _path, table, query })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await output).Trim(), await error);
    }
}
