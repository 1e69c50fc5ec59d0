// A retrieval-augmented console app, offline: MiniLM embeds a small knowledge base into a Lance
// table through the Microsoft.Extensions.VectorData provider, a question retrieves the best passages
// by a hybrid search (its meaning, and its words by BM25), and the prompt an LLM would get is printed.
// OpenTelemetry exports the trace of the search.
using System.Diagnostics;
using Lance.Orm.Embeddings;
using Lance.Orm.VectorData;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.VectorData;
using OpenTelemetry;
using OpenTelemetry.Trace;
using SemanticKernelRag;

using var source = new ActivitySource("SemanticKernelRag");
using var tracing = Sdk.CreateTracerProviderBuilder()
    .AddSource("SemanticKernelRag", "Lance.Orm")
    .AddConsoleExporter()
    .Build();

var folder = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "lance-rag-sample");
var question = args.Length > 1 ? args[1] : "How do I keep my data when I move to Spark?";

using var miniLm = new MiniLm();
var services = new ServiceCollection()
    .AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(new LanceEmbeddingGenerator(miniLm))
    .AddLanceVectorStore(folder)
    .AddLanceCollection<long, Passage>("passages");
await using var provider = services.BuildServiceProvider();
var passages = provider.GetRequiredService<VectorStoreCollection<long, Passage>>();

await passages.EnsureCollectionDeletedAsync();
await passages.EnsureCollectionExistsAsync();
await passages.UpsertAsync(KnowledgeBase.Passages.Select((p, i) => new Passage { Id = i + 1, Topic = p.Topic, Text = p.Text, Embedding = p.Text }));
Console.WriteLine($"Indexed {KnowledgeBase.Passages.Count} passages into '{folder}'.");

var retrieved = new List<VectorSearchResult<Passage>>();
using (var activity = source.StartActivity("rag.retrieve"))
{
    activity?.SetTag("db.system.name", LanceVectorStore.SystemName);
    activity?.SetTag("db.collection.name", passages.Name);
    activity?.SetTag("rag.question", question);
    // The question's longer words are its keywords; the first hybrid search builds the full-text index on Text.
    var keywords = question.Split([' ', '?', '.', ','], StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length > 3).ToList();
    activity?.SetTag("rag.keywords", string.Join(' ', keywords));
    var hybrid = (IKeywordHybridSearchable<Passage>)passages;
    await foreach (var hit in hybrid.HybridSearchAsync(question, keywords, top: 3, new HybridSearchOptions<Passage> { Filter = p => p.Topic != "trivia" }))
    {
        retrieved.Add(hit);
        activity?.AddEvent(new ActivityEvent("rag.hit", tags: new ActivityTagsCollection { ["id"] = hit.Record.Id, ["score"] = hit.Score }));
    }

    activity?.SetTag("rag.hits", retrieved.Count);
}

Console.WriteLine();
Console.WriteLine($"Question: {question}");
foreach (var hit in retrieved)
{
    Console.WriteLine($"  {hit.Score:F3}  [{hit.Record.Topic}] {hit.Record.Text}");
}

Console.WriteLine();
Console.WriteLine("Prompt for the model:");
Console.WriteLine("Answer the question using only these passages.");
foreach (var hit in retrieved)
{
    Console.WriteLine($"- {hit.Record.Text}");
}

Console.WriteLine($"Question: {question}");
Console.WriteLine();
