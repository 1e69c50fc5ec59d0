using Lance.Engine.Dataset;
using Lance.Engine.Format;

namespace Lance.Engine.Index;

/// <summary>
/// The one place that records an index change in a new version: every entry of one index name is
/// replaced by a new entry (a build or an optimise) or by nothing (a drop), and the change is
/// published through the <see cref="CommitLog"/> with Lance's <c>CreateIndex</c> transaction. When
/// another writer commits first, the change is made again on top of its version.
/// </summary>
internal static class IndexCommit
{
    /// <summary>Fails when <paramref name="replace"/> is off and the index name is taken (LanceDB's rule).</summary>
    /// <exception cref="LanceIndexExistsException">An index named <paramref name="name"/> exists.</exception>
    public static void CheckName(Snapshot snapshot, string name, string column, bool replace)
    {
        if (!replace && snapshot.Manifest.Indices.Any(i => i.Name == name))
        {
            throw new LanceIndexExistsException(snapshot.Location, column, name);
        }
    }

    /// <summary>Publishes the version after the newest one with the entries named <paramref name="name"/> replaced by <paramref name="added"/> (removed when null).</summary>
    /// <exception cref="LanceCommitConflictException">Other writers kept committing for every attempt.</exception>
    public static async Task<Manifest> PublishAsync(Snapshot snapshot, CommitLog log, string name, IndexMetadata? added, CancellationToken cancellationToken)
    {
        var basis = snapshot.Manifest;
        IReadOnlyList<IndexMetadata> adding = added is null ? [] : [added];
        for (var attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var next = basis.CopyForNextVersion();
            var removed = basis.Indices.Where(i => i.Name == name).ToList();
            next.Indices = basis.Indices.Where(i => i.Name != name).Concat(adding).ToList();
            log.Observer?.BeforeAttempt(next.Version);
            if (await log.TryPublishAsync(next, TransactionRecord.CreateIndex(basis.Version, adding, removed)).ConfigureAwait(false))
            {
                return next;
            }

            // Pause before reading the newest version, so the next attempt builds on a fresh one.
            await Task.Delay(Transaction.Backoff(attempt), cancellationToken).ConfigureAwait(false);
            basis = await log.TryReadLatestAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new LanceFormatException($"The manifests of '{snapshot.Location}' disappeared during a commit.");
            if (attempt >= Transaction.CommitAttempts)
            {
                throw new LanceCommitConflictException($"Could not commit the index '{name}' to '{snapshot.Location}' after {Transaction.CommitAttempts} attempts: other writers keep committing.");
            }
        }
    }
}
