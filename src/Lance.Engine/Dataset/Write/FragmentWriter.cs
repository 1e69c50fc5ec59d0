using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Apache.Arrow;
using Lance.Engine.DataFiles;
using Lance.Engine.Format;

namespace Lance.Engine.Dataset;

/// <summary>
/// Writes rows as new data files of a dataset (one fragment each), cut at the row and byte limits of
/// <see cref="DatasetWriteOptions"/> and encoded in parallel while the input keeps coming, in the file
/// format version the dataset has. Commits nothing: the caller records the files in a
/// <see cref="Transaction"/>. Files go to the dataset's object store (<see cref="DatasetFiles"/>).
/// </summary>
internal static class FragmentWriter
{
    /// <summary>
    /// The batches each file being written may have waiting for its encoder: the input is read on
    /// only while they fit, so a write holds about this many batches per file being written, plus
    /// each file's unfinished pages.
    /// </summary>
    public const int QueuedBatchesPerFile = 2;

    /// <summary>The append transaction for <paramref name="batches"/> (its files written); none when they hold no rows.</summary>
    public static async Task<(Transaction? Transaction, bool Done)> PlanAppendAsync(
        Snapshot snapshot, IAsyncEnumerable<RecordBatch> batches, DatasetWriteOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var manifest = snapshot.Manifest;
        var written = await WriteFragmentsAsync(snapshot.Files, manifest.Schema, FileVersionFor(manifest, snapshot.Location), manifest.LegacyDictionaries, batches,
            b => Arrow.SchemaAlignment.Align(b, snapshot.Schema, snapshot.Location), options ?? DatasetWriteOptions.Default, cancellationToken).ConfigureAwait(false);
        return (written.Count == 0 ? null : new Transaction(TransactionKind.Append, "append") { NewFragments = written }, true);
    }

    /// <summary>The overwrite transaction replacing every row (and the schema, when <paramref name="schema"/> is given) with <paramref name="batches"/>.</summary>
    public static async Task<(Transaction? Transaction, bool Done)> PlanOverwriteAsync(
        Snapshot snapshot, IAsyncEnumerable<RecordBatch> batches, Schema? schema, DatasetWriteOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var manifest = snapshot.Manifest;
        var lanceSchema = schema is null ? manifest.Schema : LanceSchema.FromArrow(schema);
        var arrowSchema = lanceSchema.ToArrow();
        var version = RequestedFileVersion(options) ?? FileVersionFor(manifest, snapshot.Location);
        var written = await WriteFragmentsAsync(snapshot.Files, lanceSchema, version, schema is null ? manifest.LegacyDictionaries : null, batches,
            b => Arrow.SchemaAlignment.Align(b, arrowSchema, snapshot.Location), options ?? DatasetWriteOptions.Default, cancellationToken).ConfigureAwait(false);
        return (new Transaction(TransactionKind.Overwrite, "overwrite")
        {
            NewSchema = lanceSchema, NewFragments = written, NewFileVersion = version, EnableStableRowIds = options?.EnableStableRowIds ?? false,
        }, true);
    }

    /// <summary>
    /// The file format version of the data files a write to the dataset at version
    /// <paramref name="manifest"/> adds: the dataset's own (Lance refuses a dataset whose files differ).
    /// Every write that makes data files (append, update, merge-insert, compaction, new columns)
    /// takes its version from here.
    /// </summary>
    /// <exception cref="LanceFormatException">The dataset's format is one this engine does not write.</exception>
    public static LanceFileVersion FileVersionFor(Manifest manifest, string path)
    {
        DataFormatVersions.EnsureWritable(manifest, path);
        return LanceFileVersion.ForDataset(manifest.DataFormatVersion)!.Value;
    }

    /// <summary>The version <see cref="DatasetWriteOptions.DataStorageVersion"/> asks for; null when it is not set.</summary>
    /// <exception cref="ArgumentException">It names a version this engine does not write.</exception>
    public static LanceFileVersion? RequestedFileVersion(DatasetWriteOptions? options)
    {
        if (options?.DataStorageVersion is not { } requested)
        {
            return null;
        }

        // A new dataset (or an overwrite that changes the format) is 2.x: the legacy format is only kept, never chosen.
        return LanceFileVersion.ForDataset(requested) is { IsLegacy: false } version ? version : throw new ArgumentException(
            $"DataStorageVersion \"{requested}\" is not a Lance file format version Lance.Engine writes; use \"2.0\", \"2.1\" or \"2.2\".", nameof(options));
    }

    /// <summary>
    /// Writes the batches as data files of format <paramref name="version"/>, cut at the row and
    /// byte limits. Each file is written as its rows arrive (its pages go to the store once full),
    /// on its own task fed through a short queue, so the input is read on while a file is encoded,
    /// up to <see cref="DatasetWriteOptions.MaxConcurrentFiles"/> files at once, and memory stays
    /// bounded whatever the files' size. A file whose encoding is done but whose completion is still
    /// under way (a remote store uploads the whole object then) no longer holds an encoding slot, so
    /// the next file is encoded while it uploads; at most as many such files again are waiting to
    /// complete. On failure the files written so far are deleted (they were never committed).
    /// </summary>
    public static async Task<List<(DataFile File, ulong Rows)>> WriteFragmentsAsync(
        DatasetFiles files, LanceSchema schema, LanceFileVersion version, IDictionary<int, IReadOnlyList<byte[]>>? legacyDictionaries, IAsyncEnumerable<RecordBatch> batches, Func<RecordBatch, RecordBatch> align,
        DatasetWriteOptions options, CancellationToken cancellationToken)
    {
        if (options.MaxRowsPerFile <= 0 || options.MaxBytesPerFile <= 0 || options.MaxConcurrentFiles < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxRowsPerFile and MaxBytesPerFile must be positive, MaxConcurrentFiles zero or more.");
        }

        // Types the format's writer does not write (the legacy one writes fewer) are refused before any file is written.
        var format = FileFormats.For(version);
        format.EnsureWritable(schema, legacyDictionaries, files.Location);
        var parallelism = options.MaxConcurrentFiles > 0 ? options.MaxConcurrentFiles : Math.Max(1, Environment.ProcessorCount);
        var writes = new List<(Task<(DataFile File, ulong Rows)> Task, Channel<RecordBatch> Queue, Task Encoded)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken); // cancelled when any file fails
        try
        {
            Channel<RecordBatch>? current = null;
            int currentRows = 0;
            long currentBytes = 0;
            await foreach (var raw in batches.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                // A source that ignores the token still stops here, one batch after cancellation.
                stop.Token.ThrowIfCancellationRequested();
                var batch = align(raw);
                var bytesPerRow = batch.Length == 0 ? 0 : Math.Max(1, BatchStreams.SizeOf(batch) / batch.Length);
                var offset = 0;
                while (offset < batch.Length)
                {
                    if (current is null)
                    {
                        // At most `parallelism` files are being encoded, and as many more completing; the next waits for a slot.
                        while (Busy(writes, parallelism) is { } running)
                        {
                            await Task.WhenAny(running).ConfigureAwait(false);
                            stop.Token.ThrowIfCancellationRequested();
                        }

                        current = Channel.CreateBounded<RecordBatch>(new BoundedChannelOptions(QueuedBatchesPerFile) { SingleReader = true, SingleWriter = true });
                        var encoded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        writes.Add((StartFile(files, format, schema, version, legacyDictionaries, current.Reader, encoded, stop), current, encoded.Task));
                        currentRows = 0;
                        currentBytes = 0;
                    }

                    var byRows = options.MaxRowsPerFile - currentRows;
                    var byBytes = bytesPerRow == 0 ? long.MaxValue : Math.Max(1, (options.MaxBytesPerFile - currentBytes) / bytesPerRow);
                    var take = (int)Math.Min(Math.Min(batch.Length - offset, byRows), byBytes);
                    await current.Writer.WriteAsync(offset == 0 && take == batch.Length ? batch : batch.Slice(offset, take), stop.Token).ConfigureAwait(false);
                    currentRows += take;
                    currentBytes += take * bytesPerRow;
                    offset += take;
                    if (currentRows >= options.MaxRowsPerFile || currentBytes >= options.MaxBytesPerFile)
                    {
                        current.Writer.Complete();
                        current = null;
                    }
                }
            }

            current?.Writer.Complete();
            return [.. await Task.WhenAll(writes.Select(w => w.Task)).ConfigureAwait(false)];
        }
        catch (Exception error)
        {
            // The input stopped because a file failed: that failure is the one to report.
            bool fileFailedFirst = error is OperationCanceledException && stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested;

            // Stop every file (each abandons its unfinished object), then remove those written (none of it is committed).
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (var (_, queue, _) in writes)
            {
                queue.Writer.TryComplete();
            }

            try
            {
                await Task.WhenAll(writes.Select(w => w.Task)).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Reported below.
            }

            await files.TryDeleteAsync(writes.Where(w => w.Task.IsCompletedSuccessfully).Select(w => DatasetFiles.DataKey(w.Task.Result.File.Path))).ConfigureAwait(false);
            if (fileFailedFirst && writes.Select(w => w.Task.Exception?.InnerException).FirstOrDefault(e => e is not null and not OperationCanceledException) is { } fileError)
            {
                ExceptionDispatchInfo.Throw(fileError);
            }

            throw;
        }
    }

    // The tasks to wait on before another file may start, or null when it may start now: a slot is
    // taken by each file still encoding, and every file not yet complete counts against twice that.
    private static List<Task>? Busy(List<(Task<(DataFile File, ulong Rows)> Task, Channel<RecordBatch> Queue, Task Encoded)> writes, int parallelism)
    {
        // A file's Encoded is also set when its task ends, however it ends.
        var encoding = writes.Where(w => !w.Encoded.IsCompleted).Select(w => w.Encoded).ToList();
        if (encoding.Count >= parallelism)
        {
            return encoding;
        }

        var unfinished = writes.Where(w => !w.Task.IsCompleted).Select(w => (Task)w.Task).ToList();
        return unfinished.Count >= 2 * parallelism ? unfinished : null;
    }

    // One file, written on its own task from the batches of its queue; a failure cancels the whole write.
    // `encoded` is set once its bytes are all produced, before the store completes the object.
    private static Task<(DataFile File, ulong Rows)> StartFile(
        DatasetFiles files, IFileFormat format, LanceSchema schema, LanceFileVersion version, IDictionary<int, IReadOnlyList<byte[]>>? legacyDictionaries,
        ChannelReader<RecordBatch> queue, TaskCompletionSource encoded, CancellationTokenSource stop) => Task.Run(
        async () =>
        {
            try
            {
                return await WriteDataFileAsync(files, format, schema, version, legacyDictionaries, queue.ReadAllAsync(stop.Token), encoded, stop.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                throw;
            }
            finally
            {
                encoded.TrySetResult();
            }
        },
        CancellationToken.None);

    /// <summary>Writes <paramref name="batches"/> as one new data file through the store; it appears whole, or not at all.</summary>
    public static Task<(DataFile File, ulong Rows)> WriteDataFileAsync(
        DatasetFiles files, LanceSchema schema, LanceFileVersion version, IDictionary<int, IReadOnlyList<byte[]>>? legacyDictionaries, List<RecordBatch> batches, CancellationToken cancellationToken) =>
        WriteDataFileAsync(files, FileFormats.For(version), schema, version, legacyDictionaries, batches.ToAsyncEnumerable(), null, cancellationToken);

    // Every data file of a dataset shares its format (see DataFormatVersions); pages go to the store as they fill.
    private static async Task<(DataFile File, ulong Rows)> WriteDataFileAsync(
        DatasetFiles files, IFileFormat format, LanceSchema schema, LanceFileVersion version, IDictionary<int, IReadOnlyList<byte[]>>? legacyDictionaries,
        IAsyncEnumerable<RecordBatch> batches, TaskCompletionSource? encoded, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var name = Guid.NewGuid().ToString("N") + ".lance";
        var output = await files.Store.CreateAsync(DatasetFiles.DataKey(name), cancellationToken).ConfigureAwait(false);
        DataFileInfo info;
        await using (output.ConfigureAwait(false))
        {
            using (var writer = format.CreateWriter(output.Stream, schema, new DataFileWriterOptions { Dictionaries = legacyDictionaries, Name = name }, cancellationToken))
            {
                await foreach (var batch in batches.WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    writer.Append(batch);
                }

                info = writer.Finish();
            }

            cancellationToken.ThrowIfCancellationRequested();
            encoded?.TrySetResult();
            await output.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        var file = new DataFile
        {
            Path = name,
            Fields = info.FieldIds,
            ColumnIndices = info.ColumnIndices,
            FileMajorVersion = version.Major,
            FileMinorVersion = version.Minor,
            FileSizeBytes = (ulong)info.BytesWritten,
        };
        return (file, (ulong)info.RowCount);
    }
}
