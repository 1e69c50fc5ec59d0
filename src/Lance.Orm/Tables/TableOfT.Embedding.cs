namespace Lance.Orm;

public sealed partial class Table<T>
{
    /// <summary>
    /// Appends <paramref name="rows"/> as one new version: bad vectors (NaN) are handled as
    /// <paramref name="options"/> says, missing vectors are embedded in batches with progress
    /// reported, and cancelling commits nothing.
    /// </summary>
    /// <exception cref="LanceSchemaException">A row does not fit, or a vector is bad and <see cref="AddOptions.OnBadVectors"/> is <see cref="BadVectorHandling.Error"/>; nothing is written.</exception>
    /// <exception cref="EmbeddingException">An embedding function failed (after its retries); nothing is written.</exception>
    public async Task AddAsync(IEnumerable<T> rows, AddOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        var run = new EmbeddingRun(Name, Database.RetryPipeline, options);
        var batches = await ToBatchesAsync(rows, Schema, Embeddings, run, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        await Dataset.AppendAsync(batches, new Lance.Engine.DatasetWriteOptions { MaxRowsPerFile = Database.Options.MaxRowsPerFile }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Searches by image with the model's image embedding function (CLIP, ResNet).</summary>
    public new VectorQuery<T> Search(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new VectorQuery<T>(this, QueryInput.FromImage(image));
    }
}
