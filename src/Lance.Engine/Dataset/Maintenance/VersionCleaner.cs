using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lance.Engine.Dataset;
using Lance.Engine.Format;

namespace Lance.Engine;

/// <summary>Versions: listing, checking out, restoring, tags and cleaning up old versions.</summary>
public sealed partial class LanceDataset
{
    private const string RefsFolder = "_refs";
    private const string TagsFolder = "tags";

    /// <summary>Every version still on disk, oldest first.</summary>
    /// <exception cref="LanceFormatException">A manifest cannot be read.</exception>
    public Task<IReadOnlyList<DatasetVersion>> ListVersionsAsync(CancellationToken cancellationToken = default)
    {
        var versions = new List<DatasetVersion>();
        foreach (var (version, manifestPath) in VersionNames.List(Path))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var manifest = ReadManifest(Path, manifestPath);
            versions.Add(new DatasetVersion(version, manifest.Timestamp, RowsOf(manifest)));
        }

        versions.Reverse();
        return Task.FromResult<IReadOnlyList<DatasetVersion>>(versions);
    }

    /// <summary>
    /// Opens a read-only view of <paramref name="version"/> (time travel). Its reads see that
    /// version's rows; writes through it throw, except <see cref="RestoreAsync(CancellationToken)"/>.
    /// </summary>
    /// <exception cref="LanceVersionNotFoundException">The dataset has no such version (never committed, or cleaned up).</exception>
    public Task<LanceDataset> CheckoutAsync(ulong version, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new LanceDataset(Path, ReadVersion(version), readOnly: true));
    }

    /// <summary>Opens a read-only view of the version a tag points at.</summary>
    /// <exception cref="LanceVersionNotFoundException">No such tag, or its version was removed.</exception>
    public async Task<LanceDataset> CheckoutAsync(string tag, CancellationToken cancellationToken = default)
    {
        var tags = await ListTagsAsync(cancellationToken).ConfigureAwait(false);
        if (!tags.TryGetValue(tag, out var version))
        {
            throw new LanceVersionNotFoundException(Path, tag,
                $"'{Path}' has no tag '{tag}'. Tags: {(tags.Count == 0 ? "(none)" : string.Join(", ", tags.Keys.Order(StringComparer.Ordinal)))}.");
        }

        return await CheckoutAsync(version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes the rows and schema of <paramref name="version"/> the newest version again, as a new
    /// version (nothing is deleted: the versions in between stay readable).
    /// </summary>
    /// <exception cref="LanceVersionNotFoundException">The dataset has no such version.</exception>
    public async Task RestoreAsync(ulong version, CancellationToken cancellationToken = default)
    {
        var old = ReadVersion(version);
        IsReadOnly = false;
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        await CommitAsync(new Transaction(TransactionKind.Restore, "restore") { RestoreFrom = old }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// On a view from <see cref="CheckoutAsync(ulong, CancellationToken)"/>: makes the viewed version the
    /// newest version again (a new version), after which this instance follows the newest version.
    /// </summary>
    public Task RestoreAsync(CancellationToken cancellationToken = default) => RestoreAsync(Version, cancellationToken);

    /// <summary>The dataset's tags and the versions they point at.</summary>
    /// <exception cref="LanceFormatException">A tag file cannot be read.</exception>
    public Task<IReadOnlyDictionary<string, ulong>> ListTagsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var folder = System.IO.Path.Combine(Path, RefsFolder, TagsFolder);
        if (Directory.Exists(folder))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*.json"))
            {
                result[System.IO.Path.GetFileNameWithoutExtension(file)] = ReadTag(file);
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, ulong>>(result);
    }

    /// <summary>Names <paramref name="version"/> with <paramref name="tag"/>; a tagged version is never cleaned up.</summary>
    /// <exception cref="ArgumentException">The tag name is not made of letters, digits, '.', '_' and '-'.</exception>
    /// <exception cref="LanceException">The tag exists already.</exception>
    /// <exception cref="LanceVersionNotFoundException">The dataset has no such version.</exception>
    public Task CreateTagAsync(string tag, ulong version, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ValidateTag(tag);
        var manifestPath = ManifestPath(version);
        var folder = System.IO.Path.Combine(Path, RefsFolder, TagsFolder);
        Directory.CreateDirectory(folder);
        var file = System.IO.Path.Combine(folder, tag + ".json");
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", version);
            writer.WriteNumber("manifestSize", new FileInfo(manifestPath).Length);
            writer.WriteEndObject();
        }

        var json = buffer.WrittenSpan;
        try
        {
            using var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write);
            stream.Write(json);
        }
        catch (IOException) when (File.Exists(file))
        {
            throw new LanceException($"'{Path}' already has a tag '{tag}' (version {ReadTag(file)}). Delete it first to move it.");
        }

        return Task.CompletedTask;
    }

    /// <summary>Deletes a tag (the version stays).</summary>
    /// <exception cref="LanceVersionNotFoundException">No such tag.</exception>
    public Task DeleteTagAsync(string tag, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ValidateTag(tag);
        var file = System.IO.Path.Combine(Path, RefsFolder, TagsFolder, tag + ".json");
        if (!File.Exists(file))
        {
            throw new LanceVersionNotFoundException(Path, tag, $"'{Path}' has no tag '{tag}'.");
        }

        File.Delete(file);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Deletes versions committed more than <paramref name="olderThan"/> ago (never the newest
    /// version and never a tagged one), then the data, deletion and transaction files and index folders that no remaining version
    /// uses. Files no version ever referenced (left by a writer that failed or was killed) are
    /// removed once they are seven days old, or at once with <paramref name="deleteUnverified"/>
    /// (only safe when no other writer is running).
    /// </summary>
    public async Task<CleanupResult> CleanupOldVersionsAsync(TimeSpan olderThan, bool deleteUnverified = false, CancellationToken cancellationToken = default)
    {
        ThrowIfReadOnly();
        var now = DateTimeOffset.UtcNow;
        var cutoff = now - olderThan;
        var tagged = (await ListTagsAsync(cancellationToken).ConfigureAwait(false)).Values.ToHashSet();
        var all = VersionNames.List(Path);
        var kept = new List<Manifest>();
        var removed = new List<(string Path, Manifest Manifest)>();
        for (var i = 0; i < all.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var manifest = ReadManifest(Path, all[i].Path);
            if (i == 0 || manifest.Timestamp >= cutoff || tagged.Contains(manifest.Version))
            {
                kept.Add(manifest);
            }
            else
            {
                removed.Add((all[i].Path, manifest));
            }
        }

        var keptFiles = kept.SelectMany(FilesOf).ToHashSet(StringComparer.Ordinal);
        var removedFiles = removed.SelectMany(r => FilesOf(r.Manifest)).ToHashSet(StringComparer.Ordinal);

        // Manifests go first: if cleanup stops half way, no remaining version misses a file.
        long bytes = 0;
        var files = 0;
        foreach (var (manifestPath, _) in removed)
        {
            bytes += new FileInfo(manifestPath).Length;
            File.Delete(manifestPath);
        }

        var unverifiedCutoff = deleteUnverified ? now : now - TimeSpan.FromDays(7);
        foreach (var folder in new[] { VersionNames.DataFolder, VersionNames.DeletionsFolder, TransactionStore.Folder, VersionNames.VersionsFolder })
        {
            var full = System.IO.Path.Combine(Path, folder);
            if (!Directory.Exists(full))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(full))
            {
                var relative = folder + "/" + System.IO.Path.GetFileName(file);
                var isTempManifest = folder == VersionNames.VersionsFolder && System.IO.Path.GetFileName(file).StartsWith(TempManifestPrefix, StringComparison.Ordinal);
                if (folder == VersionNames.VersionsFolder && !isTempManifest)
                {
                    continue;
                }

                if (keptFiles.Contains(relative))
                {
                    continue;
                }

                var info = new FileInfo(file);
                if (removedFiles.Contains(relative) || info.LastWriteTimeUtc < unverifiedCutoff.UtcDateTime)
                {
                    bytes += info.Length;
                    files++;
                    File.Delete(file);
                }
            }
        }

        // Index folders: the same rule, per folder.
        var indices = System.IO.Path.Combine(Path, IndicesFolder);
        if (Directory.Exists(indices))
        {
            var keptIndices = kept.SelectMany(m => m.Indices).Select(i => i.FolderName).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var removedIndices = removed.SelectMany(r => r.Manifest.Indices).Select(i => i.FolderName).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var folder in Directory.EnumerateDirectories(indices))
            {
                var name = System.IO.Path.GetFileName(folder);
                var info = new DirectoryInfo(folder);
                if (keptIndices.Contains(name) || (!removedIndices.Contains(name) && info.LastWriteTimeUtc >= unverifiedCutoff.UtcDateTime))
                {
                    continue;
                }

                foreach (var file in info.EnumerateFiles("*", SearchOption.AllDirectories))
                {
                    bytes += file.Length;
                    files++;
                }

                info.Delete(recursive: true);
            }
        }

        _deletionCache.Clear();
        return new CleanupResult(removed.Count, files, bytes);
    }

    private static IEnumerable<string> FilesOf(Manifest manifest)
    {
        foreach (var fragment in manifest.Fragments)
        {
            foreach (var file in fragment.Files)
            {
                yield return VersionNames.DataFolder + "/" + file.Path;
            }

            if (fragment.DeletionFile is { } deletion)
            {
                yield return VersionNames.DeletionsFolder + "/" + deletion.FileName(fragment.Id);
            }
        }

        if (manifest.TransactionFile.Length > 0)
        {
            yield return TransactionStore.Folder + "/" + manifest.TransactionFile;
        }
    }

    private static long RowsOf(Manifest manifest)
        => manifest.Fragments.Sum(f => (long)f.PhysicalRows - (long)(f.DeletionFile?.NumDeletedRows ?? 0));

    private Manifest ReadVersion(ulong version) => ReadManifest(Path, ManifestPath(version));

    private string ManifestPath(ulong version)
    {
        var all = VersionNames.List(Path);
        foreach (var (v, manifestPath) in all)
        {
            if (v == version)
            {
                return manifestPath;
            }
        }

        throw new LanceVersionNotFoundException(Path, version.ToString(CultureInfo.InvariantCulture),
            $"'{Path}' has no version {version}. Versions on disk: {(all.Count == 0 ? "(none)" : $"{all[^1].Version}..{all[0].Version} ({all.Count})")}.");
    }

    private static ulong ReadTag(string file)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            return doc.RootElement.GetProperty("version").GetUInt64();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new LanceFormatException($"The tag file '{file}' is not valid: {e.Message}", e);
        }
    }

    private static void ValidateTag(string tag)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        if (!TagPattern().IsMatch(tag))
        {
            throw new ArgumentException($"The tag '{tag}' is not valid: use letters, digits, '.', '_' and '-', not starting with '.'.", nameof(tag));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]*$")]
    private static partial Regex TagPattern();
}

/// <summary>One committed version of a dataset.</summary>
/// <param name="Version">The version number.</param>
/// <param name="Timestamp">When it was committed.</param>
/// <param name="RowCount">Its number of live rows.</param>
public sealed record DatasetVersion(ulong Version, DateTimeOffset Timestamp, long RowCount);

/// <summary>What <see cref="LanceDataset.CleanupOldVersionsAsync"/> removed.</summary>
/// <param name="VersionsRemoved">Manifests deleted.</param>
/// <param name="FilesRemoved">Data, deletion, transaction and leftover temporary files deleted.</param>
/// <param name="BytesRemoved">Bytes freed.</param>
public sealed record CleanupResult(int VersionsRemoved, int FilesRemoved, long BytesRemoved);
