using Apache.Arrow;
using Apache.Arrow.Types;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace Lance.Orm.VectorData.Mapping;

/// <summary>
/// Maps MEVD records (POCOs or <c>Dictionary&lt;string, object?&gt;</c>) to Arrow record batches and
/// back through MEVD's collection model; one column per key, data and vector property, named by
/// the property's storage name.
/// </summary>
internal sealed class RecordMapper<TRecord> : IRecordMapper<TRecord>
    where TRecord : class
{
    private readonly CollectionModel _model;

    internal RecordMapper(CollectionModel model)
    {
        _model = model;
        Schema = SchemaOf(model);
    }

    /// <inheritdoc />
    public Schema Schema { get; }

    /// <summary>The Arrow schema of a collection: key, data and vector properties in the model's order.</summary>
    internal static Schema SchemaOf(CollectionModel model)
    {
        var builder = new Schema.Builder();
        foreach (var property in model.Properties)
        {
            builder.Field(property switch
            {
                KeyPropertyModel key => new Field(key.StorageName, ArrowColumnCodec.ArrowTypeOf(key.Type), nullable: false),
                VectorPropertyModel vector => new Field(vector.StorageName, ArrowColumnCodec.VectorType(vector.Dimensions), nullable: true),
                _ => new Field(property.StorageName, ArrowColumnCodec.ArrowTypeOf(property.Type), nullable: true),
            });
        }

        return builder.Build();
    }

    /// <inheritdoc />
    public Task<Table> CreateTableAsync(Database database, string name, CancellationToken cancellationToken)
        => database.CreateTableAsync(name, Schema, null, CreateMode.ExistOk, cancellationToken);

    /// <inheritdoc />
    public RecordBatch Write(IReadOnlyList<TRecord> records, IReadOnlyDictionary<VectorPropertyModel, IReadOnlyList<Embedding>>? generated)
    {
        var columns = new List<IArrowArray>(_model.Properties.Count);
        var values = new List<object?>(records.Count);
        foreach (var property in _model.Properties)
        {
            if (property is VectorPropertyModel vector)
            {
                var vectors = new List<ReadOnlyMemory<float>?>(records.Count);
                if (generated is not null && generated.TryGetValue(vector, out var embeddings))
                {
                    vectors.AddRange(embeddings.Select(e => (ReadOnlyMemory<float>?)((Embedding<float>)e).Vector));
                }
                else
                {
                    vectors.AddRange(records.Select(r => ArrowColumnCodec.VectorOf(vector.GetValueAsObject(r))));
                }

                columns.Add(ArrowColumnCodec.BuildVectors(vectors, vector.Dimensions, vector.ModelName));
                continue;
            }

            values.Clear();
            foreach (var record in records)
            {
                var value = property.GetValueAsObject(record);
                if (value is null && property is KeyPropertyModel)
                {
                    throw new ArgumentException($"Key property '{property.ModelName}' of a record is null; every record needs a key.", nameof(records));
                }

                values.Add(value);
            }

            columns.Add(ArrowColumnCodec.BuildColumn(property.Type, values));
        }

        return new RecordBatch(Schema, columns, records.Count);
    }

    /// <inheritdoc />
    public void Read(RecordBatch batch, bool includeVectors, ICollection<TRecord> destination)
    {
        var columns = new IArrowArray?[_model.Properties.Count];
        for (var p = 0; p < columns.Length; p++)
        {
            var property = _model.Properties[p];
            var index = batch.Schema.GetFieldIndex(property.StorageName);
            columns[p] = index < 0 ? null : batch.Column(index);
            if (columns[p] is null && (property is not VectorPropertyModel || includeVectors))
            {
                throw new InvalidOperationException($"The table has no column '{property.StorageName}' for property '{property.ModelName}'.");
            }
        }

        for (var row = 0; row < batch.Length; row++)
        {
            var record = _model.CreateRecord<TRecord>();
            for (var p = 0; p < columns.Length; p++)
            {
                var property = _model.Properties[p];
                if (columns[p] is not { } column)
                {
                    continue;
                }

                if (property is VectorPropertyModel vector)
                {
                    if (includeVectors)
                    {
                        vector.SetValueAsObject(record, ArrowColumnCodec.ReadVector(column, row, vector.Type));
                    }

                    continue;
                }

                property.SetValueAsObject(record, ArrowColumnCodec.Read(column, row, property.Type));
            }

            destination.Add(record);
        }
    }
}
