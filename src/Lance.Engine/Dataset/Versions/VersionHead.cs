using Lance.Engine.Format;

namespace Lance.Engine.Dataset;

/// <summary>
/// The version one <see cref="LanceDataset"/> instance follows: its current <see cref="Snapshot"/>,
/// whether it is a read-only view of an older version, and the two ways it moves: committing a
/// planned <see cref="Transaction"/> through the <see cref="CommitLog"/> (a planner that reads the rows
/// it changes runs again on the newest version after a retryable conflict), or refreshing to what
/// other writers committed. Once disposed, every use throws <see cref="ObjectDisposedException"/>.
/// </summary>
internal sealed class VersionHead(CommitLog log, Snapshot snapshot, bool readOnly)
{
    private Snapshot _snapshot = snapshot;
    private int _disposed;

    /// <summary>The snapshot of the version followed.</summary>
    public Snapshot Current => _disposed == 0 ? _snapshot : throw Disposed();

    /// <summary>The dataset's history.</summary>
    public CommitLog Log => _disposed == 0 ? log : throw Disposed();

    /// <summary>Whether writes are refused (a view of an older version).</summary>
    public bool IsReadOnly { get; set; } = readOnly;

    /// <summary>Marks the head disposed; false when it already was.</summary>
    public bool TryDispose() => Interlocked.Exchange(ref _disposed, 1) == 0;

    /// <summary>Throws when this is a read-only view (or disposed).</summary>
    public void ThrowIfReadOnly()
    {
        if (IsReadOnly)
        {
            throw new InvalidOperationException(
                $"This is a read-only view of version {Current.Manifest.Version} of '{log.Location}'. Open the dataset to write, or restore this version first.");
        }
    }

    /// <summary>Follows the newest committed version.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (IsReadOnly)
        {
            throw new InvalidOperationException($"This is a read-only view of version {Current.Manifest.Version} of '{log.Location}'; open the dataset again to follow new versions.");
        }

        var latest = await Log.TryReadLatestAsync(cancellationToken).ConfigureAwait(false);
        if (latest is not null && latest.Version != Current.Manifest.Version)
        {
            Follow(latest);
        }
    }

    /// <summary>Follows <paramref name="manifest"/>, a version this instance just committed.</summary>
    public void Follow(Manifest manifest) => _snapshot = _snapshot.Next(manifest);

    /// <summary>Commits <paramref name="transaction"/>, read from <paramref name="start"/>, and follows the version it makes.</summary>
    public async Task CommitAsync(Transaction transaction, Snapshot start, CancellationToken cancellationToken)
    {
        ThrowIfReadOnly();
        Follow(await Log.CommitAsync(transaction, start.Manifest, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Plans a write on the current snapshot and commits it when planned; with <paramref name="retry"/>, runs again on the newest version after a retryable conflict.</summary>
    public Task<T> WriteAsync<T>(Func<Snapshot, CancellationToken, Task<(Transaction? Transaction, T Result)>> plan, bool retry, CancellationToken cancellationToken)
    {
        ThrowIfReadOnly();
        async Task<T> Once(CancellationToken ct)
        {
            var start = Current;
            var (transaction, result) = await plan(start, ct).ConfigureAwait(false);
            if (transaction is not null)
            {
                await CommitAsync(transaction, start, ct).ConfigureAwait(false);
            }

            return result;
        }

        return retry ? ConflictRetry.RunAsync(Once, RefreshAsync, cancellationToken) : Once(cancellationToken);
    }

    private ObjectDisposedException Disposed() => new(nameof(LanceDataset), $"The dataset '{log.Location}' was disposed; open it again to use it.");
}
