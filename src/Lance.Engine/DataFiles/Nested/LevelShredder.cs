using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Lance.Engine.Format;

namespace Lance.Engine.DataFiles.Nested;

/// <summary>
/// Turns the nested Arrow arrays of one column into the repetition and definition levels of one
/// of its leaves, plus the leaf's visible values (as slices of the leaf arrays, adjacent slices
/// merged). One entry per leaf value, plus one per null or empty list (or null struct above a list),
/// which has levels but no value: the scheme of Lance's <c>repdef.rs</c>.
/// </summary>
internal sealed class LevelShredder
{
    private readonly LeafPath _path;
    private readonly List<ushort> _rep = [];
    private readonly List<ushort> _canonical = [];
    private readonly List<long> _rowEntryStart = [0];
    private readonly List<long> _rowValueStart = [0];
    private readonly List<ArrayData> _runs = [];
    private readonly bool[] _hasNull;
    private readonly bool[] _hasEmpty;
    private readonly int[] _repOfList;
    private readonly ushort _rowRep;
    private ArrayData? _runData;
    private long _runStart;
    private long _runEnd;
    private long _values;

    private LevelShredder(LeafPath path)
    {
        _path = path;
        int layers = path.Fields.Count;
        _hasNull = new bool[layers];
        _hasEmpty = new bool[layers];
        _repOfList = new int[layers];
        int lists = path.IsList.Count(l => l);
        _rowRep = (ushort)lists;
        for (int i = 0, seen = 0; i < layers; i++)
        {
            _repOfList[i] = lists - seen;
            if (path.IsList[i])
            {
                seen++;
            }
        }
    }

    /// <summary>Shreds the column's arrays (one per batch, in order) for the leaf at <paramref name="path"/>.</summary>
    /// <exception cref="LanceSchemaException">A null where the schema allows none.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ShreddedLeaf Shred(LeafPath path, IReadOnlyList<IArrowArray> arrays)
    {
        var shredder = new LevelShredder(path);
        long entries = 0;
        foreach (var array in arrays)
        {
            entries += ExpectedEntries(array.Data);
        }

        if (entries is > 0 and < int.MaxValue)
        {
            shredder._rep.Capacity = (int)entries;
            shredder._canonical.Capacity = (int)entries;
        }

        foreach (var array in arrays)
        {
            var data = array.Data;
            bool lists = shredder.OnlyValidLists(data);
            for (int row = 0; row < data.Length; row++)
            {
                if (lists)
                {
                    shredder.VisitValidList(0, data, row, shredder._rowRep);
                }
                else
                {
                    shredder.Visit(0, data, row, shredder._rowRep, -1);
                }

                shredder._rowEntryStart.Add(shredder._canonical.Count);
                shredder._rowValueStart.Add(shredder._values);
            }
        }

        shredder.CloseRun();
        for (int layer = 0; layer < path.Fields.Count; layer++)
        {
            if (shredder._hasNull[layer] && !path.Fields[layer].Nullable)
            {
                throw new LanceSchemaException($"Column '{path.Name}': '{path.Fields[layer].Name}' is not nullable but holds null value(s).");
            }
        }

        // A null struct (or other non-list layer) makes the lists below it nullable, as Lance's writer
        // does (it masks the lists with the struct's validity): Lance's reader maps definition levels
        // to repetition depths by counting the list layers that have levels, so a struct null above an
        // all-valid list would be taken for an item (LanceDB's scan then panics on a range read).
        for (int layer = 0; layer < path.Fields.Count; layer++)
        {
            if (shredder._hasNull[layer] && !path.IsList[layer])
            {
                for (int below = layer + 1; below < path.Fields.Count; below++)
                {
                    shredder._hasNull[below] |= path.IsList[below];
                }
            }
        }

        var layout = LevelLayout.ForData(path.IsList, shredder._hasNull, shredder._hasEmpty);
        return new ShreddedLeaf(
            layout,
            layout.MaxRep > 0 ? [.. shredder._rep] : null,
            [.. shredder._canonical],
            [.. shredder._rowEntryStart],
            [.. shredder._rowValueStart],
            shredder._runs);
    }

    // About how many level entries the rows of data make: the values below its lists (followed through 32-bit list
    // offsets), plus one per row for empty or null lists; a guess that only sizes the level lists.
    private static long ExpectedEntries(ArrayData data)
    {
        long rows = data.Length;
        long start = data.Offset;
        long end = data.Offset + data.Length;
        while (data.DataType is Apache.Arrow.Types.ListType && data.Children is [var child] && data.Buffers.Length > 1 && end > start)
        {
            var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span);
            if (end >= offsets.Length)
            {
                break;
            }

            (start, end) = (offsets[(int)start], offsets[(int)end]);
            data = child;
        }

        return Math.Max(0, end - start) + rows;
    }

    private void Visit(int layer, ArrayData data, int index, ushort rep, int nullLayer)
    {
        if (nullLayer < 0 && !IsValid(data, index))
        {
            nullLayer = layer;
            _hasNull[layer] = true;
        }

        if (layer == _path.Fields.Count - 1)
        {
            Emit(rep, nullLayer < 0 ? (ushort)0 : LevelLayout.NullCode(nullLayer));
            AddValue(data, index);
            return;
        }

        if (_path.IsList[layer])
        {
            if (nullLayer >= 0)
            {
                Emit(rep, LevelLayout.NullCode(nullLayer));
                return;
            }

            var (start, end) = ListRange(data, index);
            if (start == end)
            {
                _hasEmpty[layer] = true;
                Emit(rep, LevelLayout.EmptyCode(layer));
                return;
            }

            var child = data.Children[0];
            ushort inner = (ushort)(_repOfList[layer] - 1);
            for (long i = start; i < end; i++)
            {
                Visit(layer + 1, child, checked((int)i), i == start ? rep : inner, -1);
            }
        }
        else
        {
            // A struct: its children have one element per struct element (the struct's offset applies to them).
            Visit(layer + 1, data.Children[_path.ChildIndices[layer]], data.Offset + index, rep, nullLayer);
        }
    }

    // Whether the column is lists of lists … of a leaf (32-bit offsets) without a null at any layer: then a list's last
    // layer maps to its leaf values in one run (VisitValidList), the common shape of index files (a full-text index's
    // positions), instead of a visit per value.
    private bool OnlyValidLists(ArrayData data)
    {
        for (int layer = 0; layer < _path.Fields.Count; layer++)
        {
            bool leaf = layer == _path.Fields.Count - 1;
            if (data.DataType is Apache.Arrow.Types.NullType || data.NullCount != 0
                || (!leaf && (!_path.IsList[layer] || data.DataType.GetType() != typeof(Apache.Arrow.Types.ListType))))
            {
                return false;
            }

            if (!leaf)
            {
                data = data.Children[0];
            }
        }

        return _path.Fields.Count > 1;
    }

    // Visit for a list layer of a column OnlyValidLists accepts.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void VisitValidList(int layer, ArrayData data, int index, ushort rep)
    {
        var (start, end) = ListRange(data, index);
        if (start == end)
        {
            _hasEmpty[layer] = true;
            Emit(rep, LevelLayout.EmptyCode(layer));
            return;
        }

        var child = data.Children[0];
        ushort inner = (ushort)(_repOfList[layer] - 1);
        if (layer + 2 < _path.Fields.Count)
        {
            for (long i = start; i < end; i++)
            {
                VisitValidList(layer + 1, child, checked((int)i), i == start ? rep : inner);
            }

            return;
        }

        // The child is the leaf: one entry per value, the first with this list's repetition level, all valid.
        int count = checked((int)(end - start));
        int at = _rep.Count;
        CollectionsMarshal.SetCount(_rep, at + count);
        CollectionsMarshal.SetCount(_canonical, at + count);
        var reps = CollectionsMarshal.AsSpan(_rep).Slice(at, count);
        reps[0] = rep;
        reps[1..].Fill(inner);
        CollectionsMarshal.AsSpan(_canonical).Slice(at, count).Clear();
        _values += count;
        if (ReferenceEquals(child, _runData) && start == _runEnd)
        {
            _runEnd = end;
            return;
        }

        CloseRun();
        _runData = child;
        _runStart = start;
        _runEnd = end;
    }

    private void Emit(ushort rep, ushort canonical)
    {
        _rep.Add(rep);
        _canonical.Add(canonical);
    }

    private void AddValue(ArrayData data, int index)
    {
        _values++;
        if (ReferenceEquals(data, _runData) && index == _runEnd)
        {
            _runEnd++;
            return;
        }

        CloseRun();
        _runData = data;
        _runStart = index;
        _runEnd = index + 1;
    }

    private void CloseRun()
    {
        if (_runData is not null)
        {
            _runs.Add(_runStart == 0 && _runEnd == _runData.Length ? _runData : _runData.Slice((int)_runStart, (int)(_runEnd - _runStart)));
            _runData = null;
        }
    }

    private static bool IsValid(ArrayData data, int index)
    {
        if (data.DataType is Apache.Arrow.Types.NullType)
        {
            return false; // Arrow's Null type has no validity buffer: every value is null
        }

        if (data.NullCount == 0 || data.Buffers[0].IsEmpty)
        {
            return true;
        }

        int bit = data.Offset + index;
        return (data.Buffers[0].Span[bit >> 3] & (1 << (bit & 7))) != 0;
    }

    private static (long Start, long End) ListRange(ArrayData data, int index)
    {
        int position = data.Offset + index;
        if (data.DataType is Apache.Arrow.Types.LargeListType)
        {
            var offsets = MemoryMarshal.Cast<byte, long>(data.Buffers[1].Span);
            return (offsets[position], offsets[position + 1]);
        }
        else
        {
            var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span);
            return (offsets[position], offsets[position + 1]);
        }
    }
}

/// <summary>One leaf's levels and visible values, as <see cref="LevelShredder"/> made them.</summary>
/// <param name="Layout">The level layout for the whole column (which layers have nulls, empty lists).</param>
/// <param name="Rep">Repetition level per entry; null without lists.</param>
/// <param name="Canonical">Canonical definition code per entry (see <see cref="LevelLayout"/>).</param>
/// <param name="RowEntryStart">For each row (and one past the last), the first entry.</param>
/// <param name="RowValueStart">For each row (and one past the last), the first visible value.</param>
/// <param name="ValueRuns">The visible leaf values, in order, as slices of the leaf arrays.</param>
internal sealed record ShreddedLeaf(
    LevelLayout Layout, ushort[]? Rep, ushort[] Canonical, long[] RowEntryStart, long[] RowValueStart, IReadOnlyList<ArrayData> ValueRuns);
