using System.Collections.Concurrent;
using Apache.Arrow;
using Lance.Engine.Dataset;
using Lance.Engine.Format;

namespace Lance.Engine;

/// <summary>
/// A Lance dataset on disk: a folder of versioned manifests and data files that LanceDB reads too.
/// An instance follows the newest version it knows; every write commits exactly one new version
/// atomically (a manifest renamed into place without overwriting), so readers never see a partial
/// write and a failed write leaves the committed versions untouched.
/// </summary>
public sealed partial class LanceDataset
{
    /// <summary>The name of the distance column that searches append.</summary>
    public const string DistanceColumn = "_distance";

    /// <summary>The name of the row-id column that searches append on request.</summary>
    public const string RowIdColumn = "_rowid";

    // Data files never change once written, so decoded columns can be shared across versions.
    private readonly ConcurrentDictionary<(string File, int FieldId), IArrowArray> _columnCache = new();

    // Vector columns mapped from their files, as arrays in row order (empty: the column is not mappable).
    private readonly ConcurrentDictionary<(string File, int FieldId), IReadOnlyList<IArrowArray>> _mappedColumnCache = new();
    private readonly ConcurrentDictionary<string, HashSet<int>> _deletionCache = new();
    private readonly FragmentRowIds _rowIds;
    private Manifest _manifest;
    private Schema _schema;

    private LanceDataset(string path, Manifest manifest, bool readOnly = false)
    {
        Path = path;
        _manifest = manifest;
        _schema = manifest.Schema.ToArrow();
        IsReadOnly = readOnly;
        _rowIds = new FragmentRowIds(path);
    }

    /// <summary>The dataset folder.</summary>
    public string Path { get; }

    /// <summary>The Arrow schema of the current version, with its metadata.</summary>
    public Schema Schema => _schema;

    /// <summary>The current version number (1 for a new dataset).</summary>
    public ulong Version => _manifest.Version;

    /// <summary>When the current version was committed.</summary>
    public DateTimeOffset VersionTimestamp => _manifest.Timestamp;

    /// <summary>
    /// Whether this instance is a read-only view of an older version (from <see cref="CheckoutAsync(ulong, CancellationToken)"/>);
    /// writes through it throw.
    /// </summary>
    public bool IsReadOnly { get; private set; }

    /// <summary>The number of fragments (groups of rows stored together) in the current version.</summary>
    public int FragmentCount => _manifest.Fragments.Count;

    /// <summary>Whether <paramref name="path"/> holds a Lance dataset (a <c>_versions</c> folder with a manifest).</summary>
    public static bool Exists(string path) => VersionNames.List(path).Count > 0;

    /// <summary>
    /// Creates a dataset at <paramref name="path"/> with <paramref name="schema"/> and the rows of
    /// <paramref name="batches"/> (none for an empty table), committed as one version.
    /// </summary>
    /// <exception cref="LanceException">A dataset exists and <paramref name="mode"/> is <see cref="WriteMode.Create"/>, or the folder holds something that is not a dataset.</exception>
    /// <exception cref="LanceSchemaException">A batch does not fit <paramref name="schema"/>; nothing is committed.</exception>
    public static Task<LanceDataset> CreateAsync(
        string path, Schema schema, IEnumerable<RecordBatch>? batches = null, WriteMode mode = WriteMode.Create,
        DatasetWriteOptions? options = null, CancellationToken cancellationToken = default)
        => CreateAsync(path, schema, BatchStreams.From(batches ?? [], cancellationToken), mode, options, cancellationToken);

    /// <summary>
    /// Creates a dataset from a stream of batches of any length; memory stays bounded because data
    /// files are cut at <see cref="DatasetWriteOptions.MaxRowsPerFile"/> rows or
    /// <see cref="DatasetWriteOptions.MaxBytesPerFile"/> bytes. Nothing is committed unless the whole
    /// stream is written.
    /// </summary>
    /// <exception cref="LanceException">A dataset exists and <paramref name="mode"/> is <see cref="WriteMode.Create"/>, or the folder holds something that is not a dataset.</exception>
    /// <exception cref="LanceSchemaException">A batch does not fit <paramref name="schema"/>; nothing is committed.</exception>
    public static async Task<LanceDataset> CreateAsync(
        string path, Schema schema, IAsyncEnumerable<RecordBatch> batches, WriteMode mode = WriteMode.Create,
        DatasetWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(batches);
        var lanceSchema = LanceSchema.FromArrow(schema);
        var arrowSchema = lanceSchema.ToArrow();
        var exists = Exists(path);
        if (exists && mode == WriteMode.Create)
        {
            throw new LanceException($"A Lance dataset already exists at '{path}'. Open it, or create it with overwrite mode.");
        }

        if (!exists && Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
        {
            throw new LanceFormatException(
                $"The folder '{path}' is not empty and is not a Lance dataset (no manifest under '{VersionNames.VersionsFolder}'); refusing to write into it.");
        }

        Directory.CreateDirectory(System.IO.Path.Combine(path, VersionNames.VersionsFolder));
        Directory.CreateDirectory(System.IO.Path.Combine(path, VersionNames.DataFolder));

        // A new dataset is 2.1 unless asked otherwise; an overwritten one keeps its version when it can.
        var version = RequestedFileVersion(options)
            ?? (exists && TryReadLatest(path) is { } existing ? LanceFileVersion.ForDataset(existing.DataFormatVersion) : null)
            ?? LanceFileVersion.V2_1;
        var written = await WriteFragmentsAsync(
            path, lanceSchema, version, null, batches, b => Arrow.SchemaAlignment.Align(b, arrowSchema, path), options ?? DatasetWriteOptions.Default, cancellationToken).ConfigureAwait(false);
        var transaction = new Transaction(TransactionKind.Overwrite, "overwrite")
        {
            NewSchema = lanceSchema, NewFragments = written, NewFileVersion = version, EnableStableRowIds = options?.EnableStableRowIds ?? false,
        };
        for (var attempt = 0; ; attempt++)
        {
            var latest = exists || attempt > 0 ? TryReadLatest(path) : null;
            var basis = latest ?? new Manifest { Version = 0, Schema = lanceSchema };
            var manifest = transaction.Build(basis);
            if (TryCommit(path, manifest, TransactionRecord.Describe(transaction, basis.Version, basis, manifest)))
            {
                return new LanceDataset(path, manifest);
            }

            if (latest is null && mode == WriteMode.Create)
            {
                throw new LanceCommitConflictException($"Another writer created a dataset at '{path}' at the same time.");
            }

            if (attempt >= Transaction.CommitAttempts)
            {
                throw new LanceCommitConflictException($"Could not commit to '{path}' after {Transaction.CommitAttempts} attempts: other writers keep committing.");
            }

            await Task.Delay(Transaction.Backoff(attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Opens the newest version of the dataset at <paramref name="path"/>.</summary>
    /// <exception cref="LanceTableNotFoundException">No folder at the path.</exception>
    /// <exception cref="LanceFormatException">The folder is not a Lance dataset, or its manifest is unreadable.</exception>
    public static Task<LanceDataset> OpenAsync(string path, CancellationToken cancellationToken = default)
        => OpenAsync(path, DatasetOpenOptions.Default, cancellationToken);

    /// <summary>
    /// Opens the newest version of the dataset at <paramref name="path"/>, telling
    /// <see cref="DatasetOpenOptions.Logger"/> about anything kept but not used (see <see cref="IgnoredIndices"/>).
    /// </summary>
    /// <exception cref="LanceTableNotFoundException">No folder at the path.</exception>
    /// <exception cref="LanceFormatException">The folder is not a Lance dataset, or its manifest is unreadable.</exception>
    public static Task<LanceDataset> OpenAsync(string path, DatasetOpenOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(path);
        cancellationToken.ThrowIfCancellationRequested();
        if (!Directory.Exists(path))
        {
            throw new LanceTableNotFoundException(System.IO.Path.GetFileNameWithoutExtension(path), path);
        }

        var manifest = TryReadLatest(path) ?? throw new LanceFormatException(
            $"'{path}' is not a Lance dataset: it has no manifest under '{VersionNames.VersionsFolder}'.");
        var dataset = new LanceDataset(path, manifest);
        dataset.LogIgnoredIndices(options.Logger);
        return Task.FromResult(dataset);
    }

    /// <summary>
    /// Opens a read-only view of <paramref name="version"/> of the dataset at <paramref name="path"/>
    /// without reading any other version's manifest (so an older version stays readable even when a
    /// newer manifest is damaged).
    /// </summary>
    /// <exception cref="LanceTableNotFoundException">No folder at the path.</exception>
    /// <exception cref="LanceVersionNotFoundException">The dataset has no such version.</exception>
    /// <exception cref="LanceFormatException">That version's manifest is unreadable.</exception>
    public static Task<LanceDataset> OpenAsync(string path, ulong version, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        cancellationToken.ThrowIfCancellationRequested();
        if (!Directory.Exists(path))
        {
            throw new LanceTableNotFoundException(System.IO.Path.GetFileNameWithoutExtension(path), path);
        }

        var manifestPath = VersionNames.List(path).Where(v => v.Version == version).Select(v => v.Path).FirstOrDefault()
            ?? throw new LanceVersionNotFoundException(path, version.ToString(System.Globalization.CultureInfo.InvariantCulture), $"'{path}' has no version {version}.");
        return Task.FromResult(new LanceDataset(path, ReadManifest(path, manifestPath), readOnly: true));
    }

    /// <summary>Re-reads the newest committed version (another writer may have committed since).</summary>
    /// <exception cref="InvalidOperationException">This is a read-only view of an older version.</exception>
    public Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (IsReadOnly)
        {
            throw new InvalidOperationException($"This is a read-only view of version {Version} of '{Path}'; open the dataset again to follow new versions.");
        }

        var latest = TryReadLatest(Path);
        if (latest is not null && latest.Version != _manifest.Version)
        {
            SetManifest(latest);
        }

        return Task.CompletedTask;
    }

    /// <summary>The number of live rows (physical rows less deleted ones) in the current version.</summary>
    public long CountRows()
    {
        long count = 0;
        foreach (var fragment in _manifest.Fragments)
        {
            count += (long)fragment.PhysicalRows - (long)(fragment.DeletionFile?.NumDeletedRows ?? 0);
        }

        return count;
    }

    private List<Field> Project(IReadOnlyList<string>? columns)
    {
        if (columns is null)
        {
            return _schema.FieldsList.ToList();
        }

        return columns.Select(name => _schema.FieldsList.FirstOrDefault(f => f.Name == name)
            ?? throw new LanceSchemaException($"Column '{name}' does not exist in '{Path}'. Columns: {string.Join(", ", _schema.FieldsList.Select(f => f.Name))}.")).ToList();
    }

    private RecordBatch ReadFragment(DataFragment fragment, IReadOnlyList<Field> projection, CancellationToken cancellationToken = default)
    {
        var columns = projection.Select(field => ReadColumn(fragment, field, cancellationToken)).ToList();
        return new RecordBatch(new Schema(projection, null), columns, (int)fragment.PhysicalRows);
    }

    /// <summary>Reads every column of a fragment (deleted rows included), in schema order.</summary>
    private RecordBatch ReadFragment(DataFragment fragment) => ReadFragment(fragment, _schema.FieldsList);

    private IArrowArray ReadColumn(DataFragment fragment, Field field, CancellationToken cancellationToken = default)
    {
        var lanceField = _manifest.Schema.FindField(field.Name)
            ?? throw new LanceSchemaException($"Column '{field.Name}' does not exist in '{Path}'.");
        return ReadColumn(fragment, lanceField, cancellationToken);
    }

    private IArrowArray ReadColumn(DataFragment fragment, LanceField field, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = FilePath(fragment, field);
        return _columnCache.GetOrAdd((path, field.Id), static (key, state) =>
        {
            using var reader = DataFileReader.Open(key.File);

            // Vector columns are mapped from the file rather than copied (the cache keeps them alive);
            // not on Windows, where a mapped file could not be deleted by cleanup.
            reader.MapFlatColumns = !OperatingSystem.IsWindows();
            reader.CancellationToken = state.cancellationToken;
            return reader.ReadColumn(state.field);
        }, (field, cancellationToken));
    }

    /// <summary>
    /// A fragment's column as arrays in row order: for a vector column whose pages are flat, views
    /// of the data file (one per run of pages lying back to back), so a search reads the page cache
    /// in place and no copy of the column is made or kept in managed memory; otherwise the one
    /// array <see cref="ReadColumn(DataFragment, LanceField, CancellationToken)"/> reads.
    /// </summary>
    private IReadOnlyList<IArrowArray> ReadColumnPieces(DataFragment fragment, Field field)
    {
        var lanceField = _manifest.Schema.FindField(field.Name)
            ?? throw new LanceSchemaException($"Column '{field.Name}' does not exist in '{Path}'.");
        var path = FilePath(fragment, lanceField);
        if (field.DataType is not Apache.Arrow.Types.FixedSizeListType || OperatingSystem.IsWindows() || _columnCache.TryGetValue((path, lanceField.Id), out _))
        {
            return [ReadColumn(fragment, lanceField)];
        }

        var pieces = _mappedColumnCache.GetOrAdd((path, lanceField.Id), static (key, f) =>
        {
            using var reader = DataFileReader.Open(key.File);
            return reader.TryMapFlatColumn(f) ?? [];
        }, lanceField);
        return pieces.Count > 0 ? pieces : [ReadColumn(fragment, lanceField)];
    }

    // After columns are added a fragment has several files; each field lives in one of them. A
    // nullable field no file holds (added as all-null) reads as nulls from the first file.
    // Files list leaf field ids (as Lance writes format 2.1), so a struct or list is found by its first leaf.
    private string FilePath(DataFragment fragment, LanceField field)
    {
        var leaf = field;
        while (leaf.Children.Count > 0)
        {
            leaf = leaf.Children[0];
        }

        var file = fragment.Files.Count == 1
            ? fragment.Files[0]
            : fragment.Files.FirstOrDefault(f => f.Fields.Contains(leaf.Id) || f.Fields.Contains(field.Id)) ?? fragment.Files[0];
        return System.IO.Path.Combine(Path, VersionNames.DataFolder, file.Path);
    }

    private HashSet<int> DeletedRows(DataFragment fragment)
    {
        if (fragment.DeletionFile is not { } deletion)
        {
            return [];
        }

        var path = System.IO.Path.Combine(Path, VersionNames.DeletionsFolder, deletion.FileName(fragment.Id));
        return _deletionCache.GetOrAdd(path, p => [.. DeletionFileReader.Read(p)]);
    }

    private void SetManifest(Manifest manifest)
    {
        _manifest = manifest;
        _schema = manifest.Schema.ToArrow();
    }

    private void ThrowIfReadOnly()
    {
        if (IsReadOnly)
        {
            throw new InvalidOperationException(
                $"This is a read-only view of version {Version} of '{Path}'. Open the dataset to write, or restore this version first.");
        }
    }

    /// <summary>How many times an operation is run again after a retryable conflict (Lance's default).</summary>
    private const int ConflictRetries = 10;

    /// <summary>
    /// Runs an operation that reads the rows it changes (delete, update, merge-insert, compaction)
    /// and, when its commit meets a concurrent change to those rows
    /// (<see cref="RetryableCommitConflictException"/>), runs it again on the newest version after a
    /// short randomized pause, as Lance's writers do.
    /// </summary>
    private async Task<T> RetryOnConflictAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await operation(cancellationToken).ConfigureAwait(false);
            }
            catch (RetryableCommitConflictException) when (attempt < ConflictRetries)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 << Math.Min(attempt, 5))), cancellationToken).ConfigureAwait(false);
                await RefreshAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Commits <paramref name="transaction"/> as the next version. If another writer committed
    /// first, the transaction is checked against what changed in between and rebuilt on the newest
    /// version when compatible; otherwise <see cref="LanceCommitConflictException"/> is thrown and
    /// nothing is committed.
    /// </summary>
    private async Task CommitAsync(Transaction transaction, CancellationToken cancellationToken)
    {
        ThrowIfReadOnly();
        var start = _manifest;
        var knownFiles = start.Fragments.SelectMany(f => f.Files).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        if (transaction.NewFileVersion is null
            && (transaction.NewFragments.Count > 0 || transaction.Replaced.Values.Any(f => f is not null && f.Files.Any(x => !knownFiles.Contains(x.Path)))))
        {
            DataFormatVersions.EnsureWritable(start, Path);
        }

        var basis = start;
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var manifest = transaction.Build(basis);
                CommitHooks.BeforeCommit?.Invoke();
                if (TryCommit(Path, manifest, TransactionRecord.Describe(transaction, start.Version, basis, manifest)))
                {
                    SetManifest(manifest);
                    return;
                }

                // Another writer committed first: check what it (and any others since we read) did,
                // from the transactions they recorded, before rebuilding on the newest version.
                var latest = TryReadLatest(Path) ?? throw new LanceFormatException($"The manifests of '{Path}' disappeared during a commit.");
                transaction.CheckCompatible(start, latest, ConcurrentTransactions(basis.Version, latest.Version), Path);
                if (attempt >= Transaction.CommitAttempts)
                {
                    throw new LanceCommitConflictException(
                        $"Could not commit the {transaction.Operation} to '{Path}' after {Transaction.CommitAttempts} attempts: other writers keep committing.");
                }

                basis = latest;
                await Task.Delay(Transaction.Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is LanceCommitConflictException or OperationCanceledException)
        {
            transaction.DiscardWrittenFiles(Path, start);
            throw;
        }
    }

    /// <summary>
    /// The versions committed after <paramref name="after"/> up to <paramref name="upTo"/>, each with
    /// the transaction its writer recorded (null where none was).
    /// </summary>
    private List<(ulong Version, Format.Protos.Table.Transaction? Record)> ConcurrentTransactions(ulong after, ulong upTo)
    {
        var result = new List<(ulong, Format.Protos.Table.Transaction?)>();
        foreach (var (version, manifestPath) in VersionNames.List(Path))
        {
            if (version > after && version <= upTo)
            {
                result.Add((version, TransactionStore.Read(Path, ReadManifest(Path, manifestPath))));
            }
        }

        result.Reverse();
        return result;
    }

    private static Manifest? TryReadLatest(string path)
    {
        foreach (var (_, manifestPath) in VersionNames.List(path))
        {
            return ReadManifest(path, manifestPath);
        }

        return null;
    }

    private static Manifest ReadManifest(string datasetPath, string manifestPath)
    {
        try
        {
            return ManifestCodec.Decode(File.ReadAllBytes(manifestPath), manifestPath);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or Google.Protobuf.InvalidProtocolBufferException or ArgumentException)
        {
            throw new LanceFormatException($"The manifest '{manifestPath}' of '{datasetPath}' is not a valid Lance manifest: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Writes the manifest under a temporary name and publishes it under the version's name only
    /// if no manifest has that name: false means another writer committed that version first. As
    /// Lance does, the transaction is written first to <c>_transactions/</c> (named by the
    /// manifest's <c>transaction_file</c>) and again inline in the manifest file, so other writers
    /// can rebase over this version.
    /// </summary>
    private static bool TryCommit(string path, Manifest manifest, Format.Protos.Table.Transaction transaction)
    {
        manifest.Timestamp = DateTimeOffset.UtcNow;
        var folder = System.IO.Path.Combine(path, VersionNames.VersionsFolder);
        var final = System.IO.Path.Combine(folder, VersionNames.ManifestFileName(path, manifest.Version));
        if (File.Exists(final))
        {
            return false;
        }

        manifest.TransactionFile = TransactionStore.FileName(transaction);
        var bytes = ManifestCodec.Encode(manifest, transaction);
        var transactionFile = TransactionStore.Write(path, transaction);
        var temp = System.IO.Path.Combine(folder, $"{TempManifestPrefix}{Guid.NewGuid():N}{TempManifestSuffix}");
        File.WriteAllBytes(temp, bytes);
        CommitHooks.BeforeRename?.Invoke();
        if (AtomicPublish.TryPublish(temp, final))
        {
            manifest.InlineTransaction = transaction;
            return true;
        }

        TransactionStore.TryDelete(path, transactionFile);
        return false;
    }

    private const string TempManifestPrefix = ".tmp-";
    private const string TempManifestSuffix = ".manifest-part";
}
