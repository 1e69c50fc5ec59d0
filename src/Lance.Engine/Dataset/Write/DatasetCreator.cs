using Apache.Arrow;
using Lance.Engine.Format;

namespace Lance.Engine.Dataset;

/// <summary>
/// Makes a dataset (or overwrites one): writes the rows, then commits an overwrite transaction as the
/// first version, or as the next one when <see cref="WriteMode.Overwrite"/> finds a dataset there.
/// </summary>
internal static class DatasetCreator
{
    /// <summary>Creates the dataset at <paramref name="path"/> whose history <paramref name="log"/> keeps; returns its first manifest.</summary>
    public static async Task<Manifest> CreateAsync(
        string path, CommitLog log, Schema schema, IAsyncEnumerable<RecordBatch> batches, WriteMode mode, DatasetWriteOptions? options, CancellationToken cancellationToken)
    {
        var lanceSchema = LanceSchema.FromArrow(schema);
        var arrowSchema = lanceSchema.ToArrow();
        var exists = (await log.ListVersionsAsync(cancellationToken).ConfigureAwait(false)).Count > 0;
        if (exists && mode == WriteMode.Create)
        {
            throw new LanceException($"A Lance dataset already exists at '{path}'. Open it, or create it with overwrite mode.");
        }

        if (!exists && await HoldsAnythingAsync(log.Store, cancellationToken).ConfigureAwait(false))
        {
            throw new LanceFormatException(
                $"The folder '{path}' is not empty and is not a Lance dataset (no manifest under '{VersionNames.VersionsFolder}'); refusing to write into it.");
        }

        // A new dataset is 2.1 unless asked otherwise; an overwritten one keeps its version when it can.
        var version = FragmentWriter.RequestedFileVersion(options)
            ?? (exists && await log.TryReadLatestAsync(cancellationToken).ConfigureAwait(false) is { } existing ? LanceFileVersion.ForDataset(existing.DataFormatVersion) : null)
            ?? LanceFileVersion.V2_1;
        var written = await FragmentWriter.WriteFragmentsAsync(
            new DatasetFiles(log.Store, path), lanceSchema, version, null, batches, b => Arrow.SchemaAlignment.Align(b, arrowSchema, path), options ?? DatasetWriteOptions.Default, cancellationToken).ConfigureAwait(false);
        var transaction = new Transaction(TransactionKind.Overwrite, "overwrite")
        {
            NewSchema = lanceSchema, NewFragments = written, NewFileVersion = version, EnableStableRowIds = options?.EnableStableRowIds ?? false,
        };
        for (var attempt = 0; ; attempt++)
        {
            var latest = exists || attempt > 0 ? await log.TryReadLatestAsync(cancellationToken).ConfigureAwait(false) : null;
            var basis = latest ?? new Manifest { Version = 0, Schema = lanceSchema };
            var manifest = transaction.Build(basis);
            log.Observer?.BeforeAttempt(manifest.Version);
            if (await log.TryPublishAsync(manifest, TransactionRecord.Describe(transaction, basis.Version, basis, manifest)).ConfigureAwait(false))
            {
                return manifest;
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

    // Whether the store already holds an object (or, on local disk, the folder any entry).
    private static async Task<bool> HoldsAnythingAsync(Storage.IObjectStore store, CancellationToken cancellationToken)
    {
        if (store is Storage.LocalObjectStore local)
        {
            // Empty folders hold nothing (a dataset dropped while another process wrote to it can leave them).
            return Directory.Exists(local.Root) && Directory.EnumerateFiles(local.Root, "*", SearchOption.AllDirectories).Any();
        }

        await foreach (var _ in store.ListAsync("", cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        return false;
    }
}
