using Apache.Arrow;
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
    /// The most bytes of rows (estimated from their Arrow buffers) a write holds at once: those of
    /// the files being encoded and of the one being gathered. 1 GiB.
    /// </summary>
    public const long MaxBufferedBytes = 1L << 30;

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
    /// byte limits. On failure the files written so far are deleted (they were never committed).
    /// </summary>
    public static async Task<List<(DataFile File, ulong Rows)>> WriteFragmentsAsync(
        DatasetFiles files, LanceSchema schema, LanceFileVersion version, IDictionary<int, IReadOnlyList<byte[]>>? legacyDictionaries, IAsyncEnumerable<RecordBatch> batches, Func<RecordBatch, RecordBatch> align,
        DatasetWriteOptions options, CancellationToken cancellationToken)
    {
        var path = files.Location;
        if (options.MaxRowsPerFile <= 0 || options.MaxBytesPerFile <= 0 || options.MaxConcurrentFiles < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxRowsPerFile and MaxBytesPerFile must be positive, MaxConcurrentFiles zero or more.");
        }

        // Types the format's writer does not write (the legacy one writes fewer) are refused before any file is written.
        FileFormats.For(version).EnsureWritable(schema, legacyDictionaries, path);

        // Files are encoded in parallel (MaxConcurrentFiles, or up to one per core) while the stream
        // keeps coming. Each file's rows are held until it is written, so the input is read on only
        // while the files being written and the next one (up to MaxBytesPerFile) fit in
        // MaxBufferedBytes, whatever the number of cores: big files are then written fewer at a time.
        var writes = new List<Task<(DataFile File, ulong Rows)>>();
        var inFlight = new List<(Task Write, long Bytes)>();
        var parallelism = options.MaxConcurrentFiles > 0 ? options.MaxConcurrentFiles : Math.Max(1, Environment.ProcessorCount);
        try
        {
            var pending = new List<RecordBatch>();
            var pendingRows = 0;
            long pendingBytes = 0;
            async Task FlushAsync()
            {
                var batchesOfFile = pending;
                var write = Task.Run(
                    async () =>
                    {
                        try
                        {
                            return await WriteDataFileAsync(files, schema, version, legacyDictionaries, batchesOfFile, cancellationToken).ConfigureAwait(false);
                        }
                        finally
                        {
                            batchesOfFile.Clear(); // a written file's rows are garbage at once, not when the whole write ends
                        }
                    },
                    cancellationToken);
                writes.Add(write);
                inFlight.Add((write, pendingBytes));
                pending = [];
                pendingRows = 0;
                pendingBytes = 0;
                while (true)
                {
                    inFlight.RemoveAll(w => w.Write.IsCompleted);
                    var held = inFlight.Sum(w => w.Bytes);
                    if (inFlight.Count == 0 || (inFlight.Count < parallelism && held + Math.Min(options.MaxBytesPerFile, MaxBufferedBytes) <= MaxBufferedBytes))
                    {
                        break;
                    }

                    await Task.WhenAny(inFlight.Select(w => w.Write)).ConfigureAwait(false);
                }
            }

            await foreach (var raw in batches.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                // A source that ignores the token still stops here, one batch after cancellation.
                cancellationToken.ThrowIfCancellationRequested();
                var batch = align(raw);
                var bytesPerRow = batch.Length == 0 ? 0 : Math.Max(1, BatchStreams.SizeOf(batch) / batch.Length);
                var offset = 0;
                while (offset < batch.Length)
                {
                    var byRows = options.MaxRowsPerFile - pendingRows;
                    var byBytes = bytesPerRow == 0 ? long.MaxValue : Math.Max(1, (options.MaxBytesPerFile - pendingBytes) / bytesPerRow);
                    var take = (int)Math.Min(Math.Min(batch.Length - offset, byRows), byBytes);
                    pending.Add(offset == 0 && take == batch.Length ? batch : batch.Slice(offset, take));
                    pendingRows += take;
                    pendingBytes += take * bytesPerRow;
                    offset += take;
                    if (pendingRows >= options.MaxRowsPerFile || pendingBytes >= options.MaxBytesPerFile)
                    {
                        await FlushAsync().ConfigureAwait(false);
                    }
                }
            }

            if (pendingRows > 0)
            {
                await FlushAsync().ConfigureAwait(false);
            }

            return [.. await Task.WhenAll(writes).ConfigureAwait(false)];
        }
        catch
        {
            // Let every started write finish, then remove what was written (none of it is committed).
            try
            {
                await Task.WhenAll(writes).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The first failure is the one rethrown below.
            }

            await files.TryDeleteAsync(writes.Where(w => w.IsCompletedSuccessfully).Select(w => DatasetFiles.DataKey(w.Result.File.Path))).ConfigureAwait(false);

            throw;
        }
    }

    /// <summary>Writes <paramref name="batches"/> as one new data file through the store; it appears whole, or not at all.</summary>
    public static async Task<(DataFile File, ulong Rows)> WriteDataFileAsync(
        DatasetFiles files, LanceSchema schema, LanceFileVersion version, IDictionary<int, IReadOnlyList<byte[]>>? legacyDictionaries, List<RecordBatch> batches, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var name = Guid.NewGuid().ToString("N") + ".lance";

        // Every data file of a dataset shares its format (see DataFormatVersions).
        var info = await FileFormats.For(version).WriteAsync(
            files.Store, DatasetFiles.DataKey(name), schema, batches, new DataFileWriterOptions { Dictionaries = legacyDictionaries, Name = name }, cancellationToken).ConfigureAwait(false);
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
