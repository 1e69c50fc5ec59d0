using Apache.Arrow;
using Lance.Engine.Index.FullText;
using Lance.Orm;

namespace Lance.Interop.Tests.FullText;

/// <summary>README's "Full-text and hybrid search" snippet, line for line (over <see cref="ReadmeDoc"/>, README's Doc with a cheap embedding), so that it compiles and runs.</summary>
public sealed class ReadmeHybridSearchTests : IDisposable
{
    private readonly TempCopy _db = TempCopy.Empty();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task The_README_hybrid_search_snippet_runs_typed_and_untyped()
    {
        var texts = FtsCorpus.Rows(120, 51).Select(r => r["text"] as string).Where(t => !string.IsNullOrEmpty(t)).ToList();
        var db = await LanceDb.ConnectAsync(_db.Path);
        var docs = await db.CreateTableAsync<ReadmeDoc>("docs", CreateMode.Overwrite);
        await docs.AddAsync(texts.Select((t, i) => new ReadmeDoc { Id = i, Text = t!, Published = i % 2 == 0 }));

        // README, "Full-text and hybrid search":
        await docs.CreateFtsIndexAsync(x => x.Text);
        var byKeywords = await docs.Search("golden retriever", QueryType.FullText).Limit(10).ToListAsync();
        var hybrid = await docs.Search("puppy chasing a ball", QueryType.Hybrid).Limit(5).ToListAsync();
        var linear = await docs.Search("puppy chasing a ball", QueryType.Hybrid)
            .Rerank(new LinearCombinationReranker(weight: 0.7)).Where(x => x.Published).Limit(5).ToListAsync();

        var table = await db.OpenTableAsync("docs");
        await table.CreateFtsIndexAsync("text", new FullTextIndexOptions { WithPosition = true });
        var batch = await table.Search("puppy chasing a ball", QueryType.Hybrid).Where("published = true").Limit(5).ToBatchAsync();
        var rows = await table.Search("puppy chasing a ball", QueryType.Hybrid).Limit(5).ToListAsync<ReadmeDoc>();

        Assert.NotEmpty(byKeywords);
        Assert.Equal(5, hybrid.Count);
        Assert.True(hybrid.Zip(hybrid.Skip(1)).All(p => p.First.Relevance >= p.Second.Relevance && p.Second.Relevance > 0));
        Assert.NotEmpty(linear);
        Assert.All(linear, d => Assert.True(d.Published));
        Assert.Equal(5, batch.Length);
        Assert.All(((BooleanArray)batch.Column("published")).Select(v => v), v => Assert.True(v));
        Assert.NotNull(batch.Schema.GetFieldByName("_relevance_score"));
        Assert.Equal(hybrid.Select(d => d.Id), rows.Select(d => d.Id));
    }
}

/// <summary>README's Doc, with <see cref="TrigramEmbedding"/> in place of MiniLM.</summary>
public sealed partial record ReadmeDoc : ILanceModel
{
    public long Id { get; init; }

    [Source] public string Text { get; init; } = "";

    [Vector(typeof(TrigramEmbedding))] public float[]? Vector { get; init; }

    public double Score { get; init; }

    public bool Published { get; init; }

    [Relevance] public float Relevance { get; init; }
}
