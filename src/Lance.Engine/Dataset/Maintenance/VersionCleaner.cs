using Lance.Engine.Format;
using Lance.Engine.Index;
using Lance.Engine.Storage;

namespace Lance.Engine.Dataset;

/// <summary>
/// Cleanup of old versions: deletes versions committed before a cutoff (never the newest, never a
/// tagged one), then the data, deletion and transaction files and index folders no remaining version
/// uses. Files no version ever referenced (left by a writer that failed or was killed) go once they
/// are seven days old, or at once when told no other writer runs.
/// </summary>
/// <remarks>
/// Everything is listed and deleted through the dataset's object store: manifests through the
/// <see cref="CommitLog"/>, the other files by listing their folders; on local disk also the
/// half-written temporaries the store's listing hides.
/// </remarks>
internal static class VersionCleaner
{
    /// <summary>Removes what the cutoff and the tagged versions allow; see <see cref="LanceDataset.CleanupOldVersionsAsync"/>; tagged versions stay.</summary>
    public static async Task<CleanupResult> CleanupAsync(
        CommitLog log, TagStore tags, TimeSpan olderThan, bool deleteUnverified, CancellationToken cancellationToken)
    {
        var tagged = (await tags.ListAsync(cancellationToken).ConfigureAwait(false)).Values.ToHashSet();
        var now = DateTimeOffset.UtcNow;
        var cutoff = now - olderThan;
        var all = await log.ListVersionsAsync(cancellationToken).ConfigureAwait(false);
        var kept = new List<Manifest>();
        var removed = new List<(string Key, Manifest Manifest)>();
        for (var i = 0; i < all.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var manifest = await log.ReadManifestAsync(all[i].Key, all[i].Length, cancellationToken).ConfigureAwait(false);
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
        var store = log.Store;
        foreach (var folder in new[] { VersionNames.DataFolder, VersionNames.DeletionsFolder, TransactionStore.Folder })
        {
            var doomed = new List<ObjectInfo>();
            await foreach (var entry in store.ListAsync(folder + "/", cancellationToken).ConfigureAwait(false))
            {
                if (!keptFiles.Contains(entry.Key) && (removedFiles.Contains(entry.Key) || entry.LastModified < unverifiedCutoff))
                {
                    doomed.Add(entry);
                }
            }

            foreach (var entry in doomed)
            {
                await store.DeleteAsync(entry.Key, cancellationToken).ConfigureAwait(false);
                bytes += entry.Length;
                files++;
            }
        }

        // Half-written files a killed writer left on local disk (the store's listing hides them).
        if (store is LocalObjectStore local)
        {
            var temporaries = new[] { VersionNames.VersionsFolder, VersionNames.DataFolder, VersionNames.DeletionsFolder, TransactionStore.Folder }
                .SelectMany(folder => local.ListTemporaries(folder + "/")).Where(t => t.LastModified < unverifiedCutoff).ToList();
            foreach (var temp in temporaries)
            {
                await store.DeleteAsync(temp.Key, cancellationToken).ConfigureAwait(false);
                bytes += temp.Length;
                files++;
            }
        }

        // Index folders: the same rule, per folder (its newest file's time).
        var keptIndices = kept.SelectMany(m => m.Indices).Select(i => i.FolderName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var removedIndices = removed.SelectMany(r => r.Manifest.Indices).Select(i => i.FolderName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var indexFolders = new Dictionary<string, List<ObjectInfo>>(StringComparer.Ordinal);
        await foreach (var entry in store.ListAsync(IndexCatalog.IndicesFolder + "/", cancellationToken).ConfigureAwait(false))
        {
            var rest = entry.Key[(IndexCatalog.IndicesFolder.Length + 1)..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0)
            {
                var name = rest[..slash];
                (indexFolders.TryGetValue(name, out var list) ? list : indexFolders[name] = []).Add(entry);
            }
        }

        foreach (var (name, entries) in indexFolders)
        {
            if (keptIndices.Contains(name) || (!removedIndices.Contains(name) && entries.Max(e => e.LastModified) >= unverifiedCutoff))
            {
                continue;
            }

            foreach (var entry in entries)
            {
                await store.DeleteAsync(entry.Key, cancellationToken).ConfigureAwait(false);
                bytes += entry.Length;
                files++;
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
