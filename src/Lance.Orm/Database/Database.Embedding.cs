using System.Text.Json.Nodes;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;

namespace Lance.Orm;

public sealed partial class Database
{
    /// <summary>Field metadata key on a vector field naming the embedding function that fills it.</summary>
    public const string EmbeddingFunctionFieldKey = "embedding_function";

    /// <summary>Field metadata key on a vector field naming the column its embedding function reads.</summary>
    public const string EmbeddingSourceFieldKey = "embedding_source";

    /// <summary>Field metadata key on a vector field with the function's configuration (a JSON object), optional.</summary>
    public const string EmbeddingModelFieldKey = "embedding_model";

    private EmbeddingRetryPipeline? _retryPipeline;

    /// <summary>The retry pipeline every embedding call of this database's tables goes through.</summary>
    internal EmbeddingRetryPipeline RetryPipeline
        => _retryPipeline ??= ReferenceEquals(Options.EmbeddingRetry, EmbeddingRetryOptions.Default)
            ? EmbeddingRetryPipeline.Default
            : new EmbeddingRetryPipeline(Options.EmbeddingRetry);

    /// <summary>
    /// Creates an untyped table from Arrow rows, as LanceDB's Node SDK does: the embedding
    /// definitions (function, source column, vector column) come from <paramref name="embeddingFunctions"/>,
    /// from the schema's <c>embedding_functions</c> metadata, or from vector fields carrying
    /// <see cref="EmbeddingFunctionFieldKey"/> / <see cref="EmbeddingSourceFieldKey"/> metadata. A vector
    /// column the rows lack is added with the function's dimension; missing vectors are embedded, and
    /// the definitions are stored with the table.
    /// </summary>
    /// <exception cref="EmbeddingException">A function is not registered, or fails.</exception>
    /// <exception cref="ArgumentException">No rows and no schema to create the table from.</exception>
    public async Task<Table> CreateTableAsync(
        string name, IReadOnlyList<RecordBatch> data, IReadOnlyList<EmbeddingFunctionConfig>? embeddingFunctions = null,
        CreateMode mode = CreateMode.Create, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            throw new ArgumentException($"No rows to create table '{name}' from; pass an Arrow schema to create an empty table.", nameof(data));
        }

        var path = TablePath(name);
        if (mode == CreateMode.ExistOk && await TableExistsAsync(name, path, cancellationToken).ConfigureAwait(false))
        {
            return await OpenTableAsync(name, cancellationToken).ConfigureAwait(false);
        }

        var (schema, configs) = ResolveEmbeddingSchema(name, data[0].Schema, embeddingFunctions);
        var bound = Table.BindByName(configs, schema, Models);
        var run = new EmbeddingRun(name, RetryPipeline, AddOptions.Default);
        var batches = await EmbeddingApplier.ApplyAllAsync(data, schema, bound, run, cancellationToken).ConfigureAwait(false);
        var dataset = await CreateDatasetAsync(name, path, schema, batches, mode, cancellationToken).ConfigureAwait(false);
        return new Table(this, name, dataset, configs, Table.BindByName(configs, dataset.Schema, Models));
    }

    /// <summary>
    /// Works out a new table's embedding definitions and completes its schema: definitions given
    /// explicitly win, then the schema's metadata, then field metadata; vector columns the schema lacks
    /// are added (nullable, float32, the function's dimension); the definitions go into the metadata.
    /// </summary>
    internal (Schema Schema, IReadOnlyList<EmbeddingFunctionConfig> Configs) ResolveEmbeddingSchema(
        string tableName, Schema schema, IReadOnlyList<EmbeddingFunctionConfig>? explicitConfigs)
    {
        var configs = explicitConfigs ?? EmbeddingFunctionConfig.FromMetadata(schema.Metadata, tableName);
        if (configs.Count == 0)
        {
            configs = FromFieldMetadata(tableName, schema);
        }

        var fields = schema.FieldsList.ToList();
        foreach (var config in configs)
        {
            if (fields.All(f => f.Name != config.SourceColumn))
            {
                throw new EmbeddingException(
                    $"Table '{tableName}' has no source column '{config.SourceColumn}' for embedding function '{config.Name}'. Columns: {string.Join(", ", fields.Select(f => f.Name))}.");
            }

            if (fields.All(f => f.Name != config.VectorColumn))
            {
                var function = Models.For(config.Name, config.Model);
                fields.Add(new Field(config.VectorColumn, new FixedSizeListType(new Field("item", FloatType.Default, true), function.Dimensions), nullable: true));
            }
        }

        var metadata = schema.Metadata?.ToDictionary(p => p.Key, p => p.Value) ?? [];
        if (configs.Count > 0)
        {
            metadata[EmbeddingFunctionConfig.MetadataKey] = EmbeddingFunctionConfig.ToMetadataJson(configs);
        }

        return (new Schema(fields, metadata), configs);
    }

    private static List<EmbeddingFunctionConfig> FromFieldMetadata(string tableName, Schema schema)
    {
        var configs = new List<EmbeddingFunctionConfig>();
        foreach (var field in schema.FieldsList)
        {
            if (field.Metadata is null || !field.Metadata.TryGetValue(EmbeddingFunctionFieldKey, out var function))
            {
                continue;
            }

            if (!field.Metadata.TryGetValue(EmbeddingSourceFieldKey, out var source) || string.IsNullOrEmpty(source))
            {
                throw new EmbeddingException(
                    $"Vector field '{field.Name}' of table '{tableName}' names embedding function '{function}' but no '{EmbeddingSourceFieldKey}' column.");
            }

            JsonObject? model = null;
            if (field.Metadata.TryGetValue(EmbeddingModelFieldKey, out var modelJson))
            {
                try
                {
                    model = JsonNode.Parse(modelJson) as JsonObject
                        ?? throw new EmbeddingException($"The '{EmbeddingModelFieldKey}' metadata of field '{field.Name}' in table '{tableName}' is not a JSON object.");
                }
                catch (System.Text.Json.JsonException ex)
                {
                    throw new EmbeddingException($"The '{EmbeddingModelFieldKey}' metadata of field '{field.Name}' in table '{tableName}' is not valid JSON: {ex.Message}", ex);
                }
            }

            configs.Add(new EmbeddingFunctionConfig(function, model, source, field.Name));
        }

        return configs;
    }
}
