using Apache.Arrow;
using Lance.Engine.Format;

namespace Lance.Engine.Dataset;

/// <summary>
/// Writes rows as new data files of a dataset (one fragment each), cut at the row and byte limits of
/// <see cref="DatasetWriteOptions"/> and encoded in parallel while the input keeps coming, in the file
/// format version the dataset has. Commits nothing: the caller records the files in a
/// <see cref="Transaction"/>. Files go to the dataset folder (not yet through the object store).
/// </summary>
internal static class FragmentWriter
{
    /// <summary>The append transaction for <paramref name="batches"/> (its files written); none when they hold no rows.</summary>
    public static async Task<(Transaction? Transaction, bool Done)> PlanAppendAsync(
        Snapshot snapshot, IAsyncEnumerable<RecordBatch> batches, DatasetWriteOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var manifest = snapshot.Manifest;
        var written = await WriteFragmentsAsync(snapshot.Location, manifest.Schema, FileVersionFor(manifest, snapshot.Location), manifest.LegacyDictionaries, batches,
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
        var written = await WriteFragmentsAsync(snapshot.Location, lanceSchema, version, schema is null ? manifest.LegacyDictionaries : null, batches,
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
        string path, LanceSchema schema, LanceFileVersion version, IDictionary<int, IReadOnlyList<byte[]>>? legacyDictionaries, IAsyncEnumerable<RecordBatch> batches, Func<RecordBatch, RecordBatch> align,
        DatasetWriteOptions options, CancellationToken cancellationToken)
    {
        if (options.MaxRowsPerFile <= 0 || options.MaxBytesPerFile <= 0 || options.MaxConcurrentFiles < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxRowsPerFile and MaxBytesPerFile must be positive, MaxConcurrentFiles zero or more.");
        }

        // Types the format's writer does not write (the legacy one writes fewer) are refused before any file is written.
        FileFormats.For(version).EnsureWritable(schema, legacyDictionaries, path);

        // Files are encoded in parallel (MaxConcurrentFiles, or one per core) while the stream keeps
        // coming; memory is bounded by that many files' rows plus the file being filled.
        var writes = new List<Task<(DataFile File, ulong Rows)>>();
        var parallelism = options.MaxConcurrentFiles > 0 ? options.MaxConcurrentFiles : Math.Max(1, Environment.ProcessorCount);
        try
        {
            var pending = new List<RecordBatch>();
            var pendingRows = 0;
            long pendingBytes = 0;
            async Task FlushAsync()
            {
                var batchesOfFile = pending;
                writes.Add(Task.Run(
                    async () =>
                    {
                        try
                        {
                            return await WriteDataFileAsync(path, schema, version, legacyDictionaries, batchesOfFile, cancellationToken).ConfigureAwait(false);
                        }
                        finally
                        {
                            batchesOfFile.Clear(); // a written file's rows are garbage at once, not when the whole write ends
                        }
                    },
                    cancellationToken));
                pending = [];
                pendingRows = 0;
                pendingBytes = 0;
                var running = writes.Where(w => !w.IsCompleted).ToList();
                if (running.Count >= parallelism)
                {
                    await Task.WhenAny(running).ConfigureAwait(false);
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

            foreach (var write in writes.Where(w => w.IsCompletedSuccessfully))
            {
                TryDelete(System.IO.Path.Combine(path, VersionNames.DataFolder, write.Result.File.Path));
            }

            throw;
        }
    }

    public static async Task<(DataFile File, ulong Rows)> WriteDataFileAsync(
        string path, LanceSchema schema, LanceFileVersion version, IDictionary<int, IReadOnlyList<byte[]>>? legacyDictionaries, List<RecordBatch> batches, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var name = Guid.NewGuid().ToString("N") + ".lance";
        var fullPath = System.IO.Path.Combine(path, VersionNames.DataFolder, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(fullPath)!);
        try
        {
            var stream = new FileStream(fullPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
            await using (stream.ConfigureAwait(false))
            {
                // Every data file of a dataset shares its format (see DataFormatVersions).
                var info = FileFormats.For(version).Write(stream, schema, batches, new DataFileWriterOptions { Dictionaries = legacyDictionaries, Name = name }, cancellationToken);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
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
        catch
        {
            TryDelete(fullPath);
            throw;
        }
    }

    /// <summary>Deletes a file no version names; best effort.</summary>
    public static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
            // Left for CleanupOldVersionsAsync: an uncommitted file is never read.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
