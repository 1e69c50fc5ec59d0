using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Arrow;
using Lance.Engine.Query.Filtering;

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
        var pieces = new List<RecordBatch>();
        var order = new int[ranked.Length];
        var position = 0;
        foreach (var group in ranked.Select((hit, rank) => (hit, rank)).GroupBy(x => (ulong)(x.hit.Row >> 32)))
        {
            var fragment = snapshot.Fragment(group.Key);
            var rows = group.Select(x => (int)(x.hit.Row & 0xFFFFFFFF)).ToArray();

            // Vector columns are taken from their mapped pieces: the winners' rows only, no copy of the column.
            var taken = projection.Select(field =>
            {
                if (scored is not null && field.Name == scored.Column && scored.TryTake(group.Key, rows) is { } kept)
                {
                    return kept;
                }

                using var lease = snapshot.LeaseColumnPieces(fragment, field);
                return ArrowTake.Take(lease.Arrays, rows);
            }).ToList();
            pieces.Add(new RecordBatch(new Schema(projection, null), taken, rows.Length));
            foreach (var (_, rank) in group)
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
