using System.Runtime.InteropServices;
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
        // Take each fragment's winners, then put all of them in rank order. (Plain loops: this runs once
        // per search, and in a fresh process each LINQ operator over these tuples is code to compile.)
        var groupOf = new Dictionary<ulong, int>();
        var fragments = new List<ulong>();
        var groupRows = new List<List<int>>();
        var groupRanks = new List<List<int>>();
        for (var rank = 0; rank < ranked.Length; rank++)
        {
            var fragment = (ulong)(ranked[rank].Row >> 32);
            if (!groupOf.TryGetValue(fragment, out var g))
            {
                g = fragments.Count;
                groupOf.Add(fragment, g);
                fragments.Add(fragment);
                groupRows.Add([]);
                groupRanks.Add([]);
            }

            groupRows[g].Add((int)(ranked[rank].Row & 0xFFFFFFFF));
            groupRanks[g].Add(rank);
        }

        var rowsOf = new int[fragments.Count][];
        for (var g = 0; g < rowsOf.Length; g++)
        {
            rowsOf[g] = groupRows[g].ToArray();
        }

        var taken = new IArrowArray[fragments.Count, projection.Count];

        // Vector columns are taken from their mapped pieces: the winners' rows only, no copy of the column.
        void Take(int item)
        {
            var (g, c) = (item / projection.Count, item % projection.Count);
            var (fragmentId, rows) = (fragments[g], rowsOf[g]);
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
        var reads = new List<int>();
        var here = new List<int>();
        var remote = snapshot.Files.Store.IsRemote;
        for (var item = 0; item < fragments.Count * projection.Count; item++)
        {
            var field = projection[item % projection.Count];
            var read = remote && scored?.Column != field.Name && !snapshot.HoldsColumn(snapshot.Fragment(fragments[item / projection.Count]), field);
            (read ? reads : here).Add(item);
        }

        ConcurrentReads.ForEach(reads, Take);
        foreach (var item in here)
        {
            Take(item);
        }

        var order = new int[ranked.Length];
        var position = 0;
        foreach (var ranks in groupRanks)
        {
            foreach (var rank in ranks)
            {
                order[rank] = position++;
            }
        }

        var fields = new List<Field>(projection);
        var columns = new List<IArrowArray>();
        for (var c = 0; c < projection.Count; c++)
        {
            var parts = new List<IArrowArray>(fragments.Count);
            for (var g = 0; g < fragments.Count; g++)
            {
                parts.Add(taken[g, c]);
            }

            var joined = parts.Count switch
            {
                0 => ArrowEmpty.Create(projection[c].DataType),
                1 => parts[0],
                _ => ArrowConcat.Concatenate(parts),
            };
            columns.Add(ArrowTake.Take(joined, order));
        }

        var distances = new float[ranked.Length];
        for (var i = 0; i < ranked.Length; i++)
        {
            distances[i] = ranked[i].Distance;
        }

        fields.Add(new Field(LanceDataset.DistanceColumn, FloatType.Default, nullable: true));
        columns.Add(new FloatArray(new ArrowBuffer(MemoryMarshal.AsBytes(distances.AsSpan()).ToArray()), ArrowBuffer.Empty, ranked.Length, 0, 0));
        if (withRowId)
        {
            // Searches rank row addresses; with stable row ids LanceDB reports each row's id instead.
            var byId = snapshot.Manifest.UsesStableRowIds ? snapshot.Fragments.ToDictionary(f => f.Id) : null;
            var ids = new ulong[ranked.Length];
            for (var i = 0; i < ranked.Length; i++)
            {
                var address = ranked[i].Row;
                ids[i] = byId is null ? (ulong)address : snapshot.RowIds.Of(byId[(ulong)address >> 32])[(int)(address & 0xFFFFFFFF)];
            }

            fields.Add(new Field(LanceDataset.RowIdColumn, UInt64Type.Default, nullable: true));
            columns.Add(new UInt64Array(new ArrowBuffer(MemoryMarshal.AsBytes(ids.AsSpan()).ToArray()), ArrowBuffer.Empty, ranked.Length, 0, 0));
        }

        return new RecordBatch(new Schema(fields, null), columns, ranked.Length);
    }
}
