using Microsoft.Extensions.AI;

namespace Lance.Orm.VectorData;

/// <summary>Options of a <see cref="LanceVectorStore"/>.</summary>
public sealed class LanceVectorStoreOptions
{
    /// <summary>The embedding generator used by the store's collections when neither the collection nor the property names one.</summary>
    public IEmbeddingGenerator? EmbeddingGenerator { get; set; }

    /// <summary>How the database is opened when the store connects by URI (storage options, cache budget, ...); null for the defaults.</summary>
    public DatabaseOptions? DatabaseOptions { get; set; }
}
