using System.Runtime.CompilerServices;
using Apache.Arrow;
using Lance.Engine.Arrow;
using Lance.Engine.Format;

namespace Lance.Engine.Dataset;

/// <summary>
/// Compaction: merges runs of adjacent small fragments into fragments of up to
/// <see cref="CompactionOptions.TargetRowsPerFragment"/> rows, and rewrites fragments with many
/// deleted rows without them, as one rewrite transaction. With stable row ids the moved rows keep
/// their ids and versions, as in Lance's compaction.
/// </summary>
internal static class Compactor
{
    /// <summary>The options to use (the defaults for null).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The target is not positive.</exception>
    public static CompactionOptions Check(CompactionOptions? options)
    {
        options ??= new CompactionOptions();
        if (options.TargetRowsPerFragment <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "TargetRowsPerFragment must be positive.");
        }

        return options;
    }

    /// <summary>The rewrite transaction (its files written) and what it changes; none when there is nothing to do.</summary>
    public static async Task<(Transaction? Transaction, CompactionResult Result)> PlanAsync(Snapshot snapshot, CompactionOptions options, CancellationToken cancellationToken)
    {
        var manifest = snapshot.Manifest;
        bool HasManyDeletions(DataFragment f) => options.MaterializeDeletions && f.DeletionFile is { } d
            && d.NumDeletedRows >= options.MaterializeDeletionsThreshold * f.PhysicalRows;
        bool IsCandidate(DataFragment f) => (long)f.PhysicalRows - (long)(f.DeletionFile?.NumDeletedRows ?? 0) < options.TargetRowsPerFragment || HasManyDeletions(f);

        // Runs of adjacent candidates; a run of one is rewritten only to drop its deleted rows.
        var runs = new List<List<DataFragment>>();
        var current = new List<DataFragment>();
        foreach (var fragment in snapshot.Fragments)
        {
            if (IsCandidate(fragment))
            {
                current.Add(fragment);
                continue;
            }

            runs.Add(current);
            current = [];
        }

        runs.Add(current);
        runs = runs.Where(r => r.Count > 1 || (r.Count == 1 && HasManyDeletions(r[0]))).ToList();
        if (runs.Count == 0)
        {
            return (null, new CompactionResult(0, 0));
        }

        var lineage = manifest.UsesStableRowIds ? new LineageBuilder() : null;
        var newFragments = new List<(DataFile File, ulong Rows)>();
        var replaced = new Dictionary<ulong, DataFragment?>();
        var groups = new List<(IReadOnlyList<ulong> OldIds, int NewCount)>();
        var writeOptions = new DatasetWriteOptions { MaxRowsPerFile = options.TargetRowsPerFragment };
        foreach (var run in runs)
        {
            var written = await FragmentWriter.WriteFragmentsAsync(
                snapshot.Files, manifest.Schema, FragmentWriter.FileVersionFor(manifest, snapshot.Location), manifest.LegacyDictionaries,
                LiveRows(snapshot, run, cancellationToken), b => b, writeOptions, cancellationToken).ConfigureAwait(false);
            newFragments.AddRange(written);
            groups.Add((run.Select(f => f.Id).ToList(), written.Count));
            foreach (var fragment in run)
            {
                replaced[fragment.Id] = null;
                if (lineage is not null)
                {
                    var deleted = snapshot.DeletedRows(fragment);
                    lineage.Add(snapshot.RowIds, fragment, Enumerable.Range(0, (int)fragment.PhysicalRows).Where(r => !deleted.Contains(r)).ToList(), keepLastUpdated: true);
                }
            }
        }

        var transaction = new Transaction(TransactionKind.Rewrite, "compaction")
        {
            NewFragments = newFragments, Replaced = replaced, RewriteGroups = groups, Lineage = lineage?.Build(),
        };
        return (transaction, new CompactionResult(transaction.Replaced.Count, transaction.NewFragments.Count));
    }

    private static async IAsyncEnumerable<RecordBatch> LiveRows(Snapshot snapshot, IEnumerable<DataFragment> fragments, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var fragment in fragments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = snapshot.ReadFragment(fragment);
            var deleted = snapshot.DeletedRows(fragment);
            if (deleted.Count > 0)
            {
                batch = ArrowTake.Take(batch, Enumerable.Range(0, batch.Length).Where(r => !deleted.Contains(r)).ToArray());
            }

            if (batch.Length > 0)
            {
                yield return batch;
            }

            await Task.Yield();
        }
    }
}
