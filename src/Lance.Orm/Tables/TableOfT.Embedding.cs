namespace Lance.Orm;

public sealed partial class Table<T>
{
    /// <summary>
    /// Appends <paramref name="rows"/> as one new version, streaming: rows are taken in batches of
    /// <see cref="AddOptions.BatchRows"/>, each converted, its bad vectors (NaN, wrong length) handled as
    /// <paramref name="options"/> says and its missing vectors embedded (progress reported), then
    /// written while the next batch is read; data files are cut at <see cref="AddOptions.MaxBytesPerFile"/>.
    /// Memory stays bounded by those sizes whatever the input's length. The version is committed
    /// once, after the last row; a failure or cancellation commits nothing (files already written
    /// are deleted).
    /// </summary>
    /// <exception cref="LanceSchemaException">A row does not fit, or a vector is bad and <see cref="AddOptions.OnBadVectors"/> is <see cref="BadVectorHandling.Error"/>; nothing is committed.</exception>
    /// <exception cref="EmbeddingException">An embedding function failed (after its retries); nothing is committed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size in <paramref name="options"/> is not positive.</exception>
    public Task AddAsync(IAsyncEnumerable<T> rows, AddOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return AppendStreamAsync(rows, options ?? AddOptions.Default, cancellationToken);
    }

    /// <summary>Appends <paramref name="rows"/> as one new version; streams as <see cref="AddAsync(IAsyncEnumerable{T}, AddOptions?, CancellationToken)"/> does.</summary>
    /// <exception cref="LanceSchemaException">A row does not fit, or a vector is bad and <see cref="AddOptions.OnBadVectors"/> is <see cref="BadVectorHandling.Error"/>; nothing is committed.</exception>
    /// <exception cref="EmbeddingException">An embedding function failed (after its retries); nothing is committed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size in <paramref name="options"/> is not positive.</exception>
    public Task AddAsync(IEnumerable<T> rows, AddOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return AppendStreamAsync(Ingest.RowBatcher<T>.FromEnumerable(rows, cancellationToken), options ?? AddOptions.Default, cancellationToken);
    }

    private async Task AppendStreamAsync(IAsyncEnumerable<T> rows, AddOptions options, CancellationToken cancellationToken)
    {
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var run = new EmbeddingRun(Name, Database.RetryPipeline, options);
        var batches = Ingest.RowIngest<T>.PrepareAsync(rows, Schema, Embeddings, run, cancellationToken);
        using var activity = LanceTelemetry.Start("add", this);
        var tally = LanceTelemetry.Observed(activity) ? new RowTally() : null;
        try
        {
            await Dataset.AppendAsync(tally?.Count(batches, cancellationToken) ?? batches, WriteOptions(Database.Options, options), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LanceTelemetry.Fail(activity, e);
            throw;
        }

        if (tally is not null)
        {
            LanceTelemetry.Written(this, "add", tally.Rows, activity);
        }
    }

    /// <summary>The engine's write options for an add: the database's row limit, the add's file size and concurrency.</summary>
    internal static Lance.Engine.DatasetWriteOptions WriteOptions(DatabaseOptions database, AddOptions options) => new()
    {
        MaxRowsPerFile = database.MaxRowsPerFile,
        MaxBytesPerFile = options.MaxBytesPerFile,
        MaxConcurrentFiles = options.MaxConcurrentFileWrites,
    };

    /// <summary>Searches by image with the model's image embedding function (CLIP, ResNet).</summary>
    public new VectorQuery<T> Search(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new VectorQuery<T>(this, QueryInput.FromImage(image));
    }
}
