using Lance.Engine.Format;

namespace Lance.Engine.Dataset;

/// <summary>
/// Deletes rows through deletion files (data files are not rewritten; a fragment whose rows are all
/// deleted is dropped): plans the transaction that marks the matching rows of a <see cref="Snapshot"/>
/// deleted, and writes the deletion files it names.
/// </summary>
internal static class RowDeleter
{
    /// <summary>
    /// The transaction deleting the rows matching <paramref name="predicate"/> (its SQL text
    /// <paramref name="description"/> is recorded), and how many rows; no transaction when none match.
    /// </summary>
    public static (Transaction? Transaction, long Deleted) Plan(Snapshot snapshot, IRowPredicate predicate, string description, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var fields = snapshot.Project(predicate.Columns);
        var transaction = new Transaction(TransactionKind.Delete, "delete") { Predicate = description };
        long deleted = 0;
        foreach (var fragment in snapshot.Fragments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var mask = predicate.Evaluate(snapshot.ReadFragment(fragment, fields, cancellationToken));
            var existing = snapshot.DeletedRows(fragment);
            var rows = new List<int>();
            for (var row = 0; row < mask.Length; row++)
            {
                if (mask[row] && !existing.Contains(row))
                {
                    rows.Add(row);
                }
            }

            if (rows.Count > 0)
            {
                deleted += rows.Count;
                transaction.Replaced[fragment.Id] = WithDeletedRows(snapshot, fragment, existing, rows);
            }
        }

        return (deleted > 0 ? transaction : null, deleted);
    }

    /// <summary>
    /// The fragment with <paramref name="rows"/> deleted besides <paramref name="existing"/>, its new
    /// deletion file written; null when no row is left.
    /// </summary>
    public static DataFragment? WithDeletedRows(Snapshot snapshot, DataFragment fragment, HashSet<int> existing, IReadOnlyCollection<int> rows)
    {
        var all = new HashSet<int>(existing);
        all.UnionWith(rows);
        if ((ulong)all.Count >= fragment.PhysicalRows)
        {
            return null;
        }

        var deletion = new DeletionFileInfo
        {
            FileType = DeletionFileType.ArrowArray,
            ReadVersion = snapshot.Manifest.Version,
            Id = (ulong)Random.Shared.NextInt64(1, long.MaxValue),
            NumDeletedRows = (ulong)all.Count,
        };
        DeletionFileWriter.WriteAsync(snapshot.Files.Store, Snapshot.DeletionPath(fragment, deletion), all).GetAwaiter().GetResult();
        snapshot.RememberDeletedRows(fragment, deletion, all);
        var changed = fragment.Copy();
        changed.DeletionFile = deletion;
        return changed;
    }
}
