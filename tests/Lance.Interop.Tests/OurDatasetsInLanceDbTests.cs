using System.Text.Json.Nodes;
using Lance.Engine;
using Lance.Orm;
using Lance.Orm.Embeddings;

namespace Lance.Interop.Tests;

public partial record InteropRow : ILanceModel
{
    public long Id { get; init; }
    public int? Count { get; init; }
    public float Weight { get; init; }
    public double? Score { get; init; }
    public bool Flag { get; init; }
    public string Name { get; init; } = "";
    public string? Note { get; init; }
    [Vector(128)] public float[]? Embedding { get; init; }
    [Vector(8)] public float[]? Small { get; init; }
}

public partial record InteropDoc : ILanceModel
{
    public long Id { get; init; }
    [Source] public string Text { get; init; } = "";
    [Vector(typeof(MiniLm))] public float[]? Vector { get; init; }
}

/// <summary>Datasets written by Lance.Orm, opened by the real LanceDB (Node): the judge of the format.</summary>
public sealed class OurDatasetsInLanceDbTests : IDisposable
{
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    private static List<InteropRow> Rows(int start, int count, int seed = 3)
    {
        var random = new Random(seed + start);
        float[] Vector(int dim) => Enumerable.Range(0, dim).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        return Enumerable.Range(start, count).Select(i => new InteropRow
        {
            Id = i,
            Count = i % 3 == 0 ? null : -i * 1000,
            Weight = i / 3f,
            Score = i % 5 == 0 ? null : i * 0.125,
            Flag = i % 2 == 1,
            Name = i % 17 == 0 ? "" : $"name {i} — ünïcödé {new string('z', i % 40)}",
            Note = i % 4 == 0 ? null : $"note {i}",
            Embedding = i % 13 == 0 ? null : Vector(128),
            Small = i % 9 == 0 ? null : Vector(8),
        }).ToList();
    }

    [Fact]
    public async Task LanceDB_reads_every_value_we_wrote_including_nulls()
    {
        var db = await LanceDb.ConnectAsync(_db.Path);
        var rows = Rows(0, 3000);
        await db.CreateTableAsync<InteropRow>("rows", rows);

        var scan = await _peer.ScanAsync(_db.Path, "rows");

        Assert.Equal(rows.Count, scan.RowCount);
        var byId = scan.Rows.ToDictionary(r => r.GetInt64("id"));
        foreach (var expected in rows)
        {
            var actual = byId[expected.Id];
            Assert.Equal(expected.Count, actual.IsNull("count") ? null : (int)actual.GetInt64("count"));
            Assert.Equal(expected.Weight, (float)actual.GetDouble("weight"));
            Assert.Equal(expected.Score, actual.IsNull("score") ? null : actual.GetDouble("score"));
            Assert.Equal(expected.Flag, actual["flag"].GetBoolean());
            Assert.Equal(expected.Name, actual.GetString("name"));
            Assert.Equal(expected.Note, actual.GetString("note"));
            Assert.Equal(expected.Embedding, actual.GetVector("embedding"));
            Assert.Equal(expected.Small, actual.GetVector("small"));
        }
    }

    [Fact]
    public async Task LanceDB_sees_our_schema_with_its_types_and_nullability()
    {
        var db = await LanceDb.ConnectAsync(_db.Path);
        await db.CreateTableAsync<InteropRow>("rows", Rows(0, 10));

        var scan = await _peer.ScanAsync(_db.Path, "rows");

        Assert.Equal(
            ["id", "count", "weight", "score", "flag", "name", "note", "embedding", "small"],
            scan.Schema.Select(f => f.Name));
        Assert.False(scan.Field("id").Nullable);
        Assert.True(scan.Field("count").Nullable);
        Assert.False(scan.Field("name").Nullable);
        Assert.True(scan.Field("note").Nullable);
        Assert.Contains("128", scan.Field("embedding").Type);
    }

    [Theory]
    [InlineData(DistanceMetric.L2, "l2")]
    [InlineData(DistanceMetric.Cosine, "cosine")]
    [InlineData(DistanceMetric.Dot, "dot")]
    public async Task LanceDB_vector_search_returns_our_top_10_in_our_order(DistanceMetric metric, string name)
    {
        var db = await LanceDb.ConnectAsync(_db.Path);
        var table = await db.CreateTableAsync<InteropRow>("rows", Rows(0, 4000));
        var query = Rows(90_000, 1, seed: 11)[0].Embedding!;

        var ours = await table.Search(query).Column("embedding").DistanceType(metric).ToSearchResultsAsync();
        var theirs = await _peer.SearchAsync(_db.Path, "rows", query, 10, name, column: "embedding");

        Assert.Equal(ours.Select(r => r.Row.Id), theirs.Rows.Select(r => r.GetInt64("id")));
        Assert.Equal(ours.Select(r => (double)r.Distance), theirs.Rows.Select(r => r.Distance), (a, b) => Math.Abs(a - b) < 1e-3 * Math.Max(1, Math.Abs(a)));
    }

    [Fact]
    public async Task LanceDB_reads_many_fragments_and_versions_we_committed()
    {
        var db = await LanceDb.ConnectAsync(_db.Path, new DatabaseOptions { MaxRowsPerFile = 7000 });
        var table = await db.CreateTableAsync<InteropRow>("rows", Rows(0, 20_000));
        await table.AddAsync(Rows(20_000, 5));
        var last = Rows(20_005, 5);
        await table.AddAsync(last);

        var versions = await _peer.VersionsAsync(_db.Path, "rows");
        var count = await _peer.CountAsync(_db.Path, "rows");
        var atFirst = await _peer.CountAsync(_db.Path, "rows", version: 1);
        var small = last[3].Small!; // row 20,008
        var theirs = await _peer.SearchAsync(_db.Path, "rows", small, 10, "l2", column: "small");
        var ours = await table.Search(small).Column("small").ToListAsync();

        Assert.Equal(3, versions.Current);
        Assert.Equal(20_010, count);
        Assert.Equal(20_000, atFirst);
        Assert.Equal(20_008, theirs.Rows[0].GetInt64("id"));
        Assert.Equal(ours.Select(r => r.Id), theirs.Rows.Select(r => r.GetInt64("id")));
    }

    [Fact]
    public async Task LanceDB_reads_the_embedding_configuration_we_stored()
    {
        var db = await LanceDb.ConnectAsync(_db.Path);
        var docs = await db.CreateTableAsync<InteropDoc>("docs",
        [
            new InteropDoc { Id = 1, Text = "A puppy plays in the garden." },
            new InteropDoc { Id = 2, Text = "Interest rates rose again." },
            new InteropDoc { Id = 3, Text = "The soup needs more salt." },
        ]);
        var query = await new MiniLm().ComputeQueryEmbeddingAsync("young dog playing");

        var scan = await _peer.ScanAsync(_db.Path, "docs");
        var theirs = await _peer.SearchAsync(_db.Path, "docs", query, 3);
        var ours = await docs.Search("young dog playing").Limit(3).ToListAsync();

        var config = JsonNode.Parse(scan.Metadata["embedding_functions"])!.AsArray().Single()!;
        Assert.Equal("sentence-transformers", (string?)config["name"]);
        Assert.Equal("text", (string?)config["source_column"]);
        Assert.Equal(ours.Select(d => d.Id), theirs.Rows.Select(r => r.GetInt64("id")));
        Assert.Equal(1, theirs.Rows[0].GetInt64("id"));
    }
}
