using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace Lance.Orm.VectorData.Tests;

/// <summary>A store over a fresh temporary folder, deleted afterwards.</summary>
public sealed class TestStore : IDisposable
{
    public TestStore(IEmbeddingGenerator? generator = null)
    {
        Folder = Path.Combine(Path.GetTempPath(), "lance-mevd-" + Guid.NewGuid().ToString("N"));
        Store = new LanceVectorStore(Folder, new LanceVectorStoreOptions { EmbeddingGenerator = generator });
    }

    public string Folder { get; }

    public LanceVectorStore Store { get; }

    public async Task<VectorStoreCollection<TKey, TRecord>> CollectionAsync<TKey, TRecord>(string name = "items", VectorStoreCollectionDefinition? definition = null)
        where TKey : notnull
        where TRecord : class
    {
        var collection = Store.GetCollection<TKey, TRecord>(name, definition);
        await collection.EnsureCollectionExistsAsync();
        return collection;
    }

    public void Dispose()
    {
        Store.Dispose();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
