using System.Runtime.InteropServices;
using Apache.Arrow;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace Lance.Orm.VectorData.Mapping;

/// <summary>
/// Maps a generated <see cref="ILanceModel{TSelf}"/> record with the serializers the source
/// generator emitted for it (no reflection per row): the table is made by
/// <see cref="Database.CreateTableAsync{T}(string, CreateMode, CancellationToken)"/>, so the model's own
/// embedding functions (<c>[Vector(typeof(MiniLm))]</c>) fill its vectors on upsert, as in <see cref="Table{T}"/>.
/// </summary>
internal sealed class LanceModelMapper<T> : IRecordMapper<T>
    where T : class, ILanceModel<T>
{
    private readonly string _collection;

    public LanceModelMapper(CollectionModel model, string collection)
    {
        _collection = collection;

        // Filters and key lookups name the generated columns (snake_case or [Column]), not MEVD's storage names.
        foreach (var property in model.Properties)
        {
            property.StorageName = T.ColumnMap.ColumnOf(property.ModelName)
                ?? throw new InvalidOperationException(
                    $"Collection '{collection}': property '{property.ModelName}' of {typeof(T).Name} is not a column of the generated model (is it [Ignore]d?).");
        }

        foreach (var vector in model.VectorProperties)
        {
            if (vector.EmbeddingType != vector.Type)
            {
                throw new NotSupportedException(
                    $"Collection '{collection}': {typeof(T).Name}.{vector.ModelName} is a generated ILanceModel member; give it an embedding function with [Vector(typeof(...))] instead of MEVD embedding generation on upsert.");
            }
        }
    }

    /// <inheritdoc />
    public Schema Schema => T.ArrowSchema;

    /// <inheritdoc />
    public async Task<Table> CreateTableAsync(Database database, string name, CancellationToken cancellationToken)
        => await database.CreateTableAsync<T>(name, CreateMode.ExistOk, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public RecordBatch Write(IReadOnlyList<T> records, IReadOnlyDictionary<VectorPropertyModel, IReadOnlyList<Embedding>>? generated)
    {
        if (generated is { Count: > 0 })
        {
            throw new NotSupportedException($"Collection '{_collection}': MEVD embedding generation on upsert is not used for generated ILanceModel records.");
        }

        return records is List<T> list ? T.ToRecordBatch(CollectionsMarshal.AsSpan(list)) : T.ToRecordBatch(records.ToArray());
    }

    /// <inheritdoc />
    public void Read(RecordBatch batch, bool includeVectors, ICollection<T> destination) => T.ReadRecordBatch(Lance.Engine.Arrow.ArrowArrays.Conform(batch, T.ArrowSchema), destination);
}
