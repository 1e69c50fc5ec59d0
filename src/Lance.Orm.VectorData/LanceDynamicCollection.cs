using Lance.Orm.VectorData.Mapping;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace Lance.Orm.VectorData;

/// <summary>
/// A Lance collection of <c>Dictionary&lt;string, object?&gt;</c> records, described only by a
/// <see cref="VectorStoreCollectionDefinition"/> (no CLR record type; trimming- and AOT-safe).
/// Keys are the key property's type (<see cref="long"/>, <see cref="string"/> or <see cref="Guid"/>) boxed as <see cref="object"/>.
/// </summary>
public sealed class LanceDynamicCollection : LanceCollection<object, Dictionary<string, object?>>
{
    /// <summary>A dynamic collection named <paramref name="name"/> in an open database (which the caller keeps and disposes).</summary>
    /// <exception cref="ArgumentException">The options carry no record definition.</exception>
    public LanceDynamicCollection(Database database, string name, LanceCollectionOptions options)
        : this(new LanceTables(database ?? throw new ArgumentNullException(nameof(database))), name, options, null)
    {
    }

    internal LanceDynamicCollection(LanceTables tables, string name, LanceCollectionOptions options, IEmbeddingGenerator? storeGenerator)
        : base(tables, name, BuildModel(options, storeGenerator))
    {
    }

    private static (Microsoft.Extensions.VectorData.ProviderServices.CollectionModel, IRecordMapper<Dictionary<string, object?>>) BuildModel(
        LanceCollectionOptions options, IEmbeddingGenerator? storeGenerator)
    {
        ArgumentNullException.ThrowIfNull(options);
        var definition = options.Definition
            ?? throw new ArgumentException("A dynamic collection needs a VectorStoreCollectionDefinition in its options.", nameof(options));
        var model = new LanceModelBuilder().BuildDynamic(definition, options.EmbeddingGenerator ?? storeGenerator);
        return (model, new RecordMapper<Dictionary<string, object?>>(model));
    }
}
