using System.Text.Json.Nodes;
using Apache.Arrow;
using Apache.Arrow.Types;
using Microsoft.Extensions.AI;

namespace Lance.Orm.Embeddings.Tests;

public sealed class TableEmbeddingTests : IDisposable
{
    private const int Dim = 4;
    private readonly TempDb _db = new();
    private readonly RecordingFunction _function = new();

    public TableEmbeddingTests() => _db.Registry.Register("recording", _ => _function);

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Untyped_create_from_rows_with_a_definition_adds_and_fills_the_vector_column()
    {
        var db = await _db.ConnectAsync();

        var table = await db.CreateTableAsync("docs", [Batches.TextOnly((1, "alpha"), (2, "beta"))], [new EmbeddingFunctionConfig("recording", null, "text", "vector")]);

        var rows = await Batches.ReadAllAsync(table);
        Assert.Equal(Dim, ((FixedSizeListType)table.Schema.GetFieldByName("vector").DataType).ListSize);
        Assert.Equal(_function.Embed("beta"), rows[1].Vector);
        Assert.Equal("recording", table.EmbeddingFunctions.Single().Name);
    }

    [Fact]
    public async Task Untyped_create_reads_the_definition_from_field_metadata()
    {
        var db = await _db.ConnectAsync();
        var vectorMetadata = new Dictionary<string, string> { [Database.EmbeddingFunctionFieldKey] = "recording", [Database.EmbeddingSourceFieldKey] = "text" };
        var schema = new Schema([new Field("id", Int64Type.Default, false), new Field("text", StringType.Default, true), new Field("vector", Batches.VectorType(Dim), true, vectorMetadata)], null);

        var table = await db.CreateTableAsync("docs", schema);
        await table.AddAsync(Batches.TextOnly((1, "from field metadata")));

        Assert.Equal(_function.Embed("from field metadata"), (await Batches.ReadAllAsync(table)).Single().Vector);
        Assert.Contains("\"source_column\": \"text\"", table.Schema.Metadata[EmbeddingFunctionConfig.MetadataKey]);
    }

    [Fact]
    public async Task Untyped_create_from_a_schema_without_the_vector_column_adds_it()
    {
        var db = await _db.ConnectAsync();

        var table = await db.CreateTableAsync("docs", Batches.Schema(0, withVector: false), [new EmbeddingFunctionConfig("recording", null, "text", "vector")]);

        Assert.Equal(Dim, Table.VectorDimensions(table.Schema, "vector"));
    }

    [Fact]
    public async Task A_reopened_untyped_table_embeds_adds_and_text_queries()
    {
        var db = await _db.ConnectAsync();
        await db.CreateTableAsync("docs", [Batches.TextOnly((1, "alpha"), (2, "a much longer text"))], [new EmbeddingFunctionConfig("recording", null, "text", "vector")]);

        var reopened = await (await _db.ConnectAsync()).OpenTableAsync("docs");
        await reopened.AddAsync(Batches.TextOnly((3, "gamma")));
        var hit = await reopened.Search("a much longer text").Limit(1).ToBatchAsync();

        Assert.Equal(2L, ((Int64Array)hit.Column("id")).GetValue(0));
        Assert.Equal(3, await reopened.CountRowsAsync());
    }

    [Fact]
    public async Task ReembedAsync_switches_the_column_to_a_new_function_in_one_version()
    {
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync("docs", [Batches.TextOnly((1, "alpha"), (2, "beta"))], [new EmbeddingFunctionConfig("recording", null, "text", "vector")]);
        var wider = new RecordingFunction("wider", dimensions: 6);
        _db.Registry.Register("wider", _ => wider);
        var before = table.Version;

        await table.ReembedAsync("vector", wider);

        Assert.Equal(before + 1, table.Version);
        Assert.Equal(wider.Embed("beta"), (await Batches.ReadAllAsync(table))[1].Vector);
        var reopened = await (await _db.ConnectAsync()).OpenTableAsync("docs");
        Assert.Equal("wider", reopened.EmbeddingFunctions.Single().Name);
        Assert.Equal(6, Table.VectorDimensions(reopened.Schema, "vector"));
    }

    [Fact]
    public async Task ReembedAsync_recomputes_with_the_current_function_and_reports_progress()
    {
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync("docs", [Batches.Rows(Dim, (1, "given", [7, 7, 7, 7]), (2, "embedded", null))], [new EmbeddingFunctionConfig("recording", null, "text", "vector")]);
        var reports = new List<EmbeddingProgress>();

        await table.ReembedAsync(new Progress(reports.Add));

        var rows = await Batches.ReadAllAsync(table);
        Assert.Equal(_function.Embed("given"), rows[0].Vector);
        Assert.Equal(new EmbeddingProgress("vector", 2, 2), reports[^1]);
    }

    [Fact]
    public async Task ReembedAsync_without_a_function_says_so()
    {
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync("plain", Batches.Schema(Dim));

        await Assert.ThrowsAsync<EmbeddingException>(() => table.ReembedAsync());
    }

    [Fact]
    public async Task Image_bytes_in_the_source_column_are_embedded_by_an_image_function()
    {
        _db.Registry.Register("test-image", _ => new ByteImageFunction());
        var db = await _db.ConnectAsync();
        var images = new BinaryArray.Builder().Append(new byte[] { 1, 2, 3 }.AsSpan()).Append(new byte[] { 9, 8 }.AsSpan()).Build();
        var schema = new Schema([new Field("image", BinaryType.Default, true)], null);

        var table = await db.CreateTableAsync("pics", [new RecordBatch(schema, [images], 2)], [new EmbeddingFunctionConfig("test-image", null, "image", "vector")]);

        var hit = await table.Search(Image.FromBytes(new byte[] { 9, 5, 8 })).Limit(1).ToBatchAsync();
        Assert.Equal(new byte[] { 9, 8 }, ((BinaryArray)hit.Column("image")).GetBytes(0).ToArray());
    }

    [Fact]
    public async Task A_query_input_holding_an_image_searches_as_the_image_does()
    {
        _db.Registry.Register("test-image", _ => new ByteImageFunction());
        var db = await _db.ConnectAsync();
        var images = new BinaryArray.Builder().Append(new byte[] { 1, 2, 3 }.AsSpan()).Append(new byte[] { 9, 8 }.AsSpan()).Build();
        var schema = new Schema([new Field("image", BinaryType.Default, true)], null);
        var table = await db.CreateTableAsync("pics", [new RecordBatch(schema, [images], 2)], [new EmbeddingFunctionConfig("test-image", null, "image", "vector")]);
        var input = QueryInput.FromImage(Image.FromBytes(new byte[] { 1, 2, 4 }));

        var hit = await table.Search(input).Limit(1).ToBatchAsync();

        Assert.Equal(QueryInputKind.Image, input.Kind);
        Assert.Equal(new byte[] { 1, 2, 3 }, ((BinaryArray)hit.Column("image")).GetBytes(0).ToArray());
    }

    [Fact]
    public void A_query_input_holding_text_or_a_vector_says_which()
    {
        var text = QueryInput.FromText("alpha");
        var vector = QueryInput.FromVector(new float[] { 1, 2 });

        Assert.Equal((QueryInputKind.Text, "alpha", 0), (text.Kind, text.Text, text.Vector.Length));
        Assert.Equal((QueryInputKind.Vector, (string?)null, 2), (vector.Kind, vector.Text, vector.Vector.Length));
    }

    [Fact]
    public async Task Image_search_on_a_text_function_says_it_cannot()
    {
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync("docs", [Batches.TextOnly((1, "alpha"))], [new EmbeddingFunctionConfig("recording", null, "text", "vector")]);

        var ex = await Assert.ThrowsAsync<EmbeddingException>(() => table.Search(Image.FromBytes(new byte[] { 1 })).ToBatchAsync());

        Assert.Contains("text only", ex.Message);
    }

    [Fact]
    public async Task An_IEmbeddingGenerator_becomes_a_function_in_one_line()
    {
        var generator = new LengthGenerator();

        var function = generator.AsEmbeddingFunction("length-gen");
        _db.Registry.Register("length-gen", _ => function);
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync("docs", [Batches.TextOnly((1, "ab"), (2, "abcdef"))], [new EmbeddingFunctionConfig(function.Name, function.GetConfiguration(), "text", "vector")]);

        Assert.Equal(2, function.Dimensions);
        Assert.Equal("""{"name":"length-model"}""", function.GetConfiguration().ToJsonString());
        var first = (await Batches.ReadAllAsync(table))[0].Vector;
        Assert.Equal(new[] { 2f, 1f }, first);
        var hit = await table.Search("abcdeg").Limit(1).ToBatchAsync();
        Assert.Equal(2L, ((Int64Array)hit.Column("id")).GetValue(0));
    }

    [Fact]
    public void Registry_get_names_the_known_functions_when_asked_for_an_unknown_one()
    {
        var ex = Assert.Throws<EmbeddingException>(() => _db.Registry.Get("no-such"));

        Assert.Contains("recording", ex.Message);
    }

    private sealed class Progress(Action<EmbeddingProgress> report) : IProgress<EmbeddingProgress>
    {
        public void Report(EmbeddingProgress value) => report(value);
    }

    private sealed class LengthGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly EmbeddingGeneratorMetadata _metadata = new("test", null, "length-model", 2);

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
            => Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(new float[] { v.Length, 1 }))));

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata : null;

        public void Dispose()
        {
        }
    }
}
