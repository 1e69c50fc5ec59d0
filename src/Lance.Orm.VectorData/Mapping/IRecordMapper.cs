using Apache.Arrow;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace Lance.Orm.VectorData.Mapping;

/// <summary>Turns records into Arrow rows and back: through MEVD's model, or through a generated <see cref="ILanceModel{TSelf}"/>.</summary>
internal interface IRecordMapper<TRecord>
{
    /// <summary>The collection's Arrow schema.</summary>
    Schema Schema { get; }

    /// <summary>Creates the collection's table unless it exists; either way returns it open.</summary>
    Task<Table> CreateTableAsync(Database database, string name, CancellationToken cancellationToken);

    /// <summary>The records as one batch; vector properties listed in <paramref name="generated"/> take those embeddings instead of the record's value.</summary>
    RecordBatch Write(IReadOnlyList<TRecord> records, IReadOnlyDictionary<VectorPropertyModel, IReadOnlyList<Embedding>>? generated);

    /// <summary>Adds the batch's rows to <paramref name="destination"/>; vector columns are read only when asked for.</summary>
    void Read(RecordBatch batch, bool includeVectors, ICollection<TRecord> destination);
}
