using System.Diagnostics;
using Lance.Orm;
using QuickStart;

// Builds a Lance table of short texts, embedding them with all-MiniLM-L6-v2 on the way in,
// then searches it by meaning. The table is a real Lance dataset: LanceDB opens it too.
var dataPath = Path.Combine(AppContext.BaseDirectory, "data", "docs");
var rows = Csv.ReadDocs(Path.Combine(AppContext.BaseDirectory, "docs.csv")).ToList();

await using var db = await LanceDb.ConnectAsync(dataPath);     // disposing it releases the models its tables loaded
var docs = await db.CreateTableAsync<Doc>("docs", CreateMode.Overwrite);

var clock = Stopwatch.StartNew();
await docs.AddAsync(rows);                                   // vectors computed from Text
Console.WriteLine($"Added {await docs.CountRowsAsync()} rows to '{docs.Name}' in {clock.Elapsed.TotalSeconds:F1} s (version {docs.Version}).");
Console.WriteLine($"Table folder: {dataPath}");

foreach (var query in new[] { "young dog playing", "how to cook pasta", "stock prices falling" })
{
    var hits = await docs.Search(query).Limit(5).ToSearchResultsAsync();
    Console.WriteLine();
    Console.WriteLine($"Search: \"{query}\"");
    var rank = 1;
    foreach (var hit in hits)
    {
        Console.WriteLine($"  {rank++}. [{hit.Distance:F3}] #{hit.Row.Id} {hit.Row.Text}");
    }
}

// Keywords and meaning together: a full-text (BM25) index on Text, then a hybrid search that embeds the text, searches by
// vector and by keywords, and fuses the two lists by reciprocal rank fusion (LanceDB's default), most relevant first.
await docs.CreateFtsIndexAsync(x => x.Text);
var hybrid = await docs.Search("puppy chasing a ball", QueryType.Hybrid).Limit(5).ToListAsync();
Console.WriteLine();
Console.WriteLine("Hybrid search: \"puppy chasing a ball\"");
foreach (var doc in hybrid)
{
    Console.WriteLine($"  [{doc.Relevance:F4}] #{doc.Id} {doc.Text}");
}

// Hot loops can skip row objects: the generated Doc.BatchView reads a result batch in place
// (numbers from the value buffers, text as UTF-8 spans, vectors as spans over the float buffer).
var published = 0;
var textBytes = 0;
var hitCount = 0;
var dimensions = 0;
await foreach (var batch in docs.Search("young dog playing").Limit(100).ToArrowAsync())
{
    var view = new Doc.BatchView(batch);
    for (var i = 0; i < view.RowCount; i++)
    {
        published += view.Published(i) ? 1 : 0;
        textBytes += view.TextUtf8(i).Length;
        dimensions = view.Vector(i).Length;
    }

    hitCount += view.RowCount;
}

Console.WriteLine();
Console.WriteLine($"BatchView over {hitCount} hits: {published} published, {textBytes} bytes of text, vectors of {dimensions} floats read in place.");

// Open the table again without the model: the embedding function is restored from the table.
var table = await db.OpenTableAsync("docs");
var again = await table.Search("young dog playing").ToListAsync<Doc>();
Console.WriteLine();
Console.WriteLine($"Reopened untyped with '{table.EmbeddingFunctions[0].Name}': {again.Count} rows, first #{again[0].Id} {again[0].Text}");

// Untyped, a hybrid search returns Arrow batches with _relevance_score (and _distance, _score where each search found the row).
var fused = await table.Search("stock prices falling", QueryType.Hybrid).Limit(3).ToBatchAsync();
Console.WriteLine($"Untyped hybrid search: {fused.Length} rows, columns {string.Join(", ", fused.Schema.FieldsList.Select(f => f.Name).Where(n => n.StartsWith('_')))}");
