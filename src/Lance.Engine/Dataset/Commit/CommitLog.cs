using System.Globalization;
using Lance.Engine.Format;
using Lance.Engine.Storage;
using PbTable = Lance.Engine.Format.Protos.Table;

namespace Lance.Engine.Dataset;

/// <summary>
/// A dataset's history in its object store: the manifests under <c>_versions/</c> (one per version,
/// named as <see cref="VersionNames"/> says) and the transactions under <c>_transactions/</c>. It reads
/// and lists versions, and commits: a <see cref="Transaction"/> is built on the newest version and
/// published with the store's conditional create, so of two racing writers exactly one wins each
/// version; the loser checks what the winner did (from its recorded transaction), rebases when
/// compatible and tries again after a randomized pause (<see cref="Transaction.Backoff"/>).
/// </summary>
/// <remarks>
/// Manifests, transaction files and the data and deletion files a failed commit leaves all go
/// through the <see cref="IObjectStore"/>.
/// </remarks>
internal sealed class CommitLog
{
    private readonly IObjectStore _store;
    private readonly TransactionStore _transactions;
    private readonly ICommitObserver? _observer;

    /// <summary>A log over <paramref name="store"/> for the dataset at <paramref name="location"/> (its folder, named in messages).</summary>
    public CommitLog(IObjectStore store, string location, ICommitObserver? observer)
    {
        _store = store;
        Location = location;
        _observer = observer;
        _transactions = new TransactionStore(store, location);
    }

    /// <summary>The log of the existing dataset folder <paramref name="path"/>, over <paramref name="store"/> or a <see cref="LocalObjectStore"/> there.</summary>
    /// <exception cref="LanceTableNotFoundException">No folder at the path.</exception>
    public static CommitLog OpenFolder(string path, IObjectStore? store, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        cancellationToken.ThrowIfCancellationRequested();
        // A dataset in another store is looked for by its manifests, not by a local folder.
        return store is not null || Directory.Exists(path)
            ? new CommitLog(store ?? new LocalObjectStore(path), path, null)
            : throw new LanceTableNotFoundException(Path.GetFileNameWithoutExtension(path), path);
    }

    /// <summary>Every version, oldest first, with its time and live rows.</summary>
    /// <exception cref="LanceFormatException">A manifest cannot be read.</exception>
    public async Task<IReadOnlyList<DatasetVersion>> DescribeVersionsAsync(CancellationToken cancellationToken)
    {
        var versions = new List<DatasetVersion>();
        foreach (var (_, key, length) in Enumerable.Reverse(await ListVersionsAsync(cancellationToken).ConfigureAwait(false)))
        {
            var manifest = await ReadManifestAsync(key, length, cancellationToken).ConfigureAwait(false);
            versions.Add(new DatasetVersion(manifest.Version, manifest.Timestamp, Snapshot.RowsOf(manifest)));
        }

        return versions;
    }

    /// <summary>The dataset's folder or URI, for messages.</summary>
    public string Location { get; }

    /// <summary>Told about each commit attempt; null for none.</summary>
    public ICommitObserver? Observer => _observer;

    /// <summary>The store the manifests live in.</summary>
    public IObjectStore Store => _store;

    /// <summary>
    /// Every committed version with its manifest's key and size, newest first. The size comes with the
    /// listing, so reading a manifest listed here needs no request to ask for it.
    /// </summary>
    public async Task<List<(ulong Version, string Key, long Length)>> ListVersionsAsync(CancellationToken cancellationToken)
    {
        var result = new List<(ulong, string, long)>();
        await foreach (var entry in _store.ListAsync(VersionNames.VersionsFolder + "/", cancellationToken).ConfigureAwait(false))
        {
            if (VersionNames.ParseVersion(entry.Key[(entry.Key.LastIndexOf('/') + 1)..]) is { } version)
            {
                result.Add((version, entry.Key, entry.Length));
            }
        }

        result.Sort(static (a, b) => b.Item1.CompareTo(a.Item1));
        return result;
    }

    /// <summary>The newest version's manifest; null when the dataset has none.</summary>
    public async Task<Manifest?> TryReadLatestAsync(CancellationToken cancellationToken)
    {
        var versions = await ListVersionsAsync(cancellationToken).ConfigureAwait(false);
        return versions.Count == 0 ? null : await ReadManifestAsync(versions[0].Key, versions[0].Length, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The manifest of <paramref name="version"/>.</summary>
    /// <exception cref="LanceVersionNotFoundException">The dataset has no such version.</exception>
    public async Task<Manifest> ReadVersionAsync(ulong version, CancellationToken cancellationToken)
    {
        var all = await ListVersionsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (v, key, length) in all)
        {
            if (v == version)
            {
                return await ReadManifestAsync(key, length, cancellationToken).ConfigureAwait(false);
            }
        }

        throw new LanceVersionNotFoundException(Location, version.ToString(CultureInfo.InvariantCulture),
            $"'{Location}' has no version {version}. Versions on disk: {(all.Count == 0 ? "(none)" : $"{all[^1].Version}..{all[0].Version} ({all.Count})")}.");
    }

    /// <summary>Reads and decodes the manifest at <paramref name="key"/>, of <paramref name="length"/> bytes (as listed; 0 when not known).</summary>
    /// <exception cref="LanceFormatException">It is missing or not a valid Lance manifest.</exception>
    public async Task<Manifest> ReadManifestAsync(string key, long length, CancellationToken cancellationToken)
    {
        var described = Describe(key);
        try
        {
            return ManifestCodec.Decode(await ReadAllAsync(_store, key, length, cancellationToken).ConfigureAwait(false), described);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or Google.Protobuf.InvalidProtocolBufferException or ArgumentException)
        {
            throw new LanceFormatException($"The manifest '{described}' of '{Location}' is not a valid Lance manifest: {ex.Message}", ex);
        }
    }

    /// <summary>The size of <paramref name="version"/>'s manifest in bytes.</summary>
    /// <exception cref="LanceVersionNotFoundException">The dataset has no such version.</exception>
    public async Task<long> ManifestLengthAsync(ulong version, CancellationToken cancellationToken)
    {
        foreach (var (v, key, length) in await ListVersionsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (v == version)
            {
                return length > 0 ? length : (await _store.HeadAsync(key, cancellationToken).ConfigureAwait(false))?.Length ?? 0;
            }
        }

        _ = await ReadVersionAsync(version, cancellationToken).ConfigureAwait(false); // throws the usual message
        return 0;
    }

    /// <summary>Deletes a manifest (cleanup); returns its size.</summary>
    public async Task<long> DeleteManifestAsync(string key, CancellationToken cancellationToken)
    {
        var length = (await _store.HeadAsync(key, cancellationToken).ConfigureAwait(false))?.Length ?? 0;
        await _store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        return length;
    }

    /// <summary>
    /// Commits <paramref name="transaction"/>, read from <paramref name="start"/>, as the next version
    /// and returns its manifest. If another writer committed first, the transaction is checked against
    /// what changed in between and rebuilt on the newest version when compatible; otherwise
    /// <see cref="LanceCommitConflictException"/> is thrown, nothing is committed and the files the
    /// transaction wrote are removed.
    /// </summary>
    public async Task<Manifest> CommitAsync(Transaction transaction, Manifest start, CancellationToken cancellationToken)
    {
        var knownFiles = start.Fragments.SelectMany(f => f.Files).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        if (transaction.NewFileVersion is null
            && (transaction.NewFragments.Count > 0 || transaction.Replaced.Values.Any(f => f is not null && f.Files.Any(x => !knownFiles.Contains(x.Path)))))
        {
            DataFormatVersions.EnsureWritable(start, Location);
        }

        var basis = start;
        try
        {
            // A dataset dropped (by another process) since it was opened is not brought back by this commit.
            if (await _store.HeadAsync(VersionNames.VersionsFolder + "/" + VersionNames.ManifestFileName(start.Version), cancellationToken).ConfigureAwait(false) is null
                && await DatasetFiles.IsDroppedAsync(_store, cancellationToken).ConfigureAwait(false))
            {
                throw DatasetFiles.Dropped(Location, null);
            }

            for (var attempt = 0; ; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var manifest = transaction.Build(basis);
                _observer?.BeforeAttempt(manifest.Version);
                if (await TryPublishAsync(manifest, TransactionRecord.Describe(transaction, start.Version, basis, manifest)).ConfigureAwait(false))
                {
                    return manifest;
                }

                // Another writer committed first. Pause first (so racing writers fall out of step),
                // then read the newest version: a version read before the pause would be stale by the
                // next attempt whenever the other writer commits during it, and the attempt would lose
                // again. Check what the others did, from the transactions they recorded, before
                // rebuilding on the newest version.
                await Task.Delay(Transaction.Backoff(attempt), cancellationToken).ConfigureAwait(false);
                var latest = await TryReadLatestAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new LanceFormatException($"The manifests of '{Location}' disappeared during a commit.");
                transaction.CheckCompatible(start, latest, await ConcurrentTransactionsAsync(basis.Version, latest.Version, cancellationToken).ConfigureAwait(false), Location);
                if (attempt >= Transaction.CommitAttempts)
                {
                    throw new LanceCommitConflictException(
                        $"Could not commit the {transaction.Operation} to '{Location}' after {Transaction.CommitAttempts} attempts: other writers keep committing.");
                }

                basis = latest;
            }
        }
        catch (Exception e) when (e is LanceCommitConflictException or OperationCanceledException or LanceTableNotFoundException)
        {
            await transaction.DiscardWrittenFilesAsync(new DatasetFiles(_store, Location), start).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Publishes <paramref name="manifest"/> under its version's name only if no manifest has that
    /// name: false means another writer committed that version first. As Lance does, the transaction
    /// is written first to <c>_transactions/</c> (named by the manifest's <c>transaction_file</c>) and
    /// again inline in the manifest, so other writers can rebase over this version. Once started, an
    /// attempt is not cancelled half way.
    /// </summary>
    public async Task<bool> TryPublishAsync(Manifest manifest, PbTable.Transaction transaction)
    {
        using var activity = CommitTelemetry.Start(Location, transaction.OperationCase.ToString(), manifest.Version);
        try
        {
            var published = await TryPublishCoreAsync(manifest, transaction).ConfigureAwait(false);
            activity?.SetTag("lance.commit.published", published);
            return published;
        }
        catch (Exception e)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.Message);
            throw;
        }
    }

    private async Task<bool> TryPublishCoreAsync(Manifest manifest, PbTable.Transaction transaction)
    {
        var cancellationToken = CancellationToken.None;
        manifest.Timestamp = DateTimeOffset.UtcNow;
        var key = VersionNames.VersionsFolder + "/" + await ManifestFileNameAsync(manifest.Version, cancellationToken).ConfigureAwait(false);
        if (await _store.HeadAsync(key, cancellationToken).ConfigureAwait(false) is not null)
        {
            return false;
        }

        manifest.TransactionFile = TransactionStore.FileName(transaction);
        var bytes = ManifestCodec.Encode(manifest, transaction);
        var transactionFile = await _transactions.WriteAsync(transaction, cancellationToken).ConfigureAwait(false);
        _observer?.BeforePublish(manifest.Version);
        if (await _store.PutIfAbsentAsync(key, bytes, cancellationToken).ConfigureAwait(false))
        {
            manifest.InlineTransaction = transaction;
            return true;
        }

        await _transactions.TryDeleteAsync(transactionFile).ConfigureAwait(false);
        return false;
    }

    /// <summary>The whole object at <paramref name="key"/>.</summary>
    public static Task<byte[]> ReadAllAsync(IObjectStore store, string key, CancellationToken cancellationToken)
        => ReadAllAsync(store, key, 0, cancellationToken);

    /// <summary>
    /// The whole object at <paramref name="key"/>, whose size a listing gave as <paramref name="length"/>
    /// (0 when not known): a remote store then reads it with one ranged GET and no request for its size.
    /// </summary>
    public static async Task<byte[]> ReadAllAsync(IObjectStore store, string key, long length, CancellationToken cancellationToken)
    {
        using var reader = length > 0
            ? await store.OpenReadWithLengthAsync(key, length, cancellationToken).ConfigureAwait(false)
            : await store.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
        var bytes = new byte[reader.Length];
        await reader.ReadAsync(0, bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    /// <summary>
    /// The name version <paramref name="version"/>'s manifest must get: the naming of the version
    /// before it (a dataset never mixes both), so a dataset LanceDB made with V1 names keeps them; V2
    /// for a new dataset.
    /// </summary>
    private async Task<string> ManifestFileNameAsync(ulong version, CancellationToken cancellationToken)
        => version > 1 && await _store.HeadAsync(VersionNames.VersionsFolder + "/" + VersionNames.V1ManifestFileName(version - 1), cancellationToken).ConfigureAwait(false) is not null
            ? VersionNames.V1ManifestFileName(version)
            : VersionNames.ManifestFileName(version);

    /// <summary>
    /// The versions committed after <paramref name="after"/> up to <paramref name="upTo"/>, oldest
    /// first, each with the transaction its writer recorded (null where none was).
    /// </summary>
    private async Task<List<(ulong Version, PbTable.Transaction? Record)>> ConcurrentTransactionsAsync(ulong after, ulong upTo, CancellationToken cancellationToken)
    {
        var result = new List<(ulong, PbTable.Transaction?)>();
        foreach (var (version, key, length) in await ListVersionsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (version > after && version <= upTo)
            {
                var manifest = await ReadManifestAsync(key, length, cancellationToken).ConfigureAwait(false);
                result.Add((version, await _transactions.ReadAsync(manifest, cancellationToken).ConfigureAwait(false)));
            }
        }

        result.Reverse();
        return result;
    }

    // Messages name a local manifest by its path, as before the store existed.
    private string Describe(string key) => _store is LocalObjectStore local ? local.PathOf(key) : $"{_store.Location.TrimEnd('/')}/{key}";
}
