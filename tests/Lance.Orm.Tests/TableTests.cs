using System.Text.Json.Nodes;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;

namespace Lance.Orm.Tests;

public sealed class TableTests : IDisposable
{
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    private static IEnumerable<Note> Notes(int count) =>
        Enumerable.Range(0, count).Select(i => new Note { Id = i, Text = $"note number {i} about {(i % 2 == 0 ? "cats" : "boats")}", Rank = i % 3 == 0 ? null : i });

    [Fact]
    public async Task Added_rows_get_their_vectors_from_the_source_column()
    {
        var db = await _db.ConnectAsync();
        var notes = await db.CreateTableAsync<Note>("notes");

        await notes.AddAsync(Notes(20));

        var all = new List<Note>();
        await foreach (var note in notes.AsAsyncEnumerable()) all.Add(note);
        Assert.Equal(20, all.Count);
        Assert.All(all, n => Assert.Equal(HashEmbedding.Embed(n.Text), n.Vector));
        Assert.Equal(Notes(20).Select(n => (n.Id, n.Text, n.Rank)), all.Select(n => (n.Id, n.Text, n.Rank)));
    }

    [Fact]
    public async Task A_vector_given_by_the_app_is_kept_not_recomputed()
    {
        var db = await _db.ConnectAsync();
        var notes = await db.CreateTableAsync<Note>("notes");
        var own = Enumerable.Repeat(0.25f, 16).ToArray();

        await notes.AddAsync([new Note { Id = 1, Text = "hello", Vector = own }]);

        var stored = await notes.Search(own).Limit(1).ToListAsync();
        Assert.Equal(own, stored.Single().Vector);
    }

    [Fact]
    public async Task Text_search_embeds_the_query_with_the_same_function()
    {
        var db = await _db.ConnectAsync();
        var notes = await db.CreateTableAsync<Note>("notes", Notes(50));

        var hits = await notes.Search("note number 7 about boats").Limit(3).ToSearchResultsAsync();

        Assert.Equal(7, hits[0].Row.Id);
        Assert.Equal(0f, hits[0].Distance, 1e-5);
        Assert.True(hits[0].Distance <= hits[1].Distance && hits[1].Distance <= hits[2].Distance);
    }

    [Fact]
    public async Task The_default_limit_is_ten()
    {
        var db = await _db.ConnectAsync();
        var notes = await db.CreateTableAsync<Note>("notes", Notes(50));

        Assert.Equal(10, (await notes.Search("cats").ToListAsync()).Count);
    }

    [Fact]
    public async Task The_function_is_stored_in_LanceDB_pythons_metadata_shape()
    {
        var db = await _db.ConnectAsync();
        var notes = await db.CreateTableAsync<Note>("notes");

        var json = JsonNode.Parse(notes.Schema.Metadata[EmbeddingFunctionConfig.MetadataKey])!.AsArray();

        var entry = json.Single()!.AsObject();
        Assert.Equal("test-hash", (string?)entry["name"]);
        Assert.Equal("text", (string?)entry["source_column"]);
        Assert.Equal("vector", (string?)entry["vector_column"]);
        Assert.Equal(16, (int?)entry["model"]!["buckets"]);
    }

    [Fact]
    public async Task An_untyped_table_restores_its_function_and_searches_by_text()
    {
        var db = await _db.ConnectAsync();
        var typed = await db.CreateTableAsync<Note>("notes", Notes(30));
        var expected = await typed.Search("boats 13").Limit(5).ToListAsync();

        var reopened = await (await LanceDb.ConnectAsync(_db.Path)).OpenTableAsync("notes");
        var hits = await reopened.Search("boats 13").Limit(5).ToListAsync<Note>();

        Assert.Equal("test-hash", reopened.EmbeddingFunctions.Single().Name);
        Assert.Equal(expected.Select(n => n.Id), hits.Select(n => n.Id));
    }

    [Fact]
    public void Node_camel_case_metadata_is_read_too()
    {
        var metadata = new Dictionary<string, string>
        {
            ["embedding_functions"] = """[{"sourceColumn":"text","vectorColumn":"vector","name":"test-hash","model":{}}]""",
        };

        var configs = EmbeddingFunctionConfig.FromMetadata(metadata, "t");

        Assert.Equal(("test-hash", "text", "vector"), (configs[0].Name, configs[0].SourceColumn, configs[0].VectorColumn));
    }

    [Fact]
    public async Task An_untyped_table_embeds_rows_added_as_arrow()
    {
        var db = await _db.ConnectAsync();
        await db.CreateTableAsync<Note>("notes");
        var table = await db.OpenTableAsync("notes");
        var batch = new RecordBatch(
            new Schema([new Field("id", Int64Type.Default, false), new Field("text", StringType.Default, false)], null),
            [new Int64Array.Builder().Append(5).Build(), new StringArray.Builder().Append("arrow row").Build()], 1);

        await table.AddAsync(batch);

        var hit = (await table.Search("arrow row").Limit(1).ToListAsync<Note>()).Single();
        Assert.Equal(5, hit.Id);
        Assert.Equal(HashEmbedding.Embed("arrow row"), hit.Vector);
    }

    [Fact]
    public async Task A_typed_table_searches_by_vector_with_any_metric()
    {
        var db = await _db.ConnectAsync();
        var points = await db.CreateTableAsync<Point>("points",
        [
            new Point { Id = 1, Vector = [1, 0, 0, 0], Label = "x" },
            new Point { Id = 2, Vector = [0, 1, 0, 0], Label = "y" },
            new Point { Id = 3, Vector = [0.9f, 0.1f, 0, 0] },
        ]);

        var byL2 = await points.Search([1f, 0, 0, 0]).ToSearchResultsAsync();
        var byCosine = await points.Search([2f, 0, 0, 0]).DistanceType(DistanceMetric.Cosine).ToSearchResultsAsync();

        Assert.Equal([1L, 3L, 2L], byL2.Select(r => r.Row.Id));
        Assert.Equal(0f, byL2[0].Distance);
        Assert.Equal(2f, byL2[2].Distance, 1e-6); // squared L2, as LanceDB reports it
        Assert.Equal([1L, 3L, 2L], byCosine.Select(r => r.Row.Id));
        Assert.Null(byL2[1].Row.Label);
    }

    [Fact]
    public async Task A_vector_of_the_wrong_length_is_rejected_and_nothing_is_lost()
    {
        var db = await _db.ConnectAsync();
        var points = await db.CreateTableAsync<Point>("points", [new Point { Id = 1, Vector = [1, 2, 3, 4] }]);

        var ex = await Assert.ThrowsAsync<LanceSchemaException>(() => points.AddAsync([new Point { Id = 2, Vector = [1, 2, 3] }]));

        Assert.Contains("Vector", ex.Message);
        Assert.Contains("4", ex.Message);
        Assert.Contains("3", ex.Message);
        var reopened = await (await LanceDb.ConnectAsync(_db.Path)).OpenTableAsync<Point>("points");
        Assert.Equal(1, await reopened.CountRowsAsync());
    }

    [Fact]
    public async Task A_query_vector_of_the_wrong_length_is_a_schema_error()
    {
        var db = await _db.ConnectAsync();
        var points = await db.CreateTableAsync<Point>("points", [new Point { Id = 1, Vector = [1, 2, 3, 4] }]);

        await Assert.ThrowsAsync<LanceSchemaException>(() => points.Search([1f, 2f]).ToListAsync());
    }

    [Fact]
    public async Task Opening_a_missing_table_names_it()
    {
        var db = await _db.ConnectAsync();

        var ex = await Assert.ThrowsAsync<LanceTableNotFoundException>(() => db.OpenTableAsync("ghost"));

        Assert.Equal("ghost", ex.TableName);
        Assert.Contains("ghost", ex.Message);
    }

    [Fact]
    public async Task Opening_a_folder_that_is_not_a_lance_dataset_is_a_format_error()
    {
        var db = await _db.ConnectAsync();
        Directory.CreateDirectory(Path.Combine(_db.Path, "junk.lance"));
        await File.WriteAllTextAsync(Path.Combine(_db.Path, "junk.lance", "readme.txt"), "not lance");

        await Assert.ThrowsAsync<LanceFormatException>(() => db.OpenTableAsync("junk"));
        Assert.DoesNotContain("junk", await db.TableNamesAsync());
    }

    [Fact]
    public async Task An_unknown_embedding_function_is_reported_by_name_when_it_is_needed()
    {
        var db = await _db.ConnectAsync();
        var schema = new Schema(
        [
            new Field("text", StringType.Default, true),
            new Field("vector", new FixedSizeListType(new Field("item", FloatType.Default, true), 16), true),
        ], null);
        var table = await db.CreateTableAsync("docs", schema, [new EmbeddingFunctionConfig("no-such-function", null, "text", "vector")]);

        var ex = await Assert.ThrowsAsync<EmbeddingException>(() => table.Search("hello").ToBatchAsync());

        Assert.Contains("no-such-function", ex.Message);
        Assert.Contains("docs", ex.Message);
    }

    [Fact]
    public async Task Opening_a_table_with_a_model_that_does_not_fit_names_the_column()
    {
        var db = await _db.ConnectAsync();
        await db.CreateTableAsync<Point>("points");

        var ex = await Assert.ThrowsAsync<LanceSchemaException>(() => db.OpenTableAsync<Note>("points"));

        Assert.Contains("'text'", ex.Message);
    }

    [Fact]
    public async Task Create_mode_fails_on_an_existing_table_and_overwrite_replaces_it()
    {
        var db = await _db.ConnectAsync();
        await db.CreateTableAsync<Note>("notes", Notes(5));

        await Assert.ThrowsAsync<LanceException>(() => db.CreateTableAsync<Note>("notes"));
        var replaced = await db.CreateTableAsync<Note>("notes", Notes(2), CreateMode.Overwrite);

        Assert.Equal(2, await replaced.CountRowsAsync());
        Assert.Equal(["notes"], await db.TableNamesAsync());
    }

    [Fact]
    public async Task Exist_ok_opens_the_existing_table_without_adding_rows()
    {
        var db = await _db.ConnectAsync();
        await db.CreateTableAsync<Note>("notes", Notes(5));

        var opened = await db.CreateTableAsync<Note>("notes", Notes(3), CreateMode.ExistOk);

        Assert.Equal(5, await opened.CountRowsAsync());
        Assert.Equal(1UL, opened.Version);
    }

    [Fact]
    public async Task Each_add_is_one_version()
    {
        var db = await _db.ConnectAsync();
        var notes = await db.CreateTableAsync<Note>("notes");

        await notes.AddAsync(Notes(3));
        await notes.AddAsync(Notes(3));

        Assert.Equal(3UL, notes.Version);
        Assert.Equal(6, await notes.CountRowsAsync());
    }
}
