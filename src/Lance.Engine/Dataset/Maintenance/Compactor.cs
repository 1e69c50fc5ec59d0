using System.Runtime.CompilerServices;
using Apache.Arrow;
using Lance.Engine.Arrow;
using Lance.Engine.Format;
using Lance.Engine.Index;
using Microsoft.Extensions.Logging;

namespace Lance.Engine.Dataset;

/// <summary>
/// Compaction: merges runs of adjacent small fragments into fragments of up to
/// <see cref="CompactionOptions.TargetRowsPerFragment"/> rows, and rewrites fragments with many
/// deleted rows without them, as one rewrite transaction. With stable row ids the moved rows keep
/// their ids and versions, as in Lance's compaction. The indexes over the rewritten fragments are
/// remapped to the rows' new addresses in the same transaction (see <see cref="IndexRemapper"/>).
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
    public static async Task<(Transaction? Transaction, CompactionResult Result)> PlanAsync(
        Snapshot snapshot, IndexCache indexes, ILogger? logger, CompactionOptions options, CancellationToken cancellationToken)
    {
        var manifest = snapshot.Manifest;

        // As Lance plans it: a run never mixes fragments that different sets of indexes cover, so every index covers
        // a rewritten group whole or not at all and its fragment bitmap stays exact after the rewrite.
        string Coverage(DataFragment f) => string.Join(',', manifest.Indices.Where(i => i.Fragments.Contains(f.Id)).Select(i => i.Uuid).Order());
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
                if (current.Count > 0 && Coverage(current[0]) != Coverage(fragment))
                {
                    runs.Add(current);
                    current = [];
                }

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
        var addresses = new RowAddressMap(Transaction.NextFragmentId(manifest));
        foreach (var run in runs)
        {
            var written = await FragmentWriter.WriteFragmentsAsync(
                snapshot.Files, manifest.Schema, FragmentWriter.FileVersionFor(manifest, snapshot.Location), manifest.LegacyDictionaries,
                LiveRows(snapshot, run, cancellationToken), b => b, writeOptions, cancellationToken).ConfigureAwait(false);
            newFragments.AddRange(written);
            groups.Add((run.Select(f => f.Id).ToList(), written.Count));
            addresses.AddGroup(run, snapshot.DeletedRows, written.Select(w => w.Rows).ToList());
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

        // The indexes over the rewritten fragments, remapped to the rows' new addresses (written before the commit, so
        // the new fragments' ids are fixed now: a commit that finds other fragments added meanwhile plans again).
        var transaction = new Transaction(TransactionKind.Rewrite, "compaction")
        {
            NewFragments = newFragments, Replaced = replaced, RewriteGroups = groups, Lineage = lineage?.Build(),
        };
        try
        {
            // A full-text index is rebuilt over the compacted version's fragments (the new files are written already).
            var remapped = await IndexRemapper.RemapAsync(snapshot, () => snapshot.Next(transaction.Build(manifest)), indexes, addresses, logger, cancellationToken).ConfigureAwait(false);
            transaction.RewrittenIndices.AddRange(remapped);
            transaction.FirstNewFragmentId = remapped.Count > 0 ? addresses.FirstNewFragmentId : null;
        }
        catch
        {
            await transaction.DiscardWrittenFilesAsync(snapshot.Files, manifest).ConfigureAwait(false);
            throw;
        }

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
