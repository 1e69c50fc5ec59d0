using Lance.Orm;
using Pets;

// Multimodal search over a folder of pet pictures.
// 1. Always: the ResNet-18 function (its weights ship) embeds the bundled images; each is then
//    searched by image and its nearest neighbours printed.
// 2. With an OpenCLIP export (LANCE_ORM_OPEN_CLIP_PATH or the first argument): the LanceDB docs'
//    Pets model, searched by text ("a cat") and by image.
var imagesFolder = Path.Combine(AppContext.BaseDirectory, "images");
var images = Directory.GetFiles(imagesFolder, "*.png").Order(StringComparer.Ordinal).ToList();
var db = await LanceDb.ConnectAsync(Path.Combine(AppContext.BaseDirectory, "data", "pets"));

var photos = await db.CreateTableAsync<PetPhoto>("photos", CreateMode.Overwrite);
await photos.AddAsync(images.Select(path => new PetPhoto { ImageUri = path, Name = Path.GetFileNameWithoutExtension(path) }));
Console.WriteLine($"resnet18: embedded {await photos.CountRowsAsync()} images from {imagesFolder}");
foreach (var path in images)
{
    var hits = await photos.Search(Image.FromFile(path)).Limit(3).ToSearchResultsAsync();
    Console.WriteLine($"  {Path.GetFileNameWithoutExtension(path),-8} → {string.Join(", ", hits.Skip(1).Select(h => $"{h.Row.Name} ({h.Distance:F3})"))}");
}

var export = args.FirstOrDefault() ?? Environment.GetEnvironmentVariable("LANCE_ORM_OPEN_CLIP_PATH");
if (string.IsNullOrEmpty(export))
{
    Console.WriteLine();
    Console.WriteLine("open-clip: skipped. Point LANCE_ORM_OPEN_CLIP_PATH (or the first argument) at an OpenCLIP ONNX export");
    Console.WriteLine("(textual.onnx, visual.onnx, merges.txt, vocab.json) to search these pictures by text as well.");
    return;
}

Environment.SetEnvironmentVariable("LANCE_ORM_OPEN_CLIP_PATH", export);
var pets = await db.CreateTableAsync<Pets.Pets>("pets", CreateMode.Overwrite);
await pets.AddAsync(images.Select(path => new Pets.Pets { ImageUri = path, Name = Path.GetFileNameWithoutExtension(path) }));
Console.WriteLine();
foreach (var query in new[] { "a cat", "a dog", "a fish" })
{
    var best = await pets.Search(query).FirstOrDefaultAsync();
    Console.WriteLine($"open-clip: \"{query}\" → {best?.Name} ({best?.Image()})");
}

var byImage = await pets.Search(Image.FromFile(images[0])).Limit(2).ToListAsync();
Console.WriteLine($"open-clip: pictures like {Path.GetFileName(images[0])} → {string.Join(", ", byImage.Select(p => p.Name))}");
