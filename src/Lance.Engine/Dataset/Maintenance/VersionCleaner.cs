using Lance.Engine.Format;
using Lance.Engine.Index;

namespace Lance.Engine.Dataset;

/// <summary>
/// Cleanup of old versions: deletes versions committed before a cutoff (never the newest, never a
/// tagged one), then the data, deletion and transaction files and index folders no remaining version
/// uses. Files no version ever referenced (left by a writer that failed or was killed) go once they
/// are seven days old, or at once when told no other writer runs.
/// </summary>
/// <remarks>
/// Manifests are read and deleted through the <see cref="CommitLog"/>; the other files are found in
/// the dataset folder (including temporaries the object store's listing hides), as data files are
/// not yet written through the store.
/// </remarks>
internal static class VersionCleaner
{
    /// <summary>Removes what the cutoff and the tagged versions allow; see <see cref="LanceDataset.CleanupOldVersionsAsync"/>; tagged versions stay.</summary>
    public static async Task<CleanupResult> CleanupAsync(
        CommitLog log, TagStore tags, TimeSpan olderThan, bool deleteUnverified, CancellationToken cancellationToken)
    {
        var tagged = (await tags.ListAsync(cancellationToken).ConfigureAwait(false)).Values.ToHashSet();
        var path = log.Location;
        var now = DateTimeOffset.UtcNow;
        var cutoff = now - olderThan;
        var all = await log.ListVersionsAsync(cancellationToken).ConfigureAwait(false);
        var kept = new List<Manifest>();
        var removed = new List<(string Key, Manifest Manifest)>();
        for (var i = 0; i < all.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var manifest = await log.ReadManifestAsync(all[i].Key, cancellationToken).ConfigureAwait(false);
            if (i == 0 || manifest.Timestamp >= cutoff || tagged.Contains(manifest.Version))
            {
                kept.Add(manifest);
            }
            else
            {
                removed.Add((all[i].Key, manifest));
            }
        }

        var keptFiles = kept.SelectMany(FilesOf).ToHashSet(StringComparer.Ordinal);
        var removedFiles = removed.SelectMany(r => FilesOf(r.Manifest)).ToHashSet(StringComparer.Ordinal);

        // Manifests go first: if cleanup stops half way, no remaining version misses a file.
        long bytes = 0;
        var files = 0;
        foreach (var (key, _) in removed)
        {
            bytes += await log.DeleteManifestAsync(key, cancellationToken).ConfigureAwait(false);
        }

        var unverifiedCutoff = deleteUnverified ? now : now - TimeSpan.FromDays(7);
        foreach (var folder in new[] { VersionNames.DataFolder, VersionNames.DeletionsFolder, TransactionStore.Folder, VersionNames.VersionsFolder })
        {
            var full = Path.Combine(path, folder);
            if (!Directory.Exists(full))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(full))
            {
                var relative = folder + "/" + Path.GetFileName(file);
                var isTemporary = folder == VersionNames.VersionsFolder && Path.GetFileName(file).StartsWith(".tmp-", StringComparison.Ordinal);
                if ((folder == VersionNames.VersionsFolder && !isTemporary) || keptFiles.Contains(relative))
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
        var indices = Path.Combine(path, IndexCatalog.IndicesFolder);
        if (Directory.Exists(indices))
        {
            var keptIndices = kept.SelectMany(m => m.Indices).Select(i => i.FolderName).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var removedIndices = removed.SelectMany(r => r.Manifest.Indices).Select(i => i.FolderName).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var folder in Directory.EnumerateDirectories(indices))
            {
                var name = Path.GetFileName(folder);
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
}
