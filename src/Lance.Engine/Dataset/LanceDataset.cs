using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Arrow;
using Lance.Engine.Dataset;
using Lance.Engine.Format;
using Lance.Engine.Query;

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

    private const int CommitAttempts = 20;

    // Data files never change once written, so decoded columns can be shared across versions.
    private readonly ConcurrentDictionary<(string File, string Column), IArrowArray> _columnCache = new();
    private readonly ConcurrentDictionary<string, HashSet<int>> _deletionCache = new();
    private Manifest _manifest;
    private Schema _schema;

    private LanceDataset(string path, Manifest manifest)
    {
        Path = path;
        _manifest = manifest;
        _schema = manifest.Schema.ToArrow();
    }

    /// <summary>The dataset folder.</summary>
    public string Path { get; }

    /// <summary>The Arrow schema of the current version, with its metadata.</summary>
    public Schema Schema => _schema;

    /// <summary>The current version number (1 for a new dataset).</summary>
    public ulong Version => _manifest.Version;

    /// <summary>Whether <paramref name="path"/> holds a Lance dataset (a <c>_versions</c> folder with a manifest).</summary>
    public static bool Exists(string path) => VersionNames.List(path).Count > 0;

    /// <summary>
    /// Creates a dataset at <paramref name="path"/> with <paramref name="schema"/> and the rows of
    /// <paramref name="batches"/> (none for an empty table), committed as one version.
    /// </summary>
    /// <exception cref="LanceException">A dataset exists and <paramref name="mode"/> is <see cref="WriteMode.Create"/>, or the folder holds something that is not a dataset.</exception>
    public static async Task<LanceDataset> CreateAsync(
        string path, Schema schema, IEnumerable<RecordBatch>? batches = null, WriteMode mode = WriteMode.Create,
        DatasetWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(schema);
        var lanceSchema = LanceSchema.FromArrow(schema);
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

        var written = await WriteFragmentsAsync(path, lanceSchema, batches ?? [], options ?? DatasetWriteOptions.Default, cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            var latest = exists || attempt > 0 ? TryReadLatest(path) : null;
            var manifest = new Manifest
            {
                Version = (latest?.Version ?? 0) + 1,
                Schema = lanceSchema,
                Fragments = NumberFragments(written, 0),
                MaxFragmentId = written.Count == 0 ? 0u : (uint)(written.Count - 1),
            };
            if (TryCommit(path, manifest))
            {
                return new LanceDataset(path, manifest);
            }

            if (latest is null && mode == WriteMode.Create)
            {
                throw new LanceCommitConflictException($"Another writer created a dataset at '{path}' at the same time.");
            }

            if (attempt >= CommitAttempts)
            {
                throw new LanceCommitConflictException($"Could not commit to '{path}' after {CommitAttempts} attempts: other writers keep committing.");
            }
        }
    }

    /// <summary>Opens the newest version of the dataset at <paramref name="path"/>.</summary>
    /// <exception cref="LanceTableNotFoundException">No folder at the path.</exception>
    /// <exception cref="LanceFormatException">The folder is not a Lance dataset, or its manifest is unreadable.</exception>
    public static Task<LanceDataset> OpenAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        cancellationToken.ThrowIfCancellationRequested();
        if (!Directory.Exists(path))
        {
            throw new LanceTableNotFoundException(System.IO.Path.GetFileNameWithoutExtension(path), path);
        }

        var manifest = TryReadLatest(path) ?? throw new LanceFormatException(
            $"'{path}' is not a Lance dataset: it has no manifest under '{VersionNames.VersionsFolder}'.");
        return Task.FromResult(new LanceDataset(path, manifest));
    }

    /// <summary>Re-reads the newest committed version (another writer may have committed since).</summary>
    public Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
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

    /// <summary>
    /// Appends the rows of <paramref name="batches"/> as new fragments and commits one new version.
    /// Batches must have the dataset's columns (by name, with the same types).
    /// </summary>
    /// <exception cref="LanceSchemaException">A batch does not fit the schema; nothing is committed.</exception>
    public async Task AppendAsync(IEnumerable<RecordBatch> batches, DatasetWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var aligned = batches.Select(b => SchemaAlignment.Align(b, _schema, Path)).ToList();
        if (aligned.Sum(b => b.Length) == 0)
        {
            return;
        }

        var written = await WriteFragmentsAsync(Path, _manifest.Schema, aligned, options ?? DatasetWriteOptions.Default, cancellationToken).ConfigureAwait(false);
        var basis = _manifest;
        for (var attempt = 0; ; attempt++)
        {
            var firstId = basis.Fragments.Count == 0 && basis.MaxFragmentId == 0 ? 0u : basis.MaxFragmentId + 1;
            var fragments = new List<DataFragment>(basis.Fragments);
            fragments.AddRange(NumberFragments(written, firstId));
            var manifest = new Manifest
            {
                Version = basis.Version + 1,
                Schema = basis.Schema,
                Fragments = fragments,
                MaxFragmentId = fragments.Count == 0 ? 0u : (uint)fragments.Max(f => f.Id),
                Indices = basis.Indices, // the new fragments are searched exactly until the index is optimised
            };
            if (TryCommit(Path, manifest))
            {
                SetManifest(manifest);
                return;
            }

            // Another writer committed first. Appends never conflict with each other: rebase on the
            // newest version (if its schema still matches) and try again.
            var latest = TryReadLatest(Path) ?? throw new LanceFormatException($"The manifests of '{Path}' disappeared during a commit.");
            if (!SchemaAlignment.SameColumns(latest.Schema.ToArrow(), _schema))
            {
                throw new LanceCommitConflictException(
                    $"Another writer changed the schema of '{Path}' (version {latest.Version}) while rows were being appended; re-open the table and append again.");
            }

            if (attempt >= CommitAttempts)
            {
                throw new LanceCommitConflictException($"Could not commit to '{Path}' after {CommitAttempts} attempts: other writers keep committing.");
            }

            basis = latest;
        }
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

    private RecordBatch ReadFragment(DataFragment fragment, IReadOnlyList<Field> projection)
    {
        var columns = projection.Select(field => ReadColumn(fragment, field)).ToList();
        return new RecordBatch(new Schema(projection, null), columns, (int)fragment.PhysicalRows);
    }

    private IArrowArray ReadColumn(DataFragment fragment, Field field)
    {
        var file = fragment.Files[0];
        var path = System.IO.Path.Combine(Path, VersionNames.DataFolder, file.Path);
        return _columnCache.GetOrAdd((path, field.Name), key =>
        {
            var batch = DataFileReader.Read(key.File, _manifest.Schema, [key.Column]);
            return batch.Column(0);
        });
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

    private static List<DataFragment> NumberFragments(List<(DataFile File, ulong Rows)> written, uint firstId)
        => written.Select((w, i) => new DataFragment { Id = firstId + (ulong)i, Files = [w.File], PhysicalRows = w.Rows }).ToList();

    private static async Task<List<(DataFile File, ulong Rows)>> WriteFragmentsAsync(
        string path, LanceSchema schema, IEnumerable<RecordBatch> batches, DatasetWriteOptions options, CancellationToken cancellationToken)
    {
        var result = new List<(DataFile, ulong)>();
        var pending = new List<RecordBatch>();
        var pendingRows = 0;
        foreach (var batch in batches)
        {
            var offset = 0;
            while (offset < batch.Length)
            {
                var take = Math.Min(batch.Length - offset, options.MaxRowsPerFile - pendingRows);
                pending.Add(offset == 0 && take == batch.Length ? batch : batch.Slice(offset, take));
                pendingRows += take;
                offset += take;
                if (pendingRows == options.MaxRowsPerFile)
                {
                    result.Add(await WriteDataFileAsync(path, schema, pending, cancellationToken).ConfigureAwait(false));
                    pending = [];
                    pendingRows = 0;
                }
            }
        }

        if (pendingRows > 0)
        {
            result.Add(await WriteDataFileAsync(path, schema, pending, cancellationToken).ConfigureAwait(false));
        }

        return result;
    }

    private static async Task<(DataFile, ulong)> WriteDataFileAsync(string path, LanceSchema schema, List<RecordBatch> batches, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var name = Guid.NewGuid().ToString("N") + ".lance";
        var fullPath = System.IO.Path.Combine(path, VersionNames.DataFolder, name);
        var stream = new FileStream(fullPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        await using (stream.ConfigureAwait(false))
        {
            var info = DataFileWriter.Write(stream, schema, batches);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            var file = new DataFile
            {
                Path = name,
                Fields = info.FieldIds,
                ColumnIndices = info.ColumnIndices,
                FileSizeBytes = (ulong)info.BytesWritten,
            };
            return (file, (ulong)info.RowCount);
        }
    }

    private static Manifest? TryReadLatest(string path)
    {
        foreach (var (_, manifestPath) in VersionNames.List(path))
        {
            try
            {
                return ManifestCodec.Decode(File.ReadAllBytes(manifestPath));
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or Google.Protobuf.InvalidProtocolBufferException)
            {
                throw new LanceFormatException($"The manifest '{manifestPath}' of '{path}' is not a valid Lance manifest: {ex.Message}", ex);
            }
        }

        return null;
    }

    /// <summary>
    /// Writes the manifest under a temporary name and renames it to the version's name without
    /// overwriting: false means another writer committed that version first.
    /// </summary>
    private static bool TryCommit(string path, Manifest manifest)
    {
        manifest.Timestamp = DateTimeOffset.UtcNow;
        var folder = System.IO.Path.Combine(path, VersionNames.VersionsFolder);
        var final = System.IO.Path.Combine(folder, VersionNames.ManifestFileName(manifest.Version));
        if (File.Exists(final))
        {
            return false;
        }

        var temp = System.IO.Path.Combine(folder, $".tmp-{Guid.NewGuid():N}.manifest-part");
        File.WriteAllBytes(temp, ManifestCodec.Encode(manifest));
        try
        {
            File.Move(temp, final, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(final))
        {
            File.Delete(temp);
            return false;
        }
    }
}
