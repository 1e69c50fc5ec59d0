using Apache.Arrow;
using Lance.Engine.Arrow;
using Lance.Engine.Dataset;
using Lance.Engine.Format;

namespace Lance.Engine;

/// <summary>Writing rows: append and overwrite.</summary>
public sealed partial class LanceDataset
{
    /// <summary>
    /// Appends the rows of <paramref name="batches"/> as new fragments and commits one new version.
    /// Batches must have the dataset's columns (by name, with the same types); nullable columns they
    /// lack are filled with nulls.
    /// </summary>
    /// <exception cref="LanceSchemaException">A batch does not fit the schema; nothing is committed.</exception>
    /// <exception cref="LanceCommitConflictException">Another writer changed the schema meanwhile; nothing is committed.</exception>
    public Task AppendAsync(IEnumerable<RecordBatch> batches, DatasetWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
        return AppendAsync(BatchStreams.From(batches, cancellationToken), options, cancellationToken);
    }

    /// <summary>
    /// Appends a stream of batches of any length as new fragments and commits one new version once
    /// the stream ends. Memory stays bounded: data files are written as soon as they reach
    /// <see cref="DatasetWriteOptions.MaxRowsPerFile"/> rows or <see cref="DatasetWriteOptions.MaxBytesPerFile"/>
    /// bytes. If the stream fails or is cancelled nothing is committed.
    /// </summary>
    /// <exception cref="LanceSchemaException">A batch does not fit the schema; nothing is committed.</exception>
    /// <exception cref="LanceCommitConflictException">Another writer changed the schema meanwhile; nothing is committed.</exception>
    public async Task AppendAsync(IAsyncEnumerable<RecordBatch> batches, DatasetWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ThrowIfReadOnly();
        var schema = _schema;
        var manifest = _manifest;
        var written = await WriteFragmentsAsync(
            Path, manifest.Schema, FileVersionFor(manifest, Path), manifest.LegacyDictionaries, batches, b => SchemaAlignment.Align(b, schema, Path), options ?? DatasetWriteOptions.Default, cancellationToken).ConfigureAwait(false);
        if (written.Count == 0)
        {
            return;
        }

        await CommitAsync(new Transaction(TransactionKind.Append, "append") { NewFragments = written }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Replaces every row (and, when <paramref name="schema"/> is given, the schema) with the rows of
    /// <paramref name="batches"/>, as one new version. Older versions stay readable until cleaned up.
    /// </summary>
    /// <exception cref="LanceSchemaException">A batch does not fit the schema; nothing is committed.</exception>
    public async Task OverwriteAsync(IAsyncEnumerable<RecordBatch> batches, Schema? schema = null, DatasetWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ThrowIfReadOnly();
        var lanceSchema = schema is null ? _manifest.Schema : LanceSchema.FromArrow(schema);
        var arrowSchema = lanceSchema.ToArrow();
        var version = RequestedFileVersion(options) ?? FileVersionFor(_manifest, Path);
        var written = await WriteFragmentsAsync(
            Path, lanceSchema, version, schema is null ? _manifest.LegacyDictionaries : null, batches, b => SchemaAlignment.Align(b, arrowSchema, Path), options ?? DatasetWriteOptions.Default, cancellationToken).ConfigureAwait(false);
        await CommitAsync(
            new Transaction(TransactionKind.Overwrite, "overwrite")
            {
                NewSchema = lanceSchema, NewFragments = written, NewFileVersion = version, EnableStableRowIds = options?.EnableStableRowIds ?? false,
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces every row with the rows of <paramref name="batches"/>, as one new version.</summary>
    /// <exception cref="LanceSchemaException">A batch does not fit the schema; nothing is committed.</exception>
    public Task OverwriteAsync(IEnumerable<RecordBatch> batches, Schema? schema = null, DatasetWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
        return OverwriteAsync(BatchStreams.From(batches, cancellationToken), schema, options, cancellationToken);
    }

    /// <summary>
    /// The file format version of the data files a write to the dataset at version
    /// <paramref name="manifest"/> adds: the dataset's own (Lance refuses a dataset whose files differ).
    /// Every write that makes data files (append, update, merge-insert, compaction, new columns)
    /// takes its version from here.
    /// </summary>
    /// <exception cref="LanceFormatException">The dataset's format is one this engine does not write.</exception>
    private static LanceFileVersion FileVersionFor(Manifest manifest, string path)
    {
        DataFormatVersions.EnsureWritable(manifest, path);
        return LanceFileVersion.ForDataset(manifest.DataFormatVersion)!.Value;
    }

    /// <summary>The version <see cref="DatasetWriteOptions.DataStorageVersion"/> asks for; null when it is not set.</summary>
    /// <exception cref="ArgumentException">It names a version this engine does not write.</exception>
    private static LanceFileVersion? RequestedFileVersion(DatasetWriteOptions? options)
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
    private static async Task<List<(DataFile File, ulong Rows)>> WriteFragmentsAsync(
        string path, LanceSchema schema, LanceFileVersion version, IDictionary<int, IReadOnlyList<byte[]>>? legacyDictionaries, IAsyncEnumerable<RecordBatch> batches, Func<RecordBatch, RecordBatch> align,
        DatasetWriteOptions options, CancellationToken cancellationToken)
    {
        if (options.MaxRowsPerFile <= 0 || options.MaxBytesPerFile <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxRowsPerFile and MaxBytesPerFile must be positive.");
        }

        if (version.IsLegacy)
        {
            // Types the legacy writer does not write are refused before any file is written.
            Format.Legacy.LegacyFileWriter.EnsureWritable(schema, legacyDictionaries, path);
        }

        // Files are encoded in parallel (up to one per core) while the stream keeps coming; memory is
        // bounded by that many files' rows.
        var writes = new List<Task<(DataFile File, ulong Rows)>>();
        var parallelism = Math.Max(1, Environment.ProcessorCount);
        try
        {
            var pending = new List<RecordBatch>();
            var pendingRows = 0;
            long pendingBytes = 0;
            async Task FlushAsync()
            {
                var batchesOfFile = pending;
                writes.Add(Task.Run(() => WriteDataFileAsync(path, schema, version, legacyDictionaries, batchesOfFile, cancellationToken), cancellationToken));
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

    private static async Task<(DataFile, ulong)> WriteDataFileAsync(
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
                // Every data file of a dataset shares its format (see DataFormatVersions); 2.0 and legacy have their own writers.
                var info = version.IsLegacy
                    ? Format.Legacy.LegacyFileWriter.Write(stream, schema, legacyDictionaries, batches, name, cancellationToken)
                    : version == LanceFileVersion.V2_0
                    ? Format.V20.DataFileWriter20.Write(stream, schema, batches, cancellationToken: cancellationToken)
                    : DataFileWriter.Write(stream, schema, batches, new DataFileWriterOptions { Version = version }, cancellationToken);
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

    private static void TryDelete(string file)
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
