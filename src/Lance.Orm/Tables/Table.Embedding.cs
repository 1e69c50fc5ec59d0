using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;

namespace Lance.Orm;

public partial class Table
{
    /// <summary>
    /// Appends Arrow rows as one new version. Bad vectors (wrong length, NaN) are handled as
    /// <paramref name="options"/> says; null or absent vectors are then computed from their source
    /// column by the table's embedding functions, in batches, with progress reported. Cancelling
    /// commits nothing.
    /// </summary>
    /// <exception cref="LanceSchemaException">The rows do not fit the table's schema, or a vector is bad and <see cref="AddOptions.OnBadVectors"/> is <see cref="BadVectorHandling.Error"/>; nothing is written.</exception>
    /// <exception cref="EmbeddingException">An embedding function is unknown or failed (after its retries); nothing is written.</exception>
    public async Task AddAsync(IEnumerable<RecordBatch> batches, AddOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(options);
        using var activity = LanceTelemetry.Start("add", this);
        try
        {
            var run = new EmbeddingRun(Name, Database.RetryPipeline, options);
            var prepared = await EmbeddingApplier.ApplyAllAsync(batches, Schema, _embeddings, run, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            await Dataset.AppendAsync(prepared, new DatasetWriteOptions { MaxRowsPerFile = Database.Options.MaxRowsPerFile }, cancellationToken).ConfigureAwait(false);
            if (LanceTelemetry.Observed(activity))
            {
                LanceTelemetry.Written(this, "add", prepared.Sum(b => (long)b.Length), activity);
            }
        }
        catch (Exception e)
        {
            LanceTelemetry.Fail(activity, e);
            throw;
        }
    }

    /// <summary>
    /// What an update that sets <paramref name="columns"/> runs on its updated rows before they are written: the
    /// vectors whose source column it sets (and whose vector column it does not) recomputed from the new source
    /// values, as an add computes them, so a row's vector never describes text it no longer holds. Null when the
    /// update sets no embedded source.
    /// </summary>
    internal Func<RecordBatch, CancellationToken, Task<RecordBatch>>? ReembedUpdated(IEnumerable<string> columns)
    {
        var set = columns.ToHashSet(StringComparer.Ordinal);
        var stale = _embeddings.Where(e => set.Contains(e.Config.SourceColumn) && !set.Contains(e.Config.VectorColumn)).ToList();
        if (stale.Count == 0)
        {
            return null;
        }

        return async (batch, cancellationToken) =>
        {
            foreach (var embedding in stale)
            {
                var index = batch.Schema.GetFieldIndex(embedding.Config.VectorColumn);
                if (index >= 0 && batch.Schema.FieldsList[index].DataType is FixedSizeListType { ValueDataType: FloatType } vector)
                {
                    // Null vectors are what an add fills from the source.
                    var empty = EmbeddingApplier.BuildVectors(vector, new float[batch.Length * vector.ListSize], new bool[batch.Length]);
                    batch = EmbeddingApplier.Replace(batch, batch.Schema.FieldsList[index], index, empty);
                }
            }

            var run = new EmbeddingRun(Name, Database.RetryPipeline, new AddOptions());
            var prepared = await EmbeddingApplier.ApplyAllAsync([batch], Schema, stale, run, cancellationToken).ConfigureAwait(false);
            return prepared[0];
        };
    }

    /// <summary>
    /// Searches by image: the image is embedded by the table's image embedding function (such as
    /// <c>open-clip</c> or <c>resnet18</c>) when the query runs.
    /// </summary>
    public VectorQuery Search(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new VectorQuery(this, QueryInput.FromImage(image));
    }

    /// <summary>
    /// Recomputes every vector of the table's embedded column(s) with the table's current functions
    /// and commits the result as one new version (e.g. after a model's weights changed).
    /// </summary>
    /// <param name="progress">Told after each batch is embedded; may be null.</param>
    /// <param name="cancellationToken">Stops the work; nothing is committed then.</param>
    /// <exception cref="EmbeddingException">The table has no embedding function, or one failed; nothing is written.</exception>
    public async Task ReembedAsync(IProgress<EmbeddingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (_embeddings.Count == 0)
        {
            throw new EmbeddingException($"Table '{Name}' has no embedding function to re-embed with.");
        }

        await ReembedCoreAsync(_embeddings, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Switches the vector column <paramref name="vectorColumn"/> to <paramref name="function"/>:
    /// every row's vector is recomputed from the column's source, the column's dimension follows the
    /// function, and the new function is stored with the table, all in one new version. Readers of
    /// older versions keep seeing the old vectors.
    /// </summary>
    /// <param name="vectorColumn">The vector column; it must already be filled by an embedding function.</param>
    /// <param name="function">The new function (register its name so that the table re-creates it on open).</param>
    /// <param name="progress">Told after each batch is embedded; may be null.</param>
    /// <param name="cancellationToken">Stops the work; nothing is committed then.</param>
    /// <exception cref="EmbeddingException">No embedding function fills that column, or the new one failed; nothing is written.</exception>
    public async Task ReembedAsync(string vectorColumn, IEmbeddingFunction function, IProgress<EmbeddingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(vectorColumn);
        ArgumentNullException.ThrowIfNull(function);
        var current = _embeddings.FirstOrDefault(e => e.Config.VectorColumn == vectorColumn)
            ?? throw new EmbeddingException(
                $"Column '{vectorColumn}' of table '{Name}' is not filled by an embedding function, so there is no source to re-embed from. Embedded columns: {string.Join(", ", _embeddings.Select(e => e.Config.VectorColumn))}.");
        var config = new EmbeddingFunctionConfig(function.Name, function.GetConfiguration(), current.Config.SourceColumn, vectorColumn);
        var replaced = new BoundEmbedding(config, function.Dimensions, () => function);
        await ReembedCoreAsync([replaced], progress, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReembedCoreAsync(IReadOnlyList<BoundEmbedding> changed, IProgress<EmbeddingProgress>? progress, CancellationToken cancellationToken)
    {
        var embeddings = _embeddings.Where(e => changed.All(c => c.Config.VectorColumn != e.Config.VectorColumn)).Concat(changed).ToList();
        var configs = embeddings.Select(e => e.Config).ToList();

        // The new schema: changed vector columns take their function's dimension; metadata names the functions.
        var fields = Schema.FieldsList.Select(field =>
        {
            var change = changed.FirstOrDefault(c => c.Config.VectorColumn == field.Name);
            if (change is null)
            {
                return field;
            }

            var dimensions = change.Dimensions > 0 ? change.Dimensions : EmbeddingApplier.Resolve(change, Name).Dimensions;
            return new Field(field.Name, new FixedSizeListType(new Field("item", FloatType.Default, true), dimensions), field.IsNullable, field.Metadata);
        }).ToList();
        var metadata = Schema.Metadata?.ToDictionary(p => p.Key, p => p.Value) ?? [];
        metadata[EmbeddingFunctionConfig.MetadataKey] = EmbeddingFunctionConfig.ToMetadataJson(configs);
        var schema = new Schema(fields, metadata);

        // Every row, with the changed vector columns dropped so that all of them are embedded again.
        var rows = new List<RecordBatch>();
        await foreach (var batch in Dataset.ScanAsync((IReadOnlyList<string>?)null, cancellationToken).ConfigureAwait(false))
        {
            var keep = Enumerable.Range(0, batch.ColumnCount).Where(i => changed.All(c => c.Config.VectorColumn != batch.Schema.FieldsList[i].Name)).ToList();
            rows.Add(new RecordBatch(new Schema(keep.Select(i => batch.Schema.FieldsList[i]), batch.Schema.Metadata), keep.Select(batch.Column), batch.Length));
        }

        var run = new EmbeddingRun(Name, Database.RetryPipeline, new AddOptions { Progress = progress });
        var prepared = await EmbeddingApplier.ApplyAllAsync(rows, schema, changed, run, cancellationToken).ConfigureAwait(false);
        var ordered = prepared.Select(b => new RecordBatch(schema, schema.FieldsList.Select(f => b.Column(b.Schema.GetFieldIndex(f.Name))), b.Length)).ToList();
        cancellationToken.ThrowIfCancellationRequested();
        await LanceDataset.CreateAsync(Dataset.Path, schema, ordered, WriteMode.Overwrite,
            new DatasetWriteOptions { MaxRowsPerFile = Database.Options.MaxRowsPerFile, Store = Database.TableStore(Name) }, cancellationToken).ConfigureAwait(false);
        await Dataset.RefreshAsync(cancellationToken).ConfigureAwait(false);
        _embeddings = embeddings;
        EmbeddingFunctions = configs;
    }

    /// <summary>Embeds an image query (from <see cref="Search(Image)"/>) with the column's image embedding function.</summary>
    private async Task<ReadOnlyMemory<float>> EmbedImageAsync(Image image, string column, BoundEmbedding? embedding, CancellationToken cancellationToken)
    {
        if (embedding is null)
        {
            throw new EmbeddingException($"Table '{Name}' has no embedding function for column '{column}', so it cannot search by image.");
        }

        var function = EmbeddingApplier.Resolve(embedding, Name);
        if (function is not IImageEmbeddingFunction images)
        {
            throw new EmbeddingException(
                $"Embedding function '{embedding.Config.Name}' of column '{column}' in table '{Name}' embeds text only, so it cannot search by image '{image.Description}'.");
        }

        var vectors = await Database.RetryPipeline.ExecuteAsync(
            $"'{embedding.Config.Name}' for an image query on column '{column}' of table '{Name}'",
            ct => images.ComputeImageEmbeddingsAsync([image], ct),
            cancellationToken).ConfigureAwait(false);
        return vectors[0];
    }
}
