using Microsoft.Extensions.VectorData.ProviderServices;

namespace Lance.Orm.VectorData.Mapping;

/// <summary>Chooses how a collection's records are mapped to Arrow.</summary>
internal static class LanceModelMappers
{
    /// <summary>The mapper for <typeparamref name="TRecord"/> under <paramref name="model"/>.</summary>
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode("Closes the generated-model mapper over the record type.")]
    internal static IRecordMapper<TRecord> For<TRecord>(CollectionModel model, string collection)
        where TRecord : class
    {
        // A generated model is mapped by its generated code; the generic argument needs its static
        // abstract members, so the mapper type is closed over TRecord once, here.
        if (typeof(TRecord).GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ILanceModel<>) && i.GetGenericArguments()[0] == typeof(TRecord)))
        {
            return (IRecordMapper<TRecord>)Activator.CreateInstance(typeof(LanceModelMapper<>).MakeGenericType(typeof(TRecord)), model, collection)!;
        }

        return new RecordMapper<TRecord>(model);
    }
}
