using Microsoft.Extensions.VectorData.ProviderServices;

namespace Lance.Orm.VectorData.Mapping;

/// <summary>Chooses how a collection's records are mapped to Arrow.</summary>
internal static class LanceModelMappers
{
    /// <summary>The mapper for <typeparamref name="TRecord"/> under <paramref name="model"/>.</summary>
    internal static IRecordMapper<TRecord> For<TRecord>(CollectionModel model, string collection)
        where TRecord : class
    {
        _ = collection;
        return new RecordMapper<TRecord>(model);
    }
}
