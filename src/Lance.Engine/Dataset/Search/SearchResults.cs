using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Arrow;
using Lance.Engine.Query.Filtering;
using Lance.Engine.Storage;

namespace Lance.Engine.Dataset;

/// <summary>
/// Turns ranked row addresses (distance, fragment id &lt;&lt; 32 | offset) into the rows a search
/// returns: the projected columns taken from each fragment's winners only, in rank order, then
/// <c>_distance</c> and, on request, <c>_rowid</c>.
/// </summary>
internal static class SearchResults
{
    /// <summary>The ranked rows that pass <paramref name="filter"/> (a postfilter), in rank order.</summary>
    public static (float Distance, long Row)[] PostFilter(Snapshot snapshot, RowFilter filter, (float Distance, long Row)[] ranked)
    {
        var passes = filter.Evaluate(Materialize(snapshot, snapshot.Project(filter.Columns), ranked, withRowId: false));
        return ranked.Where((_, i) => passes[i]).ToArray();
    }

    /// <summary>The rows of <paramref name="ranked"/> with the <paramref name="projection"/> columns, <c>_distance</c> and maybe <c>_rowid</c>.</summary>
    /// <remarks>The column <paramref name="scored"/> names is taken from the rows it kept while scoring, not read again.</remarks>
    public static RecordBatch Materialize(Snapshot snapshot, List<Field> projection, (float Distance, long Row)[] ranked, bool withRowId, ScoredColumn? scored = null)
    {
        // Take each fragment's winners, then put all of them in rank order.
        var groups = ranked.Select((hit, rank) => (hit, rank)).GroupBy(x => (ulong)(x.hit.Row >> 32))
            .Select(group => (Fragment: group.Key, Rows: group.Select(x => (int)(x.hit.Row & 0xFFFFFFFF)).ToArray(), Ranks: group.Select(x => x.rank).ToArray()))
            .ToList();
        var taken = new IArrowArray[groups.Count, projection.Count];

        // Vector columns are taken from their mapped pieces: the winners' rows only, no copy of the column.
        void Take(int item)
        {
            var (g, c) = (item / projection.Count, item % projection.Count);
            var (fragmentId, rows, _) = groups[g];
            var field = projection[c];
            if (scored is not null && field.Name == scored.Column && scored.TryTake(fragmentId, rows) is { } kept)
            {
                taken[g, c] = kept;
                return;
            }

            using var lease = snapshot.LeaseColumnPieces(snapshot.Fragment(fragmentId), field);
            taken[g, c] = ArrowTake.Take(lease.Arrays, rows);
        }

        // On a remote store each column the cache does not hold is read with requests: all of those reads are in
        // flight together; the rest are taken here.
        var items = Enumerable.Range(0, groups.Count * projection.Count).ToList();
        var reads = snapshot.Files.Store.IsRemote
            ? items.Where(i => scored?.Column != projection[i % projection.Count].Name && !snapshot.HoldsColumn(snapshot.Fragment(groups[i / projection.Count].Fragment), projection[i % projection.Count])).ToList()
            : [];
        ConcurrentReads.ForEach(reads, Take);
        foreach (var item in items.Except(reads))
        {
            Take(item);
        }

        var pieces = new List<RecordBatch>();
        var order = new int[ranked.Length];
        var position = 0;
        for (var g = 0; g < groups.Count; g++)
        {
            pieces.Add(new RecordBatch(new Schema(projection, null), Enumerable.Range(0, projection.Count).Select(c => taken[g, c]).ToList(), groups[g].Rows.Length));
            foreach (var rank in groups[g].Ranks)
            {
                order[rank] = position++;
            }
        }

        var fields = projection.ToList();
        var columns = new List<IArrowArray>();
        for (var c = 0; c < projection.Count; c++)
        {
            var parts = pieces.Select(p => p.Column(c)).ToList();
            var joined = parts.Count switch
            {
                0 => ArrowEmpty.Create(projection[c].DataType),
                1 => parts[0],
                _ => ArrowConcat.Concatenate(parts),
            };
            columns.Add(ArrowTake.Take(joined, order));
        }

        fields.Add(new Field(LanceDataset.DistanceColumn, FloatType.Default, nullable: true));
        columns.Add(new FloatArray.Builder().AppendRange(ranked.Select(r => r.Distance)).Build());
        if (withRowId)
        {
            // Searches rank row addresses; with stable row ids LanceDB reports each row's id instead.
            var byId = snapshot.Manifest.UsesStableRowIds ? snapshot.Fragments.ToDictionary(f => f.Id) : null;
            ulong RowId(long address) => byId is null
                ? (ulong)address
                : snapshot.RowIds.Of(byId[(ulong)address >> 32])[(int)(address & 0xFFFFFFFF)];
            fields.Add(new Field(LanceDataset.RowIdColumn, UInt64Type.Default, nullable: true));
            columns.Add(new UInt64Array.Builder().AppendRange(ranked.Select(r => RowId(r.Row))).Build());
        }

        return new RecordBatch(new Schema(fields, null), columns, ranked.Length);
    }
}
